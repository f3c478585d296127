import { billingBench } from './billing';
import { ledgerBench } from './ledger';

export const benches: Record<string, () => Promise<void>> = {
  ledger: ledgerBench,
  billing: billingBench,
};

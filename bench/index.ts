import { billingBench } from './billing';
import { botBench } from './bot';
import { generationBench } from './generation';
import { ledgerBench } from './ledger';
import { transcriptionBench } from './transcription';

export const benches: Record<string, () => Promise<void>> = {
  ledger: ledgerBench,
  billing: billingBench,
  generation: generationBench,
  transcription: transcriptionBench,
  bot: botBench,
};

// A minimal paying job for billing tests: the same billing child and helpers
// the real jobs use, with the job's outcome chosen by the test.
import { ApplicationFailure, condition } from '@temporalio/workflow';
import type { Language } from '../../lib/i18n';
import { billingFor } from '../../workflows/billing-client';
import { notifyInsufficientFunds } from '../../workflows/notifications';

export interface PaidJobInput {
  userId: number;
  telegramId: number;
  language: Language;
  units: number;
  unitPrice: number;
  deadlineSeconds: number;
  /** settle: report `delivered` (plus `duplicateSettles` repeats); fail: settle 0 then fail; crash: fail without settling; hang: wait to be terminated. */
  outcome: 'settle' | 'fail' | 'crash' | 'hang';
  delivered: number;
  duplicateSettles: number;
}

export async function paidJobWorkflow(input: PaidJobInput): Promise<'insufficient' | 'done'> {
  const billing = billingFor({
    userId: input.userId,
    telegramId: input.telegramId,
    jobKind: 'generation',
    unitPrice: input.unitPrice,
    units: input.units,
    deadlineSeconds: input.deadlineSeconds,
    reason: `test job × ${input.units}`,
  });
  const charge = await billing.charge();
  if (!charge.ok) {
    await notifyInsufficientFunds(input.telegramId, input.language, charge.required, charge.balance);
    return 'insufficient';
  }
  switch (input.outcome) {
    case 'hang':
      await condition(() => false);
      return 'done';
    case 'crash':
      throw ApplicationFailure.create({ message: 'the job crashed before settling', nonRetryable: true });
    case 'fail':
      await billing.settle(0);
      throw ApplicationFailure.create({ message: 'the job failed', nonRetryable: true });
    case 'settle':
      for (let i = 0; i <= input.duplicateSettles; i++) await billing.settle(input.delivered);
      return 'done';
  }
}

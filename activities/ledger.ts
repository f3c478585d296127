import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../lib/config';
import type { PrismaClient } from '../lib/prisma';
import { applyLedgerEntry, welcomeGrantKey, InsufficientFundsError, IdempotencyConflictError, type LedgerEntry, type LedgerResult } from '../lib/db/ledger';
import type { WorkerMetrics } from '../lib/worker-metrics';

export const LedgerErrors = {
  insufficientFunds: 'InsufficientFunds',
  idempotencyConflict: 'IdempotencyConflict',
} as const;

export interface WelcomeGrantResult {
  granted: boolean;
  credits: number;
  balance: number;
}

export function createLedgerActivities({ prisma, tariffs, metrics }: { prisma: PrismaClient; tariffs: Config['tariffs']; metrics?: Pick<WorkerMetrics, 'ledgerApplied'> }) {
  /** Business errors become non-retryable failures with a stable type; anything else is retried. Committed entries are counted once. */
  async function apply(entry: LedgerEntry): Promise<LedgerResult> {
    try {
      const result = await applyLedgerEntry(prisma, entry);
      if (result.applied) metrics?.ledgerApplied(entry);
      return result;
    } catch (err) {
      if (err instanceof InsufficientFundsError) {
        throw ApplicationFailure.create({
          message: err.message,
          type: LedgerErrors.insufficientFunds,
          nonRetryable: true,
          details: [{ balance: err.balance, required: err.required }],
          cause: err,
        });
      }
      if (err instanceof IdempotencyConflictError) {
        throw ApplicationFailure.create({ message: err.message, type: LedgerErrors.idempotencyConflict, nonRetryable: true, cause: err });
      }
      throw err;
    }
  }

  return {
    applyLedgerEntry: apply,

    /** The welcome grant, once per user whatever happens (key `welcome:<userId>`). */
    async grantWelcomeCredits({ userId }: { userId: number }): Promise<WelcomeGrantResult> {
      const credits = tariffs.welcomeCredits;
      if (credits === 0) {
        const balance = await prisma.balance.findUnique({ where: { userId }, select: { credits: true } });
        return { granted: false, credits: 0, balance: balance?.credits ?? 0 };
      }
      const result = await apply({ userId, kind: 'GRANT', amount: credits, idempotencyKey: welcomeGrantKey(userId), reason: 'welcome' });
      return { granted: result.applied, credits, balance: result.balanceAfter };
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;

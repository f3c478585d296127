import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../lib/prisma';
import { jobLedger } from '../lib/db/ledger';
import type { LedgerActivities } from './ledger';

export interface ChargeInput {
  userId: number;
  jobId: string;
  amount: number;
  reason: string;
}

export interface RefundInput {
  userId: number;
  jobId: string;
  amount: number;
  reason: string;
}

export const BillingErrors = { refundExceedsCharge: 'RefundExceedsCharge' } as const;

/**
 * A job's money: one CHARGE (`<job>:charge`) and at most one REFUND
 * (`<job>:refund`), never more back than was taken. Both are safe to retry.
 */
export function createBillingActivities({ prisma, ledger }: { prisma: PrismaClient; ledger: Pick<LedgerActivities, 'applyLedgerEntry'> }) {
  return {
    async chargeJob({ userId, jobId, amount, reason }: ChargeInput): Promise<{ charged: number; balance: number }> {
      const r = await ledger.applyLedgerEntry({ userId, kind: 'CHARGE', amount: -amount, idempotencyKey: `${jobId}:charge`, jobId, reason });
      return { charged: amount, balance: r.balanceAfter };
    },

    async refundJob({ userId, jobId, amount, reason }: RefundInput): Promise<{ refunded: number; balance: number }> {
      const { charged, refunded } = await jobLedger(prisma, jobId);
      const already = await prisma.transaction.findUnique({ where: { idempotencyKey: `${jobId}:refund` }, select: { amount: true } });
      if (!already && refunded + amount > charged) {
        throw ApplicationFailure.create({
          message: `refund ${amount} exceeds what job ${jobId} was charged (${charged}, refunded ${refunded})`,
          type: BillingErrors.refundExceedsCharge,
          nonRetryable: true,
        });
      }
      const r = await ledger.applyLedgerEntry({ userId, kind: 'REFUND', amount, idempotencyKey: `${jobId}:refund`, jobId, reason });
      return { refunded: amount, balance: r.balanceAfter };
    },
  };
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;

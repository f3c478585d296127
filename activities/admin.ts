import { ApplicationFailure } from '@temporalio/activity';
import { jobLedger } from '../lib/db/ledger';
import type { Language } from '../lib/i18n';
import type { PrismaClient } from '../lib/prisma';
import type { LedgerActivities } from './ledger';

/** The ledger key of an operator's refund of a job's leftover (one per job, ever). */
export const adminRefundKey = (jobWorkflowId: string) => `${jobWorkflowId}:admin-refund`;

/** A job's money as the ledger has it, and whose it is. */
export interface JobRefundState {
  /** Credits taken by the job's CHARGE (0: it was never charged). */
  charged: number;
  /** Credits given back so far (billing's refund and any admin refund). */
  refunded: number;
  /** charged − refunded, never below 0. */
  leftover: number;
  /** An admin refund of this job is already in the ledger. */
  adminRefunded: boolean;
  /** The charged user (null when nothing was charged). */
  user: { id: number; telegramId: number; language: Language } | null;
}

export const AdminErrors = { refundExceedsCharge: 'RefundExceedsCharge' } as const;

/**
 * `/admin refund` of a job whose workflows have both ended: read what is
 * left of its charge, then refund exactly that once (`<job>:admin-refund`).
 * Two steps so the workflow's history records what was left before this
 * refund: a retried refund activity stays one refund, and a second command
 * finds nothing left.
 */
export function createAdminActivities({ prisma, ledger }: { prisma: PrismaClient; ledger: Pick<LedgerActivities, 'applyLedgerEntry'> }) {
  return {
    async jobRefundState({ jobWorkflowId }: { jobWorkflowId: string }): Promise<JobRefundState> {
      const { charged, refunded, rows } = await jobLedger(prisma, jobWorkflowId);
      const charge = await prisma.transaction.findFirst({
        where: { jobId: jobWorkflowId, kind: 'CHARGE' },
        select: { user: { select: { id: true, telegramId: true, language: true } } },
      });
      return {
        charged,
        refunded,
        leftover: Math.max(0, charged - refunded),
        adminRefunded: rows.some((r) => r.idempotencyKey === adminRefundKey(jobWorkflowId)),
        user: charge ? { id: charge.user.id, telegramId: Number(charge.user.telegramId), language: charge.user.language } : null,
      };
    },

    /** Refunds `amount` (the leftover read by `jobRefundState`) with the job's admin-refund key; safe to retry. */
    async refundJobLeftover({ jobWorkflowId, userId, amount }: { jobWorkflowId: string; userId: number; amount: number }): Promise<{ refunded: number; balance: number }> {
      const key = adminRefundKey(jobWorkflowId);
      const { charged, rows } = await jobLedger(prisma, jobWorkflowId);
      const others = rows.filter((r) => r.kind === 'REFUND' && r.idempotencyKey !== key).reduce((a, r) => a + r.amount, 0);
      if (others + amount > charged) {
        throw ApplicationFailure.create({
          message: `admin refund ${amount} exceeds what is left of job ${jobWorkflowId} (charged ${charged}, refunded ${others})`,
          type: AdminErrors.refundExceedsCharge,
          nonRetryable: true,
        });
      }
      const r = await ledger.applyLedgerEntry({ userId, kind: 'REFUND', amount, idempotencyKey: key, jobId: jobWorkflowId, reason: `admin refund: ${jobWorkflowId}` });
      return { refunded: amount, balance: r.balanceAfter };
    },
  };
}

export type AdminActivities = ReturnType<typeof createAdminActivities>;

import { ApplicationFailure, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PrismaClient } from '../lib/prisma';
import { parseJobId, type HistoryJobKind } from '../lib/db/history';
import { jobLedger } from '../lib/db/ledger';
import type { Language } from '../vocabulary/languages';
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

/** What `endAbandonedJob` found at the billing deadline. */
export interface AbandonedJob {
  /** How the job's workflow stands: `RUNNING` (late, not abandoned), `TERMINATED`, `FAILED`, `TIMED_OUT`, … or `NOT_FOUND`. */
  workflow: string;
  /** The job's row said it was still under way and is now closed (`failureReason` `workflow_<how it ended>`). */
  closed: boolean;
  /** It had delivered before it ended (its row is COMPLETED or PARTIAL): nothing to tell the user. */
  delivered: boolean;
  kind: HistoryJobKind | null;
  language: Language;
}

/** The statuses of a job row that is still under way, per kind (a draft avatar is not a job yet). */
const UNDER_WAY = { jobs: ['PENDING', 'RUNNING'], avatar: ['CHARGED', 'TRAINING'] } as const;

/**
 * A job's money: one CHARGE (`<job>:charge`) and at most one REFUND
 * (`<job>:refund`), never more back than was taken. Both are safe to retry.
 */
export function createBillingActivities({ prisma, ledger, temporal }: { prisma: PrismaClient; ledger: Pick<LedgerActivities, 'applyLedgerEntry'>; temporal: Client }) {
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

    /**
     * The job never settled by its billing deadline. If its workflow has ended
     * (an operator terminated it, it failed or timed out), it ran none of its
     * own closing code: its row still says it is under way (a summary's row
     * even keeps its transcript from being summarised again) and the user was
     * never told. The row is closed with `failureReason` `workflow_<how it
     * ended>`: FAILED, or COMPLETED / PARTIAL when the job had delivered before
     * it ended (images in the chat, a transcript's text stored), which needs
     * no message. A retry finds the row it closed and answers the same. A job
     * still running is left alone: it is late, and its own ending will say so.
     */
    async endAbandonedJob({ userId, jobWorkflowId }: { userId: number; jobWorkflowId: string }): Promise<AbandonedJob> {
      const workflow = await workflowStatus(jobWorkflowId);
      const user = await prisma.user.findUnique({ where: { id: userId }, select: { language: true } });
      const job = parseJobId(jobWorkflowId);
      const found: AbandonedJob = { workflow, closed: false, delivered: false, kind: job?.kind ?? null, language: user?.language ?? 'ru' };
      if (workflow === 'RUNNING' || workflow === 'COMPLETED' || !job) return found;
      const failureReason = `workflow_${workflow.toLowerCase()}`;
      // Still under way, or closed by an earlier attempt of this activity that did not get to answer
      // (this failureReason is only ever written here): a retry answers the same.
      const open = <S extends string>(underWay: readonly S[]) => ({ id: job.id, userId, OR: [{ status: { in: [...underWay] } }, { failureReason }] });
      const close = (status: 'FAILED' | 'COMPLETED' | 'PARTIAL', { count }: { count: number }) => {
        found.delivered = status !== 'FAILED';
        found.closed = count > 0;
      };
      const completedAt = new Date();
      if (job.kind === 'generation') {
        const row = await prisma.generation.findFirst({ where: { id: job.id, userId }, select: { numImages: true, _count: { select: { images: { where: { telegramFileId: { not: null } } } } } } });
        const delivered = row?._count.images ?? 0;
        const status = delivered === 0 ? 'FAILED' : delivered < (row?.numImages ?? 0) ? 'PARTIAL' : 'COMPLETED';
        close(status, await prisma.generation.updateMany({ where: open(UNDER_WAY.jobs), data: { status, failureReason, completedAt } }));
      } else if (job.kind === 'transcription') {
        const row = await prisma.transcript.findFirst({ where: { id: job.id, userId }, select: { text: true } });
        const status = row?.text ? 'COMPLETED' : 'FAILED';
        close(status, await prisma.transcript.updateMany({ where: open(UNDER_WAY.jobs), data: { status, failureReason, completedAt } }));
      } else if (job.kind === 'summary') {
        close('FAILED', await prisma.transcriptSummary.updateMany({ where: open(UNDER_WAY.jobs), data: { status: 'FAILED', failureReason, completedAt } }));
      } else {
        close('FAILED', await prisma.avatar.updateMany({ where: open(UNDER_WAY.avatar), data: { status: 'FAILED', failureReason } }));
      }
      if (found.closed) log.warn('the job ended without closing its row: closed by its billing', { jobWorkflowId, workflow, failureReason, delivered: found.delivered });
      return found;
    },
  };

  /** How that workflow's latest run stands (`NOT_FOUND` once the server no longer knows it). */
  async function workflowStatus(workflowId: string): Promise<string> {
    try {
      return (await temporal.workflow.getHandle(workflowId).describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'NOT_FOUND';
      throw err;
    }
  }
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;

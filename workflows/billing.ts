import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BillingActivities } from '../activities/billing';
import { billingStatusQuery, chargeResultSignal, settleSignal, type BillingInput, type BillingStatus, type ChargeResult } from './billing-api';
import { JobStatusKey } from '../vocabulary/search-attributes';
import { telegramActivities } from './proxies';

const money = proxyActivities<BillingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '1 minute' },
});

/**
 * Balance charge-and-refund for one job (`bill-<jobWorkflowId>`, a child with
 * ParentClosePolicy ABANDON). Charges once, tells the parent, then waits for
 * `settle {deliveredUnits}` or the deadline, and refunds what was not
 * delivered — also when the parent failed, was cancelled or terminated, or
 * this workflow itself is cancelled. At the deadline a job whose workflow
 * ended without settling has its row closed and its user told.
 */
export async function billingWorkflow(input: BillingInput): Promise<BillingStatus> {
  const status: BillingStatus = { stage: 'charging', charged: 0, refunded: 0, deliveredUnits: null };
  let settled: number | null = null;
  /** An operator settled for a job that had ended without settling. */
  let abandoned = false;
  setHandler(billingStatusQuery, () => status);
  setHandler(settleSignal, ({ deliveredUnits, abandoned: ended }) => {
    if (settled !== null) return; // duplicates change nothing
    settled = Math.max(0, Math.min(input.units, Math.floor(Number(deliveredUnits) || 0)));
    abandoned = ended === true;
  });

  const amount = input.unitPrice * input.units;
  const parentId = workflowInfo().parent?.workflowId;
  const tellParent = async (result: ChargeResult) => {
    if (!parentId) return;
    try {
      await getExternalWorkflowHandle(parentId).signal(chargeResultSignal, result);
    } catch (err) {
      log.warn('parent is gone; billing carries on to its deadline', { parentId, error: String(err) });
    }
  };

  try {
    const charge = await money.chargeJob({ userId: input.userId, jobId: input.jobWorkflowId, amount, reason: input.reason });
    status.stage = 'charged';
    status.charged = charge.charged;
    upsertSearchAttributes([{ key: JobStatusKey, value: 'charged' }]);
    await tellParent({ ok: true, charged: charge.charged, balance: charge.balance });
  } catch (err) {
    const failure = err instanceof ApplicationFailure ? err : (err as { cause?: unknown }).cause;
    if (failure instanceof ApplicationFailure && failure.type === 'InsufficientFunds') {
      const details = (failure.details?.[0] ?? {}) as { balance?: number; required?: number };
      status.stage = 'insufficient';
      upsertSearchAttributes([{ key: JobStatusKey, value: 'insufficient' }]);
      await tellParent({ ok: false, reason: 'insufficient', balance: details.balance ?? 0, required: details.required ?? amount });
      return status;
    }
    throw err;
  }

  let reason: BillingStatus['refundReason'];
  try {
    reason = (await condition(() => settled !== null, input.deadlineSeconds * 1000)) ? 'settled' : 'deadline';
  } catch (err) {
    if (!isCancellation(err)) throw err;
    reason = 'cancelled';
  }
  const delivered = reason === 'settled' ? (settled ?? 0) : 0;
  status.deliveredUnits = delivered;
  const refund = (input.units - delivered) * input.unitPrice;
  await CancellationScope.nonCancellable(async () => {
    if (refund > 0) {
      const r = await money.refundJob({ userId: input.userId, jobId: input.jobWorkflowId, amount: refund, reason: `refund: ${input.reason}` });
      status.refunded = r.refunded;
      status.refundReason = reason;
    }
    status.stage = refund > 0 ? 'refunded' : 'settled';
    upsertSearchAttributes([{ key: JobStatusKey, value: status.stage }]);
    // No settle by the deadline, or an operator's settle for a job that ended: if the job's workflow
    // ended without closing (terminated, failed, timed out), its row is closed and the user told here,
    // by the workflow that outlived it. Older histories ended at the refund.
    if ((reason === 'deadline' || abandoned) && patched('billing-deadline-ends-job-v1')) {
      const job = await money.endAbandonedJob({ userId: input.userId, jobWorkflowId: input.jobWorkflowId });
      if (job.closed && !job.delivered && job.kind) {
        await telegramActivities().sendMessage({
          chatId: input.telegramId,
          language: job.language,
          message: { key: 'job-ended-refunded', params: { kind: job.kind, refunded: status.refunded } },
        });
      }
    }
  });
  return status;
}

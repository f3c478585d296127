import { ApplicationFailure, condition, getExternalWorkflowHandle, log, ParentClosePolicy, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import { chargeResultSignal, settleSignal, type BillingInput, type BillingStatus, type ChargeResult } from './billing-api';
import type { billingWorkflow } from './billing';
import { workflowIds } from '../vocabulary/ids';
import { JobKindKey, JobStatusKey, UserIdKey } from '../vocabulary/search-attributes';

export type BillingRequest = Omit<BillingInput, 'jobWorkflowId'>;

/**
 * The paying job's side of billing. Call `charge()` once, early in the job's
 * workflow: it starts `bill-<this workflow id>` (ABANDON: it outlives us and
 * refunds if we die) and waits for the outcome of the charge. Then `settle()`
 * with the number of units actually delivered; the rest is refunded.
 */
export function billingFor(request: BillingRequest) {
  const jobWorkflowId = workflowInfo().workflowId;
  const billingId = workflowIds.billing(jobWorkflowId);
  let result: ChargeResult | null = null;
  setHandler(chargeResultSignal, (r) => {
    result ??= r;
  });

  return {
    billingId,
    async charge(): Promise<ChargeResult> {
      const child = await startChild<typeof billingWorkflow>('billingWorkflow', {
        workflowId: billingId,
        args: [{ ...request, jobWorkflowId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: UserIdKey, value: String(request.telegramId) },
          { key: JobKindKey, value: 'billing' },
          { key: JobStatusKey, value: 'charging' },
        ],
      });
      // The child reports by signal; if it ends without reporting, its result (or failure) decides.
      let ended: { status?: BillingStatus; error?: unknown } | null = null;
      void child.result().then(
        (status) => (ended = { status }),
        (error: unknown) => (ended = { error }),
      );
      await condition(() => result !== null || ended !== null);
      if (result) return result;
      const end = ended as { status?: BillingStatus; error?: unknown } | null;
      if (end?.status?.stage === 'insufficient') return { ok: false, reason: 'insufficient', balance: 0, required: request.unitPrice * request.units };
      throw ApplicationFailure.create({ message: 'billing failed before charging', type: 'BillingFailed', nonRetryable: true, cause: end?.error as Error });
    },
    async settle(deliveredUnits: number): Promise<void> {
      try {
        await getExternalWorkflowHandle(billingId).signal(settleSignal, { deliveredUnits });
      } catch (err) {
        log.warn('billing already closed (its deadline refunded the job)', { billingId, error: String(err) });
      }
    },
  };
}

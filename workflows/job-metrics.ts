// Workflow interceptor module (bundled with the workflows, see workers/create-workers.ts):
// reports when a job workflow starts and how it ends, through the `jobMetrics`
// sink, to the worker's Prometheus series (lib/worker-metrics.ts). It issues no
// commands, so histories replay the same with or without it; sinks are not
// called during replay, so cache evictions do not count a workflow again (a
// retried workflow task may: the figures are for dashboards, the ledger is exact).
import { ContinueAsNew, isCancellation, proxySinks, workflowInfo, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { JobKindKey, JobStatusKey } from '../vocabulary/search-attributes';

/** What the interceptor tells the worker (injected in workers/create-workers.ts). */
export interface JobMetricsSinks extends Sinks {
  jobMetrics: {
    started(kind: string): void;
    /** `status` is the final JobStatus ("error"/"cancelled" when the workflow itself failed or was cancelled). */
    ended(kind: string, status: string, failed: boolean): void;
  };
}

const { jobMetrics } = proxySinks<JobMetricsSinks>();

/** Counts workflows that carry a JobKind search attribute (every job the bot starts, and billing). */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        const kind = workflowInfo().typedSearchAttributes.get(JobKindKey);
        if (!kind) return next(input);
        jobMetrics.started(kind);
        try {
          const result = await next(input);
          const status = workflowInfo().typedSearchAttributes.get(JobStatusKey) ?? 'completed';
          jobMetrics.ended(kind, status, status === 'failed');
          return result;
        } catch (err) {
          if (err instanceof ContinueAsNew) throw err;
          const cancelled = isCancellation(err);
          jobMetrics.ended(kind, cancelled ? 'cancelled' : 'error', !cancelled);
          throw err;
        }
      },
    },
  ],
});

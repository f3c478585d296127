import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { LedgerEntry } from './db/ledger';
import { workflowIds } from '../vocabulary/ids';
import { JOB_KINDS } from '../vocabulary/search-attributes';

/**
 * The worker's own Prometheus series (served with the Temporal SDK's by
 * workers/metrics-server.ts). Counted where the outcome is certain:
 *   aisha_jobs_started_total{kind}            a job workflow (one with a JobKind search attribute) started running
 *   aisha_jobs_completed_total{kind,status}   it ended without failing; status = its final JobStatus
 *                                             (completed, partial, cancelled, refunded, settled, insufficient…)
 *   aisha_jobs_failed_total{kind,status}      it ended failed: JobStatus "failed", or "error" when the workflow itself failed
 *   aisha_credits_charged_total{kind}         credits taken by CHARGE ledger entries, when committed (never twice per key)
 *   aisha_credits_refunded_total{kind}        credits given back by REFUND ledger entries, likewise
 * Credits' `kind` is the job kind read from the job's workflow id (`gen-…` → generation).
 * Job series come from a workflow interceptor (workflows/job-metrics.ts) through
 * a sink, never during replay; terminated or timed-out workflows run no code and
 * are not counted here (the SDK's and the server's metrics see them).
 * Plus prom-client's default process metrics (CPU, memory, event loop lag, GC).
 */
export interface WorkerMetrics {
  registry: Registry;
  jobStarted(kind: string): void;
  jobEnded(kind: string, status: string, failed: boolean): void;
  /** Call once per ledger entry that was actually written (LedgerResult.applied). */
  ledgerApplied(entry: Pick<LedgerEntry, 'kind' | 'amount' | 'jobId'>): void;
}

/** Job workflow id prefixes (vocabulary/ids.ts) → job kind, for the credits series. */
const JOB_ID_PREFIXES: [prefix: string, kind: string][] = [
  [workflowIds.generation(''), 'generation'],
  [workflowIds.transcription(''), 'transcription'],
  [workflowIds.summary(''), 'summary'],
  [workflowIds.avatarDelete(''), 'avatar_delete'],
  [workflowIds.avatar(''), 'avatar_training'],
];

/** The job kind a ledger entry's job id names ("other" when it names none). */
export function jobKindOfJobId(jobId: string | undefined): string {
  if (!jobId) return 'none';
  return JOB_ID_PREFIXES.find(([prefix]) => jobId.startsWith(prefix))?.[1] ?? 'other';
}

/** A fresh registry with the series above; `processMetrics: false` leaves out prom-client's process metrics. */
export function createWorkerMetrics({ processMetrics = true }: { processMetrics?: boolean } = {}): WorkerMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const started = new Counter({ name: 'aisha_jobs_started_total', help: 'Job workflows that started running, by JobKind', labelNames: ['kind'], registers });
  const completed = new Counter({
    name: 'aisha_jobs_completed_total',
    help: 'Job workflows that ended without failing, by JobKind and final JobStatus',
    labelNames: ['kind', 'status'],
    registers,
  });
  const failed = new Counter({
    name: 'aisha_jobs_failed_total',
    help: 'Job workflows that ended failed (JobStatus "failed", or "error" when the workflow failed), by JobKind',
    labelNames: ['kind', 'status'],
    registers,
  });
  const charged = new Counter({ name: 'aisha_credits_charged_total', help: 'Credits charged (committed CHARGE ledger entries), by job kind', labelNames: ['kind'], registers });
  const refunded = new Counter({ name: 'aisha_credits_refunded_total', help: 'Credits refunded (committed REFUND ledger entries), by job kind', labelNames: ['kind'], registers });
  // Known label values start at 0, so a dashboard sees the series before the first event.
  for (const kind of JOB_KINDS) started.inc({ kind }, 0);
  for (const kind of ['generation', 'transcription', 'avatar_training']) {
    charged.inc({ kind }, 0);
    refunded.inc({ kind }, 0);
  }

  return {
    registry,
    jobStarted: (kind) => started.inc({ kind }),
    jobEnded: (kind, status, isFailure) => (isFailure ? failed : completed).inc({ kind, status }),
    ledgerApplied({ kind, amount, jobId }) {
      if (kind === 'CHARGE') charged.inc({ kind: jobKindOfJobId(jobId) }, Math.abs(amount));
      else if (kind === 'REFUND') refunded.inc({ kind: jobKindOfJobId(jobId) }, Math.abs(amount));
    },
  };
}

import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from './logger';

let installed = false;

export interface TemporalRuntimeOptions {
  /**
   * Serve the SDK's own Prometheus metrics (`temporal_*`: polls, task latencies,
   * schedule-to-start, sticky cache…) on this `host:port`. The worker's
   * `/metrics` (workers/metrics-server.ts) merges them with ours.
   */
  prometheusBindAddress?: string;
}

/**
 * The SDK's log metadata as our log fields. Workflow lines carry `workflowId`,
 * `runId`, `workflowType`; activity lines carry `workflowId`, `workflowRunId`
 * (renamed `runId` here, so one query finds both), `workflowType`,
 * `activityType`, `activityId`, `attempt`. The task token is dropped (it can
 * complete the activity and is noise in a log).
 */
export function temporalLogFields(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const { taskToken: _taskToken, workflowRunId, ...fields } = meta;
  if (workflowRunId !== undefined && fields.runId === undefined) fields.runId = workflowRunId;
  return fields;
}

/**
 * Routes the Temporal SDK's logs (worker, workflow `log`, activity `log`) into
 * our structured logger, every workflow and activity line with `workflowId`
 * and `runId` as fields. Must run before the first connection; once per
 * process (later calls change nothing).
 */
export function installTemporalRuntime(logger: Logger, level: LogLevel = 'INFO', opts: TemporalRuntimeOptions = {}): void {
  if (installed) return;
  installed = true;
  const sdk = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: lvl, message, meta }) => {
      const method = lvl === 'ERROR' ? 'error' : lvl === 'WARN' ? 'warn' : lvl === 'DEBUG' || lvl === 'TRACE' ? 'debug' : 'info';
      sdk[method](temporalLogFields(meta), message);
    }),
    ...(opts.prometheusBindAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: opts.prometheusBindAddress } } } }
      : {}),
  });
}

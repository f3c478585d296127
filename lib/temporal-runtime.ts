import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from './logger';

let installed = false;

/**
 * Routes the Temporal SDK's logs (worker, workflow `log`, activity `log`) into
 * our structured logger. Workflow and activity lines carry workflowId, runId
 * and activity type as fields. Must run before the first connection; once per process.
 */
export function installTemporalRuntime(logger: Logger, level: LogLevel = 'INFO'): void {
  if (installed) return;
  installed = true;
  const sdk = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: lvl, message, meta }) => {
      const method = lvl === 'ERROR' ? 'error' : lvl === 'WARN' ? 'warn' : lvl === 'DEBUG' || lvl === 'TRACE' ? 'debug' : 'info';
      sdk[method](meta ?? {}, message);
    }),
  });
}

// Worker entrypoint: config → clients → activities → one Worker per task queue,
// the daily cleanup Schedule, and /metrics (ours + the Temporal SDK's).
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/logger';
import { connectPatiently } from '../lib/temporal';
import { installTemporalRuntime } from '../lib/temporal-runtime';
import { ensureCleanupSchedule } from './cleanup-schedule';
import { bundleWorkflowsApart, createWorkers, runWorkers } from './create-workers';
import { createActivityDeps } from './dependencies';
import { createMetricsServer, freeLoopbackPort } from './metrics-server';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'worker', secrets: config.secrets });
// The SDK's Prometheus exporter listens on loopback only; /metrics on METRICS_PORT serves it with ours.
const sdkMetricsAddress = config.metrics.port ? `127.0.0.1:${await freeLoopbackPort()}` : undefined;
installTemporalRuntime(logger, 'INFO', { prometheusBindAddress: sdkMetricsAddress });

const deps = createActivityDeps(config, logger);
const connection = await connectPatiently(() => NativeConnection.connect({ address: config.temporal.address }), logger);
const activities = createActivities(deps);
const workers = await createWorkers({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  activities,
  workflowBundle: await bundleWorkflowsApart(),
  maxCachedWorkflows: config.temporal.maxCachedWorkflows,
  metrics: deps.metrics,
});
const schedule = await ensureCleanupSchedule(deps.temporal, config.temporal.taskQueue);
logger.info(schedule, schedule.created ? 'cleanup schedule created' : 'cleanup schedule exists');

const metricsServer = config.metrics.port
  ? createMetricsServer({ registry: deps.metrics.registry, sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics`, logger })
  : null;
if (metricsServer) {
  await new Promise<void>((resolve, reject) => metricsServer.once('error', reject).listen(config.metrics.port, '0.0.0.0', resolve));
  logger.info({ port: config.metrics.port }, 'metrics at /metrics');
}

const stop = (signal: string) => {
  logger.info({ signal }, 'shutting down workers gracefully');
  for (const w of workers.values()) if (w.getState() === 'RUNNING') w.shutdown();
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));

logger.info({ queues: [...workers.keys()], taskQueue: config.temporal.taskQueue }, 'workers running');
try {
  await runWorkers(workers);
} finally {
  metricsServer?.closeAllConnections();
  await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)));
  await connection.close();
  await deps.close();
  logger.info('workers stopped');
}

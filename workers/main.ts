// Worker entrypoint: config → clients → activities → one Worker per task queue.
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/logger';
import { installTemporalRuntime } from '../lib/temporal-runtime';
import { bundleWorkflows, createWorkers, runWorkers } from './create-workers';
import { createActivityDeps } from './dependencies';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'worker', secrets: config.secrets });
installTemporalRuntime(logger);

const deps = createActivityDeps(config, logger);
const connection = await NativeConnection.connect({ address: config.temporal.address });
const activities = createActivities(deps);
const workers = await createWorkers({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  activities,
  workflowBundle: await bundleWorkflows(),
});

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
  await connection.close();
  await deps.close();
  logger.info('workers stopped');
}

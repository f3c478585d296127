// Worker entrypoint: config → clients → activities → one Worker per task queue.
import { NativeConnection } from '@temporalio/worker';
import { Api } from 'grammy';
import { createActivities } from '../activities';
import { loadConfigOrExit } from '../lib/config';
import { createI18n } from '../lib/i18n';
import { createLogger } from '../lib/logger';
import { createPrisma } from '../lib/prisma';
import { installTemporalRuntime } from '../lib/temporal-runtime';
import { bundleWorkflows, createWorkers, runWorkers } from './create-workers';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'worker', secrets: config.secrets });
installTemporalRuntime(logger);

const prisma = createPrisma(config.databaseUrl);
const connection = await NativeConnection.connect({ address: config.temporal.address });
const activities = createActivities({
  config,
  prisma,
  telegramApi: new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot }),
  i18n: createI18n(),
});
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
  await prisma.$disconnect();
  logger.info('workers stopped');
}

// Bot entrypoint: config → clients → bot → HTTP server; polling or webhook mode.
import type { RunnerHandle } from '@grammyjs/runner';
import { createBot } from './create-bot';
import { createFalWebhookHandler } from './fal-webhook';
import { setCommandMenus } from './features/help';
import { createUploads } from './uploads';
import { createHttpServer, TELEGRAM_WEBHOOK_PATH } from './http-server';
import { createBotMetrics } from './metrics';
import { ALLOWED_UPDATES, startPolling } from './polling';
import { createReadinessCheck } from './readiness';
import { loadConfigOrExit } from '../lib/config';
import { createFalWebhookVerifier } from '../lib/fal-webhook';
import { createI18n } from '../lib/i18n';
import { createLogger } from '../lib/logger';
import { createMinio } from '../lib/minio';
import { createPrisma } from '../lib/prisma';
import { createRedis } from '../lib/redis';
import { createStorage } from '../lib/storage';
import { createTemporalClient } from '../lib/temporal';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'bot', secrets: config.secrets });
const prisma = createPrisma(config.databaseUrl);
const temporal = await createTemporalClient(config.temporal, logger);
const redis = createRedis(config.redisUrl, logger);
const storage = createStorage(createMinio(config.minio), config.minio);
const metrics = createBotMetrics();
const i18n = createI18n();
const bot = createBot({ config, logger, prisma, temporal, i18n, redis, storage, metrics });
const falWebhook = createFalWebhookHandler({ verifier: createFalWebhookVerifier({ jwksUrl: config.fal.jwksUrl }), temporal, prisma, redis, logger, metrics });
const readiness = createReadinessCheck({ prisma, redis, minio: createMinio(config.minio), temporal });
const uploads = createUploads({ config, prisma, temporal, i18n, redis }, logger);
const server = createHttpServer({ bot, config, logger, falWebhook, metrics, readiness, uploads });

await new Promise<void>((resolve) => server.listen(config.http.port, '0.0.0.0', resolve));
logger.info({ port: config.http.port, mode: config.telegram.mode }, 'http server listening');

let runner: RunnerHandle | undefined;
await bot.init();
await setCommandMenus(bot.api, i18n).catch((err: unknown) => logger.warn({ err }, 'command menus not set'));
if (config.telegram.mode === 'webhook') {
  await bot.api.setWebhook(`${config.http.publicBaseUrl}${TELEGRAM_WEBHOOK_PATH}`, {
    secret_token: config.telegram.webhookSecret,
    allowed_updates: [...ALLOWED_UPDATES],
  });
  logger.info('webhook set');
} else {
  await bot.api.deleteWebhook();
  runner = startPolling(bot);
  logger.info({ username: bot.botInfo.username }, 'long polling started');
}

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  if (runner?.isRunning()) await runner.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await temporal.connection.close();
  await prisma.$disconnect();
  redis.disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

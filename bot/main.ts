// Bot entrypoint: config → clients → bot → HTTP server; polling or webhook mode.
import { createBot } from './create-bot';
import { createFalWebhookHandler } from './fal-webhook';
import { createHttpServer, TELEGRAM_WEBHOOK_PATH } from './http-server';
import { loadConfigOrExit } from '../lib/config';
import { createFalWebhookVerifier } from '../lib/fal-webhook';
import { createI18n } from '../lib/i18n';
import { createLogger } from '../lib/logger';
import { createPrisma } from '../lib/prisma';
import { createRedis } from '../lib/redis';
import { createTemporalClient } from '../lib/temporal';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'bot', secrets: config.secrets });
const prisma = createPrisma(config.databaseUrl);
const temporal = await createTemporalClient(config.temporal);
const redis = createRedis(config.redisUrl);
const bot = createBot({ config, logger, prisma, temporal, i18n: createI18n(), redis });
const falWebhook = createFalWebhookHandler({ verifier: createFalWebhookVerifier({ jwksUrl: config.fal.jwksUrl }), temporal, logger });
const server = createHttpServer({ bot, config, logger, falWebhook });

await new Promise<void>((resolve) => server.listen(config.http.port, '0.0.0.0', resolve));
logger.info({ port: config.http.port, mode: config.telegram.mode }, 'http server listening');

if (config.telegram.mode === 'webhook') {
  await bot.init();
  await bot.api.setWebhook(`${config.http.publicBaseUrl}${TELEGRAM_WEBHOOK_PATH}`, {
    secret_token: config.telegram.webhookSecret,
    allowed_updates: ['message', 'callback_query', 'pre_checkout_query'],
  });
  logger.info('webhook set');
} else {
  await bot.api.deleteWebhook();
  void bot.start({
    allowed_updates: ['message', 'callback_query', 'pre_checkout_query'],
    onStart: (me) => logger.info({ username: me.username }, 'long polling started'),
  });
}

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  if (bot.isRunning()) await bot.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await temporal.connection.close();
  await prisma.$disconnect();
  redis.disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

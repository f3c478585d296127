import { Client, Connection } from '@temporalio/client';
import { Api } from 'grammy';
import type { ActivityDeps } from '../activities';
import type { Config } from '../lib/config';
import { createFal } from '../lib/fal';
import { createI18n } from '../lib/i18n';
import type { Logger } from '../lib/logger';
import { createMinio } from '../lib/minio';
import { createOpenAI } from '../lib/openai';
import { noteSentMessages } from '../lib/chat-position';
import { resendOnBrokenConnection } from '../lib/telegram-connection';
import { createPrisma } from '../lib/prisma';
import { createRedis } from '../lib/redis';
import { createStorage } from '../lib/storage';
import { createWorkerMetrics } from '../lib/worker-metrics';

/**
 * The clients activities use, built once per worker process. A missing FAL or
 * OpenAI key does not stop the worker (onboarding, billing and payments need
 * neither); jobs that need the service fail at that step and are refunded.
 */
export function createActivityDeps(config: Config, logger: Logger): ActivityDeps & { close(): Promise<void> } {
  if (!config.fal.key) logger.warn('FAL_KEY is not set: avatar training and image generation will fail (and refund)');
  if (!config.openai.apiKey) logger.warn('OPENAI_API_KEY is not set: photo checks, prompts and transcription will fail (and refund)');
  const prisma = createPrisma(config.databaseUrl);
  // Connects on first use (the cleanup's workflow lookups), not at start.
  const temporal = new Client({ connection: Connection.lazy({ address: config.temporal.address }), namespace: config.temporal.namespace });
  const redis = createRedis(config.redisUrl, logger);
  const telegramApi = new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot });
  telegramApi.config.use(resendOnBrokenConnection(), noteSentMessages(redis));
  return {
    config,
    prisma,
    telegramApi,
    i18n: createI18n(),
    storage: createStorage(createMinio(config.minio), config.minio),
    openai: createOpenAI({ ...config.openai, apiKey: config.openai.apiKey ?? 'OPENAI_API_KEY-not-set' }),
    fal: createFal(config.fal),
    temporal,
    metrics: createWorkerMetrics(),
    redis,
    async close() {
      redis.disconnect();
      await temporal.connection.close();
      await prisma.$disconnect();
    },
  };
}

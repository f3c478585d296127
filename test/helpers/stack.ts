import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Api, type Bot } from 'grammy';
import { createActivities } from '../../activities';
import { createBot } from '../../bot/create-bot';
import type { AppContext } from '../../bot/context';
import type { Config } from '../../lib/config';
import { createI18n, type I18n } from '../../lib/i18n';
import { createLogger, type Logger } from '../../lib/logger';
import { createPrisma, type PrismaClient } from '../../lib/prisma';
import { installTemporalRuntime } from '../../lib/temporal-runtime';
import { TelegramSandbox } from '../../sandbox/telegram/server';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows, createWorkers, runWorkers, workflowsPath } from '../../workers/create-workers';
import { TEST_BOT_TOKEN, testConfig } from './config';

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
/** Bundled once per test file and path (each file is its own process). */
export function workflowBundle(path = workflowsPath): Promise<WorkflowBundleWithSourceMap> {
  if (!bundles.has(path)) bundles.set(path, bundleWorkflows(path));
  return bundles.get(path)!;
}

/** The production workflows plus test-only parents (test/workflows) that exercise shared pieces such as billing. */
export const testWorkflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface StackOptions {
  env?: Record<string, string>;
  workflowsPath?: string;
  /** Fault injection around the real activities (e.g. fail once after the DB commit). */
  wrapActivities?: (activities: ReturnType<typeof createActivities>) => ReturnType<typeof createActivities>;
}

export interface Stack {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  temporal: Client;
  i18n: I18n;
  telegram: TelegramSandbox;
  bot: Bot<AppContext>;
  stop(): Promise<void>;
}

/**
 * The whole system on real services: PostgreSQL, Temporal dev server (a private
 * task queue per stack), the Telegram sandbox, the real workers and the real
 * grammY bot long-polling the sandbox.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const overrides = opts.env ?? {};
  const telegram = await new TelegramSandbox({ token: overrides.TELEGRAM_BOT_TOKEN ?? TEST_BOT_TOKEN }).start();
  const config = testConfig({ TELEGRAM_API_ROOT: telegram.apiRoot, ...overrides });
  const logger = createLogger({ level: config.logLevel, secrets: config.secrets });
  installTemporalRuntime(logger, 'ERROR');
  const prisma = createPrisma(config.databaseUrl);
  const i18n = createI18n();

  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const workers = await createWorkers({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: (opts.wrapActivities ?? ((a) => a))(
      createActivities({ config, prisma, telegramApi: new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot }), i18n }),
    ),
    workflowBundle: await workflowBundle(opts.workflowsPath),
    shutdownGraceTime: '1 second',
  });
  const workersDone = runWorkers(workers);

  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const bot = createBot({ config, logger, prisma, temporal, i18n });
  await bot.init();
  void bot.start({ drop_pending_updates: false });

  return {
    config,
    logger,
    prisma,
    temporal,
    i18n,
    telegram,
    bot,
    async stop() {
      await bot.stop();
      for (const w of workers.values()) if (w.getState() === 'RUNNING') w.shutdown();
      await workersDone;
      await telegram.stop();
      await connection.close();
      await nativeConnection.close();
      await prisma.$disconnect();
    },
  };
}

/** Polls `probe` until it returns a truthy value (events cross processes; tests wait for outcomes, not timings). */
export async function eventually<T>(probe: () => T | Promise<T>, { timeoutMs = 30_000, intervalMs = 50 } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

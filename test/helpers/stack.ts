import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Bot } from 'grammy';
import type { RunnerHandle } from '@grammyjs/runner';
import { createActivities } from '../../activities';
import { createBot } from '../../bot/create-bot';
import { setCommandMenus } from '../../bot/features/help';
import { createFalWebhookHandler } from '../../bot/fal-webhook';
import { createUploads } from '../../bot/uploads';
import { createHttpServer } from '../../bot/http-server';
import { startPolling } from '../../bot/polling';
import { createBotMetrics, type BotMetrics } from '../../bot/metrics';
import { createReadinessCheck } from '../../bot/readiness';
import { createFalWebhookVerifier } from '../../lib/fal-webhook';
import type { AppContext, BotServices } from '../../bot/context';
import { createLogger } from '../../lib/logger';
import { createMinio, ensureBuckets } from '../../lib/minio';
import { createRedis } from '../../lib/redis';
import { installTemporalRuntime } from '../../lib/temporal-runtime';
import type { WorkerMetrics } from '../../lib/worker-metrics';
import { startSandboxes, type FalSandbox, type OpenAISandbox, type TelegramSandbox } from '../../sandbox';
import { createActivityDeps } from '../../workers/dependencies';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows, createWorkers, runWorkers, workflowsPath } from '../../workers/create-workers';
import { TEST_BOT_TOKEN, testConfig } from './config';
import { freeLoopbackPort } from '../../workers/metrics-server';

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

/** The bot's services (the same clients the workers use) plus the stand-ins. */
export interface Stack extends BotServices {
  telegram: TelegramSandbox;
  fal: FalSandbox;
  openai: OpenAISandbox;
  /** The bot's Prometheus series (its HTTP server serves them at /metrics). */
  metrics: BotMetrics;
  /** The workers' series (workers/metrics-server.ts serves them in the worker process). */
  workerMetrics: WorkerMetrics;
  /** The running bot (a new instance after restartBot). */
  readonly bot: Bot<AppContext>;
  /**
   * Stops the long-polling bot as a deploy would and starts a new instance on
   * the same services (its state lives in Redis and the DB); updates sent
   * meanwhile wait in the sandbox. The HTTP server keeps the first instance
   * (it only uses it in webhook mode).
   */
  restartBot(): Promise<void>;
  /** Stops long polling (tests then hand updates to `bot` themselves, as webhook instances would get them). */
  stopPolling(): Promise<void>;
  /** Kills the workers (as a crash would: in-flight activities are abandoned) and starts new ones. */
  restartWorkers(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole system on real services: PostgreSQL, Redis, MinIO, the Temporal
 * dev server (a private task queue per stack), the Telegram, FAL and OpenAI
 * stand-ins, the real workers and the real grammY bot long-polling the sandbox
 * with grammY's runner, as bot/main.ts does.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const overrides = opts.env ?? {};
  const sandboxes = await startSandboxes(['telegram', 'fal', 'openai'], {
    ports: { telegram: 0, fal: 0, openai: 0 },
    telegramToken: overrides.TELEGRAM_BOT_TOKEN ?? TEST_BOT_TOKEN,
  });
  // The bot's real HTTP server (FAL webhooks, health) on a free port, announced as PUBLIC_BASE_URL.
  const httpPort = await freeLoopbackPort();
  const config = testConfig({ ...sandboxes.env, HTTP_PORT: String(httpPort), PUBLIC_BASE_URL: `http://127.0.0.1:${httpPort}`, ...overrides });
  const logger = createLogger({ level: config.logLevel, secrets: config.secrets });
  installTemporalRuntime(logger, 'ERROR');
  const deps = createActivityDeps(config, logger);
  const { prisma, i18n, storage } = deps;
  await ensureBuckets(createMinio(config.minio));

  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const startWorkers = async () => {
    const workers = await createWorkers({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: (opts.wrapActivities ?? ((a) => a))(createActivities(deps)),
      workflowBundle: await workflowBundle(opts.workflowsPath),
      metrics: deps.metrics,
      shutdownGraceTime: '1 second',
    });
    return { workers, done: runWorkers(workers) };
  };
  let running = await startWorkers();
  const stopWorkers = async () => {
    for (const w of running.workers.values()) if (w.getState() === 'RUNNING') w.shutdown();
    await running.done;
  };

  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const redis = createRedis(config.redisUrl);
  const metrics = createBotMetrics({ processMetrics: false });
  const services: BotServices = { config, logger, prisma, temporal, i18n, redis, storage, metrics };
  // Polling as bot/main.ts does it (grammY's runner).
  let polling: RunnerHandle | undefined;
  const startBot = async () => {
    const b = createBot(services);
    await b.init();
    await setCommandMenus(b.api, i18n);
    polling = startPolling(b);
    return b;
  };
  const stopPolling = async () => {
    if (polling?.isRunning()) await polling.stop();
  };
  let bot = await startBot();
  const falWebhook = createFalWebhookHandler({ verifier: createFalWebhookVerifier({ jwksUrl: config.fal.jwksUrl }), temporal, prisma, redis, logger, metrics });
  const readiness = createReadinessCheck({ prisma, redis, minio: createMinio(config.minio), temporal });
  const uploads = createUploads({ config, prisma, temporal, i18n, redis }, logger);
  const httpServer = createHttpServer({ bot, config, logger, falWebhook, metrics, readiness, uploads });
  await new Promise<void>((resolve) => httpServer.listen(httpPort, '127.0.0.1', resolve));

  return {
    config,
    logger,
    prisma,
    temporal,
    i18n,
    redis,
    telegram: sandboxes.telegram!,
    fal: sandboxes.fal!,
    openai: sandboxes.openai!,
    storage,
    metrics,
    workerMetrics: deps.metrics,
    get bot() {
      return bot;
    },
    stopPolling,
    async restartBot() {
      await stopPolling();
      bot = await startBot();
    },
    async restartWorkers() {
      await stopWorkers();
      running = await startWorkers();
    },
    async stop() {
      await stopPolling();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
      await stopWorkers();
      await sandboxes.stop();
      await connection.close();
      await nativeConnection.close();
      await deps.close();
      redis.disconnect();
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

/** The callback data of the button with this prefix on a message as it is now (e.g. the "Create" offer `gg:…`). */
export function buttonData(message: { reply_markup?: { inline_keyboard: unknown[][] } } | undefined, prefix: string): string {
  for (const b of message?.reply_markup?.inline_keyboard.flat() ?? []) {
    const data = (b as { callback_data?: string }).callback_data;
    if (data === prefix || data?.startsWith(`${prefix}:`)) return data;
  }
  throw new Error(`no ${prefix} button on the message`);
}

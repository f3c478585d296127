// The real workers on a private task queue against the local services, with
// the stand-ins for Telegram, FAL and OpenAI: what the end-to-end benches run on.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig, type Config } from '../lib/config';
import { applyLedgerEntry } from '../lib/db/ledger';
import { upsertUser } from '../lib/db/users';
import { createLogger, type Logger } from '../lib/logger';
import { createMinio, ensureBuckets } from '../lib/minio';
import { installTemporalRuntime } from '../lib/temporal-runtime';
import { startSandboxes, type RunningSandboxes } from '../sandbox';
import { bundleWorkflows, createWorkers, runWorkers } from '../workers/create-workers';
import { createActivityDeps } from '../workers/dependencies';
import { benchServiceEnv } from './processes';

export interface BenchStack {
  run: string;
  config: Config;
  logger: Logger;
  deps: ReturnType<typeof createActivityDeps>;
  client: Client;
  sandboxes: RunningSandboxes;
  /** Users with a large balance, known to the Telegram stand-in. */
  users(count: number): Promise<{ id: number; telegramId: number }[]>;
  stop(): Promise<void>;
}

export async function startBenchStack(name: string): Promise<BenchStack> {
  const logger = createLogger({ level: 'error' });
  installTemporalRuntime(logger, 'ERROR');
  const run = randomBytes(4).toString('hex');
  const sandboxes = await startSandboxes(['telegram', 'fal', 'openai'], { ports: { telegram: 0, fal: 0, openai: 0 } });
  const config = loadConfig({ ...benchServiceEnv(sandboxes.env, `aisha-bench-${name}-${run}`), LOG_LEVEL: 'error' });

  await ensureBuckets(createMinio(config.minio));
  const deps = createActivityDeps(config, logger);
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const workers = await createWorkers({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities(deps),
    workflowBundle: await bundleWorkflows(),
    shutdownGraceTime: '1 second',
  });
  const running = runWorkers(workers);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  return {
    run,
    config,
    logger,
    deps,
    client,
    sandboxes,
    users: (count) =>
      Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const telegramId = 7_000_000_000 + (Number.parseInt(run, 16) % 100_000) * 100 + i;
          sandboxes.telegram!.world.user(telegramId);
          const user = await upsertUser(deps.prisma, { telegramId });
          await applyLedgerEntry(deps.prisma, { userId: user.id, kind: 'GRANT', amount: 100_000, idempotencyKey: `bench-${name}:${run}:${i}` });
          return { id: user.id, telegramId };
        }),
      ),
    async stop() {
      for (const w of workers.values()) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      await deps.close();
      await sandboxes.stop();
    },
  };
}

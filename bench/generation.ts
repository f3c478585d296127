// End-to-end image generation on this machine (P1, P2, P2b, P2c): the real
// worker (workers/main.ts) in its own process on a private task queue, the
// stand-ins (FAL 3 s per job, LLM 1 s, vision 1 s) in another, real
// PostgreSQL/MinIO/Redis/Temporal; FAL's signed webhooks reach the workflows
// through the production handler served here. Timed from the workflow's start
// to its result (images delivered, billing settled).
import { Client } from '@temporalio/client';
import { loadConfig } from '../lib/config';
import { applyLedgerEntry } from '../lib/db/ledger';
import { upsertUser } from '../lib/db/users';
import { createLogger } from '../lib/logger';
import { createPrisma } from '../lib/prisma';
import { createRedis } from '../lib/redis';
import { startCeiling } from './ceiling/worker';
import { describeCosts, historyCosts } from './histories';
import { benchServiceEnv, startStandInsProcess, startWorkerProcess } from './processes';
import { runGeneration, serveFalWebhooks } from './generation-job';
import { goalRow, measure, printRow } from './stats';
import { cpuMs } from './worker-probes';

/** Upstream latency on a generation's critical path: enhance 1 s + FAL 3 s + quality check 1 s. */
const CRITICAL_PATH_MS = 1000 + 3000 + 1000;
const USERS = 30;

export async function generationBench(): Promise<void> {
  const logger = createLogger({ level: 'error' });
  const standIns = await startStandInsProcess();
  await standIns.knobs('fal', { imageJobMs: 3000, queueMs: 0 });
  await standIns.knobs('openai', { latencyMs: 1000 });
  const worker = await startWorkerProcess('gen', standIns).catch(async (err: unknown) => {
    await standIns.stop();
    throw err;
  });
  const config = loadConfig(benchServiceEnv(standIns.env, worker.taskQueue));
  const prisma = createPrisma(config.databaseUrl);
  const redis = createRedis(config.redisUrl);
  const client: Client = worker.client;
  const webhooks = await serveFalWebhooks({ jwksUrl: config.fal.jwksUrl, client, prisma, redis, logger });
  const ceiling = await startCeiling();

  const run = worker.taskQueue.slice(-8);
  const users = await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const telegramId = 7_000_000_000 + (Number.parseInt(run, 16) % 100_000) * 100 + i;
      await standIns.user(telegramId);
      const user = await upsertUser(prisma, { telegramId });
      await applyLedgerEntry(prisma, { userId: user.id, kind: 'GRANT', amount: 100_000, idempotencyKey: `bench-gen:${run}:${i}` });
      return { id: user.id, telegramId };
    }),
  );
  const ids: string[] = [];
  const job = async (i: number) => {
    ids.push(await runGeneration(client, { taskQueue: worker.taskQueue, publicBaseUrl: webhooks.publicBaseUrl, user: users[i % users.length]!, variant: i }));
  };

  try {
    await measure(2, 1, job); // warm: the worker's caches, connections, prepared statements
    const cpu0 = await cpuMs(worker.pid);
    const one = await measure(10, 1, job);
    const cpu1 = await cpuMs(worker.pid);
    printRow('generation, 1 user at a time (end to end)', one);
    const overheadP50 = one.p50ms - CRITICAL_PATH_MS;
    const overheadP99 = one.p99ms - CRITICAL_PATH_MS;
    process.stdout.write(
      goalRow(
        'P1 generation overhead over 5 s of upstream',
        `p50 +${overheadP50.toFixed(0)} ms (${((overheadP50 / CRITICAL_PATH_MS) * 100).toFixed(1)} %), p99 +${overheadP99.toFixed(0)} ms; worker ${((cpu1 - cpu0) / 10).toFixed(0)} CPU-ms per job`,
        'p50 ≤ 150 ms (3 %), p99 ≤ 300 ms',
        overheadP50 <= 150 && overheadP99 <= 300,
      ),
    );

    const cpu2 = await cpuMs(worker.pid);
    const many = await measure(2 * USERS, USERS, job);
    const cpu3 = await cpuMs(worker.pid);
    printRow(`generation, ${USERS} concurrent users`, many);
    const ideal = (USERS * 1000) / CRITICAL_PATH_MS;
    process.stdout.write(
      goalRow(
        `P2 ${USERS} concurrent users`,
        `${many.opsPerSecond.toFixed(2)} jobs/s = ${((many.opsPerSecond / ideal) * 100).toFixed(0)} % of the ideal ${ideal.toFixed(1)}/s; worker ${((cpu3 - cpu2) / many.ops).toFixed(0)} CPU-ms per job`,
        '≥ 90 % of the ideal rate',
        many.opsPerSecond >= 0.9 * ideal,
      ),
    );

    const costs = await historyCosts(client, ids.at(-1)!);
    process.stdout.write(goalRow('P2c Temporal per generation (with its billing child)', describeCosts(costs), '≤ 15 actions', costs.actions <= 15));

    const empty = await ceiling.measure(costs.activities, 2 * USERS, USERS);
    printRow(`empty workflow, ${costs.activities} activities, ${USERS} callers`, empty);
    process.stdout.write(
      goalRow(
        'P2b our job rate vs the engine ceiling',
        `${many.opsPerSecond.toFixed(2)} vs ${empty.opsPerSecond.toFixed(2)} empty workflows/s (${costs.activities} empty activities each, ${USERS} callers) = ${((many.opsPerSecond / empty.opsPerSecond) * 100).toFixed(0)} %`,
        '≥ 50 % of the ceiling',
        many.opsPerSecond >= 0.5 * empty.opsPerSecond,
      ),
    );
  } finally {
    await ceiling.stop();
    await worker.stop();
    await standIns.stop();
    redis.disconnect();
    await prisma.$disconnect();
    await webhooks.close();
  }
}

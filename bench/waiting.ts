// P5, many long jobs at rest: the real worker (workers/main.ts) in its own
// process on a private task queue, with the Telegram, FAL and OpenAI
// stand-ins in this one (FAL 3 s per image, trainings that run for hours, LLM
// 1 s). First a few generations one at a time on the idle worker; then
// thousands of avatar trainings, each charged and submitted to FAL, waiting for
// FAL's webhook (and checking FAL's status every FAL_POLL_INTERVAL_SECONDS at
// first, spaced out up to FAL_POLL_MAX_SECONDS, as production trainings do);
// then the worker's resident memory (VmRSS) and the same generations again.
// The trainings are terminated and refunded at the end.
//
// Environment (the bench's own, read here only):
//   BENCH_WAITING_TRAININGS            trainings to start (default 10 000)
//   BENCH_WAITING_GENERATIONS          generations timed per phase (default 5)
//   BENCH_WAITING_POLL_SECONDS         the trainings' FAL status poll (default: FAL_POLL_INTERVAL_SECONDS, 30)
//   BENCH_WAITING_WORKER_ENV           more variables for the worker only, `;`-separated:
//                                      'NODE_OPTIONS=--max-old-space-size=1024;MALLOC_ARENA_MAX=2'
//   BENCH_WAITING_MAX_MINUTES          start no training after this, measure with what waits by then (default 60)
//   BENCH_WAITING_REVISION             the trainings' workflow revision (default AVATAR_TRAINING_REVISION, 2:
//                                      FAL watched by one activity; 1: a timer and a status activity per check)
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../lib/config';
import { applyLedgerEntry } from '../lib/db/ledger';
import { upsertUser } from '../lib/db/users';
import { createLogger } from '../lib/logger';
import { createMinio, ensureBuckets } from '../lib/minio';
import { createPrisma } from '../lib/prisma';
import { createRedis } from '../lib/redis';
import { startSandboxes } from '../sandbox';
import { alive, APP_PROCESS_ENV, ProcessGroup, READY_LINE } from '../sandbox/processes';
import { cleanupScheduleId } from '../workers/cleanup-schedule';
import { freeLoopbackPort } from '../workers/metrics-server';
import { AVATAR_TRAINING_REVISION } from '../workflows/avatar-api';
import { benchServiceEnv } from './processes';
import { runGeneration, serveFalWebhooks } from './generation-job';
import { goalRow, measure, printRow } from './stats';
import { cpuMs, defaultStickyCache, falQueue, memoryBreakdown, memoryMb } from './worker-probes';
import { avatarStages, endTrainings, makeTrainingUsers, startTrainings, trainingPhoto, usersHoldingCharges, type TrainingFleet } from './waiting-trainings';

const RSS_GOAL_MB = 500;
const LATENCY_GOAL = 0.1;
const START_CONCURRENCY = 50;
/** Long enough that no training finishes (or is polled to completion) during a run. */
const TRAINING_JOB_MS = 6 * 3600 * 1000;
/** Stop waiting for the fleet when no training changed stage for this long (and measure what waits). */
const STALL_MS = 3 * 60 * 1000;

function waitingSettings() {
  const env = process.env;
  const int = (name: string, def: number | undefined) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got ${raw}`);
    return n;
  };
  return {
    trainings: int('BENCH_WAITING_TRAININGS', 10_000)!,
    generations: int('BENCH_WAITING_GENERATIONS', 5)!,
    pollSeconds: int('BENCH_WAITING_POLL_SECONDS', undefined),
    workerEnv: Object.fromEntries(
      (env.BENCH_WAITING_WORKER_ENV ?? '')
        .split(';')
        .filter((kv) => kv.trim())
        .map((kv) => {
          const at = kv.indexOf('=');
          if (at < 1) throw new Error(`BENCH_WAITING_WORKER_ENV: expected NAME=value, got ${kv}`);
          return [kv.slice(0, at).trim(), kv.slice(at + 1)];
        }),
    ) as Record<string, string>,
    maxMs: int('BENCH_WAITING_MAX_MINUTES', 60)! * 60_000,
    revision: int('BENCH_WAITING_REVISION', AVATAR_TRAINING_REVISION)!,
  };
}

/** 10 000 → "10 000". */
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

export async function waitingBench(): Promise<void> {
  const settings = waitingSettings();
  const logger = createLogger({ level: 'error' });
  const run = randomBytes(4).toString('hex');
  const taskQueue = `aisha-bench-wait-${run}`;
  const sandboxes = await startSandboxes(['telegram', 'fal', 'openai'], { ports: { telegram: 0, fal: 0, openai: 0 } });
  const [tg, fal] = [sandboxes.telegram!, sandboxes.fal!];
  Object.assign(fal.knobs, { imageJobMs: 3000, queueMs: 0, trainingJobMs: TRAINING_JOB_MS });
  Object.assign(sandboxes.openai!.knobs, { latencyMs: 1000 });

  const metricsPort = await freeLoopbackPort();
  // As deployed: /metrics on (the SDK's Prometheus exporter is part of the worker's memory), info logs.
  const env = { ...benchServiceEnv(sandboxes.env, taskQueue), METRICS_PORT: String(metricsPort) };
  const workerEnv = settings.workerEnv;
  const config = loadConfig(env);
  const pollSeconds = settings.pollSeconds ?? config.fal.pollIntervalSeconds;
  await ensureBuckets(createMinio(config.minio));
  const prisma = createPrisma(config.databaseUrl, { max: 20 });
  const redis = createRedis(config.redisUrl);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  // FAL's signed webhooks reach the workflows through the production handler, as in the bot.
  const webhooks = await serveFalWebhooks({ jwksUrl: config.fal.jwksUrl, client, prisma, redis, logger });
  const { publicBaseUrl } = webhooks;
  const procs = new ProcessGroup({ env, readyTimeoutMs: 180_000 });
  let fleet: TrainingFleet | undefined;

  try {
    const cache = defaultStickyCache({ ...env, ...workerEnv });
    process.stdout.write(
      `  worker: workers/main.ts on ${taskQueue}${Object.entries({ ...APP_PROCESS_ENV, ...workerEnv }).map(([k, v]) => `, ${k}=${v}`).join('')}; V8 heap limit ${cache.heapLimitMb.toFixed(0)} MB → SDK default sticky cache ${cache.maxCachedWorkflows} workflows\n`,
    );
    const pid = (await procs.start('worker', 'workers/main.ts', workerEnv, READY_LINE.worker)).child.pid!;

    // 1. Generations on the idle worker.
    const genUsers = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const telegramId = 7_390_000_000 + (Number.parseInt(run, 16) % 100_000) * 10 + i;
        tg.world.user(telegramId, { language_code: 'en' });
        const user = await upsertUser(prisma, { telegramId, languageCode: 'en' });
        await applyLedgerEntry(prisma, { userId: user.id, kind: 'GRANT', amount: 100_000, idempotencyKey: `bench-wait-gen:${run}:${i}` });
        return { id: user.id, telegramId };
      }),
    );
    const generation = (i: number) => runGeneration(client, { taskQueue, publicBaseUrl, user: genUsers[i % genUsers.length]!, variant: i });
    await measure(2, 1, generation); // warm: the worker's caches, connections, prepared statements
    const idle = await measure(settings.generations, 1, generation);
    printRow('generation, idle worker (end to end)', idle);
    const idleMemory = await memoryMb(pid);
    process.stdout.write(`  worker RSS idle: ${idleMemory.rss.toFixed(0)} MB (peak so far ${idleMemory.peak.toFixed(0)} MB): ${await memoryBreakdown(metricsPort, idleMemory.rss)}\n`);

    // 2. The trainings: users, one photo in the Telegram stand-in, then the starts.
    const count = settings.trainings;
    const maxPoll = Math.max(pollSeconds, config.fal.pollMaxSeconds);
    process.stdout.write(
      `  ${grouped(count)} trainings of revision ${settings.revision} (${settings.revision >= 2 ? 'the checks are one activity\'s retries' : 'a timer and a status activity per check'}); each checks FAL's status every ${pollSeconds} s at first, then spaced out up to ${maxPoll} s while its webhook is not due (workflows/fal-poll.ts): ${(count / pollSeconds).toFixed(1)} status calls/s at most, ${(count / maxPoll).toFixed(1)}/s once all are spaced out\n`,
    );
    const made = await makeTrainingUsers(prisma, tg, run, count);
    fleet = made;
    process.stdout.write(`  ${grouped(count)} users with ${config.tariffs.avatarTraining}+ credits in ${seconds(made.figures.seconds * 1000)}\n`);
    const photoFile = tg.world.files.put(await trainingPhoto(), 'image/jpeg', 'photos');
    const photo = { fileId: photoFile.fileId, fileUniqueId: photoFile.fileUniqueId };

    const cpuBefore = await cpuMs(pid);
    const ownCpuBefore = process.cpuUsage();
    const t0 = performance.now();
    const progress = {
      every: Math.max(100, Math.round(count / 20)),
      report: (n: number) => {
        void memoryMb(pid).then(({ rss }) => process.stdout.write(`  … ${seconds(performance.now() - t0)}: ${grouped(n)} waiting on FAL, worker RSS ${rss.toFixed(0)} MB\n`));
      },
    };
    const starts = await startTrainings(made, { client, config, prisma, taskQueue, publicBaseUrl, photo, pollSeconds, revision: settings.revision, concurrency: START_CONCURRENCY, progress, stop: () => performance.now() - t0 > settings.maxMs });
    process.stdout.write(
      `  started ${grouped(starts.ops)} of ${grouped(count)} trainings (start + photo + "start", until the training waits on FAL) in ${seconds(starts.seconds * 1000)}: ${starts.opsPerSecond.toFixed(1)}/s with ${START_CONCURRENCY} on their way at once, p50 ${starts.p50ms.toFixed(0)} ms, p99 ${starts.p99ms.toFixed(0)} ms\n`,
    );

    // Waiting: charged, archived, submitted to FAL, stage TRAINING (the row the workflow keeps).
    let waiting = 0;
    let lastStages = '';
    let lastChange = performance.now();
    let lastReport = 0;
    for (;;) {
      if (!alive(procs.get('worker'))) throw new Error(`the worker exited:\n${procs.get('worker').output.slice(-20).join('\n')}`);
      const stages = await avatarStages(prisma, made);
      waiting = stages.TRAINING ?? 0;
      // Stalled: no avatar changed stage for a while (the first ones reach TRAINING only after minutes at 10 000).
      if (JSON.stringify(stages) !== lastStages) [lastStages, lastChange] = [JSON.stringify(stages), performance.now()];
      const elapsed = performance.now() - t0;
      const stalled = performance.now() - lastChange > STALL_MS;
      if (waiting >= count || stalled || elapsed > settings.maxMs || elapsed - lastReport >= 15_000) {
        lastReport = elapsed;
        const submitted = fal.jobs.all().filter((j) => j.endpointId.includes('trainer')).length;
        const { rss } = await memoryMb(pid);
        process.stdout.write(
          `  … ${seconds(elapsed)}: ${grouped(waiting)} waiting, FAL has ${grouped(submitted)}, stages ${JSON.stringify(stages)}, worker RSS ${rss.toFixed(0)} MB, ${await falQueue(client, taskQueue)}\n`,
        );
      }
      if (waiting >= count) break;
      if (stalled || elapsed > settings.maxMs) {
        process.stdout.write(`  ${stalled ? `no training changed stage for ${STALL_MS / 60_000} min` : `${settings.maxMs / 60_000} min are up`}: measuring with ${grouped(waiting)} of ${grouped(count)} waiting\n`);
        break;
      }
      await sleep(2000);
    }
    const reachedMs = performance.now() - t0;
    const cpuAfter = await cpuMs(pid);
    const ownCpu = process.cpuUsage(ownCpuBefore);
    process.stdout.write(
      `  ${grouped(waiting)} waiting ${seconds(reachedMs)} after the first start (${((waiting * 1000) / reachedMs).toFixed(1)}/s); CPU per training: worker ${((cpuAfter - cpuBefore) / Math.max(1, waiting)).toFixed(0)} ms, this process (stand-ins, clients) ${((ownCpu.user + ownCpu.system) / 1000 / Math.max(1, waiting)).toFixed(0)} ms\n`,
    );
    const charged = await usersHoldingCharges(prisma, made);
    process.stdout.write(`  users holding a training's charge: ${grouped(charged)}\n`);

    // At rest: the last progress edits go out, then RSS is sampled for 10 s.
    let calls = tg.world.calls.length;
    for (let quiet = 0; quiet < 5 && performance.now() - t0 < reachedMs + 60_000; ) {
      await sleep(1000);
      quiet = tg.world.calls.length === calls ? quiet + 1 : 0;
      calls = tg.world.calls.length;
    }
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push((await memoryMb(pid)).rss);
      await sleep(2000);
    }
    const atRest = await memoryMb(pid);
    const rss = Math.max(...samples);
    const perWorkflow = ((rss - idleMemory.rss) * 1024) / Math.max(1, waiting);
    process.stdout.write(
      `  worker RSS at rest: ${samples.map((s) => s.toFixed(0)).join(', ')} MB (peak while starting ${atRest.peak.toFixed(0)} MB); +${perWorkflow.toFixed(0)} kB per waiting training (+ its billing workflow) over idle\n`,
    );
    process.stdout.write(`    ${await memoryBreakdown(metricsPort, samples.at(-1)!)}; ${await falQueue(client, taskQueue)}\n`);
    process.stdout.write(goalRow(`P5 worker RSS with ${grouped(waiting)} trainings waiting`, `${rss.toFixed(0)} MB`, `≤ ${RSS_GOAL_MB} MB`, rss <= RSS_GOAL_MB && waiting >= count));

    // 3. The same generations with the fleet waiting.
    const loaded = await measure(settings.generations, 1, generation);
    printRow(`generation, ${grouped(waiting)} trainings waiting`, loaded);
    const change = loaded.p50ms / idle.p50ms - 1;
    process.stdout.write(
      goalRow(
        `P5 a generation with ${grouped(waiting)} trainings waiting`,
        `p50 ${(loaded.p50ms / 1000).toFixed(2)} s vs idle ${(idle.p50ms / 1000).toFixed(2)} s (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %)`,
        `within ${LATENCY_GOAL * 100} % of idle`,
        change <= LATENCY_GOAL && waiting >= count,
      ),
    );
    const after = (await memoryMb(pid)).rss;
    process.stdout.write(`  worker RSS after the generations: ${after.toFixed(0)} MB: ${await memoryBreakdown(metricsPort, after)}\n`);
  } finally {
    if (fleet?.avatarIds.length) {
      // Billing refunds on the worker: bring it back if it died.
      if (procs.procs.length && !alive(procs.get('worker'))) await procs.restart('worker');
      const ended = await endTrainings(client, prisma, fleet, START_CONCURRENCY);
      const deadline = performance.now() + 120_000 + fleet.avatarIds.length * 20;
      let holding = await usersHoldingCharges(prisma, fleet);
      while (holding > 0 && performance.now() < deadline) {
        await sleep(2000);
        holding = await usersHoldingCharges(prisma, fleet);
      }
      // A refund is committed a workflow task before its billing closes: the worker stays until nothing runs on its queue.
      const open = `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`;
      let running = (await client.workflow.count(open)).count;
      while (running > 0 && performance.now() < deadline) {
        await sleep(2000);
        running = (await client.workflow.count(open)).count;
      }
      let orphans = 0;
      for await (const w of client.workflow.list({ query: open })) {
        await client.workflow.getHandle(w.workflowId, w.runId).terminate('bench cleanup: still open after the refunds').catch(() => undefined);
        orphans++;
      }
      process.stdout.write(
        `  cleanup: ${grouped(fleet.avatarIds.length)} trainings terminated (${ended.terminated.opsPerSecond.toFixed(0)}/s), their billing cancelled (${ended.cancelled.opsPerSecond.toFixed(0)}/s) and refunded; users still holding a charge: ${holding}; workflows still open then terminated: ${orphans}\n`,
      );
    }
    await procs.stopAll('SIGTERM');
    // The worker made a cleanup Schedule for its private queue; it goes with the queue.
    await client.schedule.getHandle(cleanupScheduleId(taskQueue)).delete().catch(() => undefined);
    await connection.close();
    redis.disconnect();
    await prisma.$disconnect();
    await webhooks.close();
    await sandboxes.stop();
  }
}

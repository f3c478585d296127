// P4, FAL webhooks: the production handler (bot/fal-webhook.ts, with the
// bot's info-level logging and metrics) on node:http in this process, loaded by
// a separate process (bench/load/fal-webhook-load.ts) over keep-alive
// connections. Every webhook is genuine and takes the whole path: signed as
// FAL signs (the FAL stand-in's Ed25519 key; the verifier fetches the
// stand-in's JWKS), a distinct request id recorded as submitted by the
// workflow in the path (`recordFalRequest`), so each one is verified, its
// owner looked up in PostgreSQL, claimed in Redis and signalled (`falResult`)
// to a running workflow. The targets are draft avatars (avatarTrainingWorkflow
// waiting for photos) on the real worker, in this process on a private task
// queue (bench/stack.ts): a draft stores each result and would only ever use
// its own request's, as a job waiting on FAL ignores other requests' results.
// Webhooks are signed before each timed phase; the generator only sends bytes.
// JWKS fetches are counted (cached: one fetch, at the warm-up). Afterwards the
// drafts' histories must hold every forwarded signal; then they are cancelled.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { pino } from 'pino';
import { createFalWebhookHandler } from '../bot/fal-webhook';
import { createBotMetrics } from '../bot/metrics';
import { recordFalRequest } from '../lib/db/fal-requests';
import { createFalWebhookVerifier } from '../lib/fal-webhook';
import { createLogger } from '../lib/logger';
import { createRedis } from '../lib/redis';
import type { AvatarTrainingInput } from '../workflows/avatar-api';
import { cancelAvatarSignal } from '../workflows/avatar-api';
import type { avatarTrainingWorkflow } from '../workflows/avatar-training';
import { falResultSignal, falWebhookUrl } from '../workflows/fal-api';
import { workflowIds } from '../vocabulary/ids';
import type { Delivery, LoadFigures } from './load/fal-webhook-load';
import { startBenchStack } from './stack';
import { goalRow } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOAD_SCRIPT = 'bench/load/fal-webhook-load.ts';
const TRAINER = 'fal-ai/flux-lora-portrait-trainer';
/** The handler's default claim prefix, named here to remove the bench's claims afterwards. */
const CLAIM_PREFIX = 'aisha:fal-webhook:';

export interface FalWebhookLevel {
  /** Closed loop: this many senders. Open loop: at most this many sockets. */
  concurrency: number;
  /** Open loop at this many webhooks per second (closed loop without it). */
  rate?: number;
  /** Webhooks signed for the timed phase (the phase ends earlier at `seconds`). */
  count: number;
  seconds: number;
  /** Printed as a goal row (counted in the summary) rather than as a plain figure. */
  goal: boolean;
}

export interface FalWebhookBenchOptions {
  /** Draft avatars the webhooks are spread over. */
  workflows?: number;
  levels?: FalWebhookLevel[];
}

/**
 * One sender shows the floor of the latency; 50 senders the throughput; the
 * goal itself is 2000/s offered (open loop) answered within 20 ms at p99.
 */
const DEFAULT_LEVELS: FalWebhookLevel[] = [
  { concurrency: 1, count: 1000, seconds: 10, goal: false },
  { concurrency: 50, count: 20_000, seconds: 10, goal: true },
  { concurrency: 256, rate: 2000, count: 10_000, seconds: 5, goal: true },
];

const GOAL = { rate: 2000, p99ms: 20 };

/** Runs `op` over `items` with `parallel` callers. */
async function forEachParallel<T>(items: readonly T[], parallel: number, op: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) {
        const i = next++;
        await op(items[i]!, i);
      }
    }),
  );
}

/** Runs the load generator in its own process and returns its figures. */
function runLoad(args: Record<string, string | number>): Promise<LoadFigures> {
  const argv = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const last = out.trim().split('\n').at(-1);
      if (code !== 0 || !last) return reject(new Error(`load generator exited (${signal ?? code})\n${err.slice(-2000)}`));
      resolve(JSON.parse(last) as LoadFigures);
    });
  });
}

const fmt = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);

export async function falWebhookBench(opts: FalWebhookBenchOptions = {}): Promise<void> {
  const workflowCount = opts.workflows ?? 50;
  const levels = opts.levels ?? DEFAULT_LEVELS;
  const stack = await startBenchStack('falwh');
  const { config, client, deps, sandboxes } = stack;
  const fal = sandboxes.fal!;
  const redis = createRedis(config.redisUrl);
  // As in bot/main.ts: info-level logs (one line per forwarded webhook, here to /dev/null) and the metrics counter.
  const logSink = pino.destination({ dest: '/dev/null', sync: false });
  const handlerLogger = createLogger({ level: 'info', destination: logSink });
  let jwksFetches = 0;
  const verifier = createFalWebhookVerifier({
    jwksUrl: config.fal.jwksUrl,
    // The verifier fetches nothing but the JWKS: every call is one GET of it.
    fetchImpl: (input, init) => {
      jwksFetches += 1;
      return fetch(input, init);
    },
  });
  const falWebhook = createFalWebhookHandler({ verifier, temporal: client, prisma: deps.prisma, redis, logger: handlerLogger, metrics: createBotMetrics(), claimPrefix: CLAIM_PREFIX });
  const server = http.createServer((req, res) => void falWebhook(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'aisha-bench-falwh-'));
  const requestIds: string[] = [];
  const targets: string[] = [];
  let handles: WorkflowHandle<typeof avatarTrainingWorkflow>[] = [];
  let forwarded = 0;

  /** Records `count` requests as submitted by the drafts (round robin) and writes them signed, as FAL would deliver them. */
  const prepare = async (name: string, count: number): Promise<string> => {
    const rows = Array.from({ length: count }, (_, i) => ({ requestId: randomUUID(), workflowId: targets[i % targets.length]!, endpoint: TRAINER }));
    requestIds.push(...rows.map((r) => r.requestId));
    // The rows the submit activities write (recordFalRequest), in bulk: tens of thousands of upserts
    // one by one would take longer than the load itself. The warm-up's go through recordFalRequest.
    if (name === 'warm') await forEachParallel(rows, 16, (row) => recordFalRequest(deps.prisma, row));
    else for (let i = 0; i < rows.length; i += 5000) await deps.prisma.falRequest.createMany({ data: rows.slice(i, i + 5000) });
    const lines = rows.map(({ requestId, workflowId }): string => {
      // A trainer's result as FAL posts it (sandbox/fal/server.ts sendWebhook), signed now (±300 s).
      const body = JSON.stringify({
        request_id: requestId,
        gateway_request_id: requestId,
        status: 'OK',
        payload: {
          diffusers_lora_file: { url: `${fal.url}/files/${requestId}/pytorch_lora_weights.safetensors`, content_type: 'application/octet-stream', file_name: 'pytorch_lora_weights.safetensors', file_size: 89_745_224 },
          config_file: { url: `${fal.url}/files/${requestId}/config.json`, content_type: 'application/octet-stream', file_name: 'config.json', file_size: 1_203 },
        },
      });
      const delivery: Delivery = { path: falWebhookUrl('', workflowId), headers: fal.signWebhook(body, { requestId }), body };
      return JSON.stringify(delivery);
    });
    const file = join(dir, `${name}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };

  try {
    // The targets: draft avatars, each waiting for photos once its intro message is out.
    const users = await stack.users(workflowCount);
    handles = await Promise.all(
      users.map((user) => {
        const avatarId = randomUUID();
        const workflowId = workflowIds.avatar(avatarId);
        targets.push(workflowId);
        const input: AvatarTrainingInput = {
          avatarId,
          userId: user.id,
          telegramId: user.telegramId,
          chatId: user.telegramId,
          language: 'en',
          name: 'Bench',
          kind: 'PORTRAIT',
          triggerPhrase: `TOK_${avatarId.slice(0, 8)}`,
          price: 150,
          minPhotos: 10,
          maxPhotos: 20,
          deadlineSeconds: 3600,
          draftTtlSeconds: 3600,
          pollSeconds: 3600,
          progressSeconds: 30,
          webhookUrl: falWebhookUrl(base, workflowId),
        };
        return client.workflow.start<typeof avatarTrainingWorkflow>('avatarTrainingWorkflow', { taskQueue: config.temporal.taskQueue, workflowId, args: [input] });
      }),
    );
    const tg = sandboxes.telegram!;
    const ready = Date.now() + 60_000;
    while (users.some((u) => tg.world.botMessages(u.telegramId).length === 0)) {
      if (Date.now() > ready) throw new Error('the draft avatars did not start within 60 s');
      await sleep(50);
    }

    const warm = await runLoad({ target: base, file: await prepare('warm', 200), concurrency: 4 });
    forwarded += warm.warmup.forwarded + warm.outcomes.forwarded;
    process.stdout.write(`  warm-up: ${warm.count} webhooks, ${warm.outcomes.forwarded} forwarded, JWKS fetched ${jwksFetches}× (${workflowCount} draft avatars as targets)\n`);

    for (const [n, level] of levels.entries()) {
      const warmup = Math.min(level.concurrency, 100);
      const file = await prepare(`level-${n}`, warmup + level.count);
      const jwksBefore = jwksFetches;
      const f = await runLoad({
        target: base,
        file,
        concurrency: level.concurrency,
        ...(level.rate === undefined ? {} : { rate: level.rate, 'max-behind': level.rate / 2 }),
        warmup,
        seconds: level.seconds,
      });
      forwarded += f.warmup.forwarded + f.outcomes.forwarded;
      const jwks = jwksFetches - jwksBefore;
      const non2xx = Object.entries(f.statuses).reduce((sum, [status, k]) => (status.startsWith('2') ? sum : sum + k), 0);
      const label = `P4 FAL webhooks, ${level.rate === undefined ? `${level.concurrency} concurrent` : `${level.rate}/s offered`} (separate process)`;
      const figure = `${f.rate.toFixed(0)}/s, p99 ${fmt(f.p99ms)} ms, JWKS fetched ${jwks}×`;
      const met = f.rate >= GOAL.rate && f.p99ms <= GOAL.p99ms && non2xx === 0 && f.outcomes.forwarded === f.count && !f.fellBehind;
      process.stdout.write(level.goal ? goalRow(label, figure, `≥ ${GOAL.rate}/s, p99 ≤ ${GOAL.p99ms} ms`, met) : `${label.padEnd(52)} ${figure}\n`);
      const statuses = Object.entries(f.statuses).map(([s, k]) => `${s === '0' ? 'no answer' : s}: ${k}`).join(', ');
      const errors = Object.entries(f.errors).map(([e, k]) => `${e} ${k}`).join(', ');
      process.stdout.write(
        `${''.padEnd(52)} ${f.count} in ${f.seconds.toFixed(1)} s, p50 ${fmt(f.p50ms)} ms, p90 ${fmt(f.p90ms)} ms, max ${fmt(f.maxms)} ms; ${statuses}; non-2xx ${non2xx}; forwarded ${f.outcomes.forwarded}` +
          `${f.outcomes.duplicate + f.outcomes.ignored + f.outcomes.other ? `, duplicate ${f.outcomes.duplicate}, ignored ${f.outcomes.ignored}, other ${f.outcomes.other}` : ''}${errors ? `; errors ${errors}` : ''}` +
          `${f.fellBehind ? `; fell behind: stopped after ${f.count} sent (over ${level.rate! / 2} due and unanswered)` : ''}\n`,
      );
    }

    // Every forwarded webhook must be a falResult signal in its workflow's history (signals that came
    // in while a workflow task ran are buffered by the server and written when it completes: a few seconds).
    const signalledCount = async () => {
      let n = 0;
      for (const h of handles) {
        const history = await h.fetchHistory();
        n += (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === falResultSignal.name).length;
      }
      return n;
    };
    let signalled = await signalledCount();
    for (let tries = 0; signalled < forwarded && tries < 10; tries++) {
      await sleep(1000);
      signalled = await signalledCount();
    }
    process.stdout.write(`  falResult signals in the drafts' histories: ${signalled} of ${forwarded} forwarded${signalled === forwarded ? '' : '  MISMATCH'}\n`);

    // The drafts end as a user's cancel ends them (what is still running then is terminated below).
    await Promise.all(
      handles.map(async (h) => {
        await h.signal(cancelAvatarSignal, { reason: 'user' });
        await Promise.race([h.result().catch(() => undefined), sleep(30_000, undefined, { ref: false })]);
      }),
    );
  } finally {
    // An ended workflow refuses termination: only drafts left running (a failed run) are terminated.
    await Promise.all(handles.map((h) => h.terminate('bench over').catch(() => undefined)));
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    for (let i = 0; i < requestIds.length; i += 5000) {
      const chunk = requestIds.slice(i, i + 5000);
      await deps.prisma.falRequest.deleteMany({ where: { requestId: { in: chunk } } });
      await redis.unlink(...chunk.map((id) => `${CLAIM_PREFIX}${id}`));
    }
    redis.disconnect();
    logSink.end();
    rmSync(dir, { recursive: true, force: true });
    await stack.stop();
  }
}

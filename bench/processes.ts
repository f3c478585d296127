// The benches that judge our own cost run each side in its own process, so a
// figure of one is not the CPU of another: the stand-ins (`npm run sandbox`)
// in one child, the real worker (`npm run worker`, workers/main.ts) in
// another, and the bench (clients, timing) in this one. CPU per process is read
// from /proc/<pid>/stat (bench/worker-probes.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { loadBenchServiceUrls, loadMinioConfig, loadTemporalConfig } from '../lib/config';
import { ProcessGroup, READY_LINE, type AppProcess } from '../sandbox/processes';
import { cleanupScheduleId } from '../workers/cleanup-schedule';
import { freeLoopbackPort } from '../workers/metrics-server';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The variables every app process of a bench gets: the local services, the stand-ins, a private task queue. */
export function benchServiceEnv(standIns: Record<string, string>, taskQueue: string): Record<string, string> {
  const urls = loadBenchServiceUrls();
  const minio = loadMinioConfig();
  const temporal = loadTemporalConfig();
  return {
    ...(process.env as Record<string, string>),
    ...standIns,
    DATABASE_URL: urls.databaseUrl,
    REDIS_URL: urls.redisUrl,
    MINIO_ENDPOINT: minio.endPoint,
    MINIO_PORT: String(minio.port),
    MINIO_ACCESS_KEY: minio.accessKey,
    MINIO_SECRET_KEY: minio.secretKey,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info', // as in production; its ready line is an info line
  };
}

export interface StandInsProcess {
  pid: number;
  /** TELEGRAM_API_ROOT, FAL_*, OPENAI_* pointing at this process. */
  env: Record<string, string>;
  urls: { telegram: string; fal: string; openai: string };
  knobs(standIn: 'telegram' | 'fal' | 'openai', patch: Record<string, unknown>): Promise<void>;
  /** A Telegram user the bot may write to (the user says /start; no bot reads it). */
  user(telegramId: number): Promise<void>;
  /** The user sends an audio file; resolves with its Telegram file ids. */
  sendAudio(telegramId: number, data: Buffer, name: string): Promise<{ fileId: string; fileUniqueId: string }>;
  stop(): Promise<void>;
}

async function post(url: string, body: unknown, type = 'application/json'): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body: Buffer.isBuffer(body) ? body : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** `npm run sandbox` (all three stand-ins) as a child process on free ports. */
export async function startStandInsProcess(): Promise<StandInsProcess> {
  const ports = { telegram: await freeLoopbackPort(), fal: await freeLoopbackPort(), openai: await freeLoopbackPort() };
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'sandbox/main.ts', '--telegram-port', String(ports.telegram), '--fal-port', String(ports.fal), '--openai-port', String(ports.openai)],
    { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => lines.push(...d.toString('utf8').split('\n')));
  const deadline = Date.now() + 60_000;
  while (!lines.some((l) => l.startsWith('Knobs:'))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`stand-ins did not start:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const env = Object.fromEntries(lines.map((l) => /^ {2}([A-Z][A-Z0-9_]*)=(.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]));
  const urls = { telegram: `http://127.0.0.1:${ports.telegram}`, fal: `http://127.0.0.1:${ports.fal}`, openai: `http://127.0.0.1:${ports.openai}` };
  return {
    pid: child.pid!,
    env,
    urls,
    knobs: async (standIn, patch) => void (await post(`${urls[standIn]}/sandbox/knobs`, patch)),
    user: async (telegramId) => void (await post(`${urls.telegram}/sandbox/users/${telegramId}/messages`, { text: '/start', language_code: 'en' })),
    async sendAudio(telegramId, data, name) {
      const update = (await post(`${urls.telegram}/sandbox/users/${telegramId}/media?kind=audio&name=${encodeURIComponent(name)}`, data, 'application/octet-stream')) as {
        message: { audio: { file_id: string; file_unique_id: string } };
      };
      return { fileId: update.message.audio.file_id, fileUniqueId: update.message.audio.file_unique_id };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface WorkerProcess {
  proc: AppProcess;
  pid: number;
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

/** The real worker entry point (every task queue) on a private queue, in its own process. */
export async function startWorkerProcess(name: string, standIns: StandInsProcess, extra: Record<string, string> = {}): Promise<WorkerProcess> {
  const taskQueue = `aisha-bench-${name}-${Math.random().toString(16).slice(2, 10)}`;
  const logDir = join(tmpdir(), 'aisha-bench-logs', taskQueue);
  const group = new ProcessGroup({ env: benchServiceEnv(standIns.env, taskQueue), readyTimeoutMs: 180_000, logDir });
  process.stdout.write(`  (worker log: ${logDir}/worker.log)\n`);
  const proc = await group.start('worker', 'workers/main.ts', extra, READY_LINE.worker).catch(async (err: unknown) => {
    await group.stopAll('SIGKILL');
    throw err;
  });
  const connection = await Connection.connect({ address: loadTemporalConfig().address });
  const client = new Client({ connection, namespace: loadTemporalConfig().namespace });
  return {
    proc,
    pid: proc.child.pid!,
    client,
    taskQueue,
    async stop() {
      await group.stopAll('SIGTERM');
      // The worker made a cleanup Schedule for its private queue; it goes with the queue.
      await client.schedule.getHandle(cleanupScheduleId(taskQueue)).delete().catch(() => undefined);
      await connection.close();
    },
  };
}

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freeLoopbackPort } from '../../workers/metrics-server';
import { eventually } from '../helpers/stack';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm run demo` as a person runs it in a terminal: Ctrl-C sends SIGINT to the
 * whole foreground process group. The demo stops; the local services it
 * started (MinIO, Temporal and its Web UI) keep running, as its banner says.
 * The demo gets a private MinIO and Temporal (own data folder and ports), so
 * what it starts is really its own; PostgreSQL and Redis are the suite's.
 */
describe('the demo process', () => {
  const output: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'aisha-demo-'));
  let env: NodeJS.ProcessEnv;
  let demo: ChildProcess;
  let exited: Promise<number | null>;

  beforeAll(async () => {
    const suite = inject('env');
    const ports = await Promise.all(Array.from({ length: 8 }, () => freeLoopbackPort()));
    const [minio, minioConsole, temporal, temporalUi, http, tg, fal, openai] = ports.map(String);
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AISHA_DATA_DIR: dataDir,
      PG_PORT: new URL(suite.DATABASE_URL!).port,
      REDIS_PORT: new URL(suite.REDIS_URL!).port,
      DATABASE_URL: suite.DATABASE_URL,
      REDIS_URL: suite.REDIS_URL,
      MINIO_PORT: minio,
      MINIO_CONSOLE_PORT: minioConsole,
      TEMPORAL_PORT: temporal,
      TEMPORAL_UI_PORT: temporalUi,
      HTTP_PORT: http,
      SANDBOX_TELEGRAM_PORT: tg,
      SANDBOX_FAL_PORT: fal,
      SANDBOX_OPENAI_PORT: openai,
    };
    // detached: the demo leads its own process group, as a shell's foreground job does.
    demo = spawn('bash', ['scripts/demo.sh'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((resolve) => demo.once('exit', (code) => resolve(code)));
    for (const stream of [demo.stdout!, demo.stderr!]) stream.on('data', (d: Buffer) => output.push(...d.toString('utf8').split('\n')));
    await eventually(() => output.some((l) => l.includes('Web chat (talk to the bot):')), { timeoutMs: 170_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.slice(-30).join('\n')}`);
    });
  }, 180_000);

  afterAll(() => {
    if (demo?.pid && demo.exitCode === null) process.kill(-demo.pid, 'SIGKILL');
    execFileSync('bash', ['scripts/services.sh', 'stop'], { cwd: root, env, stdio: 'ignore' });
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('prints the chat URL last, with no connection errors on a normal start', () => {
    const text = output.join('\n');
    expect(text).toContain(`http://127.0.0.1:${env.SANDBOX_TELEGRAM_PORT}/chat`);
    expect(text).not.toMatch(/curl: \(\d+\)/);
    expect(text).not.toContain('\u001b['); // colour only on a terminal
    // Nothing after the banner: the worker and the bot log to files.
    const banner = output.findIndex((l) => l.includes('Web chat (talk to the bot):'));
    expect(output.slice(banner + 1).filter((l) => l.trim() && !l.startsWith(' ') && !l.startsWith('Press Ctrl-C'))).toEqual([]);
  });

  it('stops on Ctrl-C (SIGINT to its process group) and leaves MinIO, Temporal and its Web UI answering', async () => {
    process.kill(-demo.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(output.join('\n')).toContain('Demo stopped.');

    expect((await fetch(`http://127.0.0.1:${env.MINIO_PORT}/minio/health/live`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    const connection = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_PORT}` });
    try {
      const health = await connection.healthService.check({});
      expect(health.status).toBe(1); // SERVING
    } finally {
      await connection.close();
    }
  });
});

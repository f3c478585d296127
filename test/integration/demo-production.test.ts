import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freeLoopbackPort } from '../../workers/metrics-server';
import { uniqueSuffix, uniqueTelegramId } from '../helpers/config';
import { eventually } from '../helpers/stack';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm run demo -- --production` as a person runs it: nginx, two workers and two
 * bots in webhook mode behind it. On the suite's services (whichever Temporal
 * runs: AISHA_DEMO_SERVICES_START=plain), every port of its own.
 */
describe('the demo process, --production', () => {
  const output: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'aisha-demo-prod-'));
  const ports: Record<string, string> = {};
  let demo: ChildProcess;
  let exited: Promise<number | null>;

  beforeAll(async () => {
    const suite = inject('env');
    const names = ['tg', 'fal', 'openai', 'public', 'internal', 'bot1', 'bot2', 'm1', 'm2'];
    for (const n of names) ports[n] = String(await freeLoopbackPort());
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...suite,
      AISHA_DATA_DIR: dataDir,
      AISHA_DEMO_SERVICES_START: 'plain',
      PG_PORT: new URL(suite.DATABASE_URL!).port,
      REDIS_PORT: new URL(suite.REDIS_URL!).port,
      TEMPORAL_TASK_QUEUE: `aisha-dp${uniqueSuffix()}`,
      SANDBOX_TELEGRAM_PORT: ports.tg,
      SANDBOX_FAL_PORT: ports.fal,
      SANDBOX_OPENAI_PORT: ports.openai,
      AISHA_NGINX_PUBLIC_PORT: ports.public,
      AISHA_NGINX_INTERNAL_PORT: ports.internal,
      AISHA_DEMO_BOT_PORTS: `${ports.bot1},${ports.bot2}`,
      AISHA_DEMO_WORKER_METRICS_PORTS: `${ports.m1},${ports.m2}`,
    };
    // detached: the demo leads its own process group, as a shell's foreground job does.
    demo = spawn('bash', ['scripts/demo.sh', '--production'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((resolve) => demo.once('exit', (code) => resolve(code)));
    for (const stream of [demo.stdout!, demo.stderr!]) stream.on('data', (d: Buffer) => output.push(...d.toString('utf8').split('\n')));
    await eventually(() => output.some((l) => l.includes('Press Ctrl-C')), { timeoutMs: 170_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.slice(-30).join('\n')}`);
    });
  }, 180_000);

  afterAll(() => {
    if (demo?.pid && demo.exitCode === null) process.kill(-demo.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints both nginx listeners and every process\'s log; Telegram updates reach a bot through nginx', async () => {
    const text = output.join('\n');
    expect(text).toContain(`nginx public (webhooks only): http://127.0.0.1:${ports.public}/webhooks/telegram`);
    expect(text).toContain(`nginx internal (loopback):    http://127.0.0.1:${ports.internal}/bot1/metrics`);
    for (const log of ['demo-bot1.log', 'demo-bot2.log', 'demo-worker1.log', 'demo-worker2.log', 'nginx-access.log']) expect(text).toContain(log);

    const id = uniqueTelegramId();
    const chat = `http://127.0.0.1:${ports.tg}/sandbox`;
    await fetch(`${chat}/users/${id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '/help' }) });
    await eventually(async () => {
      const { messages } = (await (await fetch(`${chat}/chats/${id}/messages`)).json()) as { messages: { from_bot: boolean; text?: string }[] };
      return messages.some((m) => m.from_bot && m.text?.includes('Что я умею'));
    });
    // nginx logs a request once the bot's answer is relayed, which can be after the bot's reply reached the chat.
    await eventually(() =>
      /"POST \/webhooks\/telegram HTTP\/1\.1" 200 .*upstream=127\.0\.0\.1:\d+/.test(readFileSync(join(dataDir, 'logs', 'nginx-access.log'), 'utf8')),
    );

    expect((await fetch(`http://127.0.0.1:${ports.public}/metrics`)).status).toBe(404);
    for (const path of ['/bot1/readyz', '/bot2/readyz', '/worker1/metrics', '/worker2/metrics']) {
      expect((await fetch(`http://127.0.0.1:${ports.internal}${path}`)).status, path).toBe(200);
    }
  });

  it('stops on Ctrl-C: bots, workers and nginx', async () => {
    const nginxPid = Number(readFileSync(join(dataDir, 'run', 'nginx', 'nginx.pid'), 'utf8'));
    process.kill(-demo.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(output.join('\n')).toContain('Demo stopped.');
    await eventually(() => {
      try {
        process.kill(nginxPid, 0);
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 10_000 });
    expect(await fetch(`http://127.0.0.1:${ports.public}/`).then(() => 'answered', () => 'refused')).toBe('refused');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../sandbox';
import { freeLoopbackPort } from '../../workers/metrics-server';
import { uniqueTelegramId } from '../helpers/config';
import { eventually } from '../helpers/stack';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'bot-process-webhook-secret_42';

/**
 * `npm run bot` as production runs it: its own process, webhook mode with a
 * secret token (the Telegram stand-in pushes updates to it), health and
 * readiness on its HTTP server, and a clean exit on SIGTERM.
 */
describe('the bot process in webhook mode', () => {
  const output: string[] = [];
  let sandboxes: RunningSandboxes;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let base: string;

  beforeAll(async () => {
    sandboxes = await startSandboxes(['telegram'], { ports: { telegram: 0 } });
    const port = await freeLoopbackPort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...inject('env'),
        ...sandboxes.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        BOT_MODE: 'webhook',
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        PUBLIC_BASE_URL: base,
        HTTP_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (d: Buffer) => output.push(...d.toString('utf8').split('\n').filter(Boolean)));
    await eventually(() => output.some((l) => l.includes('"msg":"webhook set"')), { timeoutMs: 60_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.slice(-20).join('\n')}`);
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await sandboxes?.stop();
  });

  it('registers its webhook with the secret and answers updates Telegram pushes', async () => {
    expect(sandboxes.telegram!.world.webhook).toEqual({ url: `${base}/webhooks/telegram`, secretToken: SECRET, maxConnections: 40 });
    const id = uniqueTelegramId();
    sandboxes.telegram!.sendText(id, '/help');
    await eventually(() => sandboxes.telegram!.world.botMessages(id).some((m) => m.text?.includes('Что я умею')));
    const forged = await fetch(`${base}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'nope' }, body: '{}' });
    expect(forged.status).toBe(401);
  });

  it('is live and ready: PostgreSQL, Redis, MinIO and Temporal answer', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { ok: boolean; failing: string[]; checks: Record<string, { ok: boolean }> };
    expect(body).toMatchObject({ ok: true, failing: [] });
    expect(Object.keys(body.checks).toSorted()).toEqual(['minio', 'postgres', 'redis', 'temporal']);
  });

  it('stops gracefully on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.some((l) => l.includes('"msg":"shutting down"'))).toBe(true);
  });
});

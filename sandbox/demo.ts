// The demo launcher (`npm run demo` → scripts/demo.sh → here). Starts a
// stand-in for each service whose key is missing (Telegram, FAL, OpenAI),
// then the worker and the bot wired to them, waits until the bot answers,
// prints where to look, and stops what it started on Ctrl-C. The worker's and
// the bot's logs go to files, so the first screen stays readable.
// With --production (`npm run demo -- --production`), the production shape:
// nginx in front (sandbox/nginx.ts), two workers and two bots in webhook mode
// whose PUBLIC_BASE_URL is nginx's public listener, so Telegram's updates and
// FAL's webhooks reach them through it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentWith, loadDemoSettings } from '../lib/config';
import { startSandboxes, type SandboxName } from './index';
import { startNginx, type RunningNginx } from './nginx';
import { APP_PROCESS_ENV } from './processes';

const production = process.argv.includes('--production');
const settings = loadDemoSettings();
const wanted = (Object.keys(settings.sandboxes) as SandboxName[]).filter((n) => settings.sandboxes[n]);
const sandboxes = await startSandboxes(wanted, { telegramToken: settings.telegramToken, ports: settings.sandboxPorts });
const env = environmentWith(sandboxes.env);
const children: ChildProcess[] = [];
let nginx: RunningNginx | undefined;
mkdirSync(settings.logDir, { recursive: true });
const logFile = (name: string) => join(settings.logDir, `demo-${name}.log`);
const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

let stopping = false;
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
  await nginx?.stop();
  await sandboxes.stop();
  process.stdout.write('Demo stopped. The local services keep running (npm run services -- stop).\n');
  process.exit(code);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

function lastLines(path: string, n: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

function run(name: string, script: string, extra: Record<string, string> = {}): void {
  const out = openSync(logFile(name), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', out, out], env: { ...APP_PROCESS_ENV, ...env, ...extra } });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`[demo] ${name} exited (${signal ?? code}); its last log lines (${shown(logFile(name))}):\n${lastLines(logFile(name), 20)}\n[demo] stopping the demo\n`);
    void stop(1);
  });
  children.push(child);
}

async function waitUntilAnswers(url: string, name: string): Promise<void> {
  for (let i = 0; !stopping; i++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    if (i === 240) process.stderr.write(`[demo] ${name} has not answered ${url} after 60 s; see ${shown(logFile(name))}\n`);
    await sleep(250);
  }
}

const lines = ['', 'Aisha is running.'];
if (sandboxes.telegram) lines.push(`  Web chat (talk to the bot):  ${sandboxes.telegram.apiRoot}/chat`);
else lines.push('  Telegram: the real Bot API: open your bot in Telegram and send /start.');
lines.push(`  Temporal Web UI:             ${settings.temporalUiUrl}`);

if (!production) {
  run('worker', 'workers/main.ts');
  run('bot', 'bot/main.ts');
  // The banner comes once the bot answers, so it is the last thing on the screen.
  process.stdout.write('Starting the worker and the bot…\n');
  await waitUntilAnswers(`http://127.0.0.1:${settings.httpPort}/healthz`, 'bot');
  lines.push(`  Bot HTTP server:             http://127.0.0.1:${settings.httpPort}/healthz`);
} else {
  const p = settings.production;
  nginx = await startNginx({
    prefix: join(settings.runDir, 'nginx'),
    logDir: settings.logDir,
    publicPort: p.publicPort,
    internalPort: p.internalPort,
    bots: [`127.0.0.1:${p.botPorts[0]}`, `127.0.0.1:${p.botPorts[1]}`],
    workerMetrics: [`127.0.0.1:${p.workerMetricsPorts[0]}`, `127.0.0.1:${p.workerMetricsPorts[1]}`],
  });
  // Behind a real Telegram the public URL must be HTTPS and reachable from it: PUBLIC_BASE_URL then.
  const publicBaseUrl = sandboxes.telegram || !process.env.PUBLIC_BASE_URL ? nginx.publicUrl : process.env.PUBLIC_BASE_URL;
  const webhook = { BOT_MODE: 'webhook', PUBLIC_BASE_URL: publicBaseUrl, TELEGRAM_WEBHOOK_SECRET: process.env.TELEGRAM_WEBHOOK_SECRET || randomBytes(24).toString('hex') };
  p.workerMetricsPorts.forEach((port, i) => run(`worker${i + 1}`, 'workers/main.ts', { METRICS_PORT: String(port) }));
  p.botPorts.forEach((port, i) => run(`bot${i + 1}`, 'bot/main.ts', { ...webhook, HTTP_PORT: String(port) }));
  process.stdout.write('Starting nginx, two workers and two bots…\n');
  for (const [i, port] of p.botPorts.entries()) await waitUntilAnswers(`http://127.0.0.1:${port}/healthz`, `bot${i + 1}`);
  // A worker serves /metrics once its workers are created (after bundling the workflows).
  for (const [i, port] of p.workerMetricsPorts.entries()) await waitUntilAnswers(`http://127.0.0.1:${port}/metrics`, `worker${i + 1}`);
  lines.push(
    `  nginx public (webhooks only): ${nginx.publicUrl}/webhooks/telegram, ${nginx.publicUrl}/webhooks/fal/…`,
    `  nginx internal (loopback):    ${nginx.internalUrl}/bot1/metrics /bot1/readyz /bot2/metrics /bot2/readyz /worker1/metrics /worker2/metrics`,
    `  Bots (webhook mode):          http://127.0.0.1:${p.botPorts[0]}, http://127.0.0.1:${p.botPorts[1]}`,
    `  nginx logs:                   ${shown(nginx.accessLog)}, ${shown(nginx.errorLog)}`,
  );
}
if (sandboxes.fal) lines.push(`  FAL stand-in:                ${sandboxes.fal.url}`);
if (sandboxes.openai) lines.push(`  OpenAI stand-in:             ${sandboxes.openai.baseUrl}`);
const logs = production ? ['bot1', 'bot2', 'worker1', 'worker2'] : ['bot', 'worker'];
lines.push(
  `  Logs:                        ${logs.map((n) => shown(logFile(n))).join(', ')} (tail -f to follow)`,
  'Press Ctrl-C to stop the demo (the local services keep running: npm run services -- stop).',
  '',
);
if (!stopping) process.stdout.write(lines.join('\n'));

// The demo launcher (`npm run demo` → scripts/demo.sh → here). Starts a
// stand-in for each service whose key is missing (Telegram, FAL, OpenAI),
// then the worker and the bot wired to them, waits until the bot answers,
// prints where to look, and stops what it started on Ctrl-C. The worker's and
// the bot's logs go to files, so the first screen stays readable.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentWith, loadDemoSettings } from '../lib/config';
import { startSandboxes, type SandboxName } from './index';

const settings = loadDemoSettings();
const wanted = (Object.keys(settings.sandboxes) as SandboxName[]).filter((n) => settings.sandboxes[n]);
const sandboxes = await startSandboxes(wanted, { telegramToken: settings.telegramToken, ports: settings.sandboxPorts });
const env = environmentWith(sandboxes.env);
const children: ChildProcess[] = [];
mkdirSync(settings.logDir, { recursive: true });
const logFile = (name: string) => join(settings.logDir, `demo-${name}.log`);
const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

let stopping = false;
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
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

function run(name: string, script: string): void {
  const out = openSync(logFile(name), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', out, out], env });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`[demo] ${name} exited (${signal ?? code}); its last log lines (${shown(logFile(name))}):\n${lastLines(logFile(name), 20)}\n[demo] stopping the demo\n`);
    void stop(1);
  });
  children.push(child);
}

run('worker', 'workers/main.ts');
run('bot', 'bot/main.ts');

// The banner comes once the bot answers, so it is the last thing on the screen.
const health = `http://127.0.0.1:${settings.httpPort}/healthz`;
process.stdout.write('Starting the worker and the bot…\n');
for (let i = 0; !stopping; i++) {
  const ok = await fetch(health).then((r) => r.ok, () => false);
  if (ok) break;
  if (i === 240) process.stderr.write(`[demo] the bot has not answered ${health} after 60 s; see ${shown(logFile('bot'))}\n`);
  await sleep(250);
}

const lines = ['', 'Aisha is running.'];
if (sandboxes.telegram) lines.push(`  Web chat (talk to the bot):  ${sandboxes.telegram.apiRoot}/chat`);
else lines.push('  Telegram: the real Bot API: open your bot in Telegram and send /start.');
lines.push(
  `  Temporal Web UI:             ${settings.temporalUiUrl}`,
  `  Bot HTTP server:             http://127.0.0.1:${settings.httpPort}/healthz`,
);
if (sandboxes.fal) lines.push(`  FAL stand-in:                ${sandboxes.fal.url}`);
if (sandboxes.openai) lines.push(`  OpenAI stand-in:             ${sandboxes.openai.baseUrl}`);
lines.push(
  `  Logs:                        ${shown(logFile('bot'))}, ${shown(logFile('worker'))} (tail -f to follow)`,
  'Press Ctrl-C to stop the demo (the local services keep running: npm run services -- stop).',
  '',
);
if (!stopping) process.stdout.write(lines.join('\n'));

// The demo launcher (`npm run demo` → scripts/demo.sh → here). Starts a
// stand-in for each service whose key is missing (Telegram, FAL, OpenAI),
// then the worker and the bot wired to them, prints where to look, and stops
// everything on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { environmentWith, loadDemoSettings } from '../lib/config';
import { startSandboxes, type SandboxName } from './index';

const settings = loadDemoSettings();
const wanted = (Object.keys(settings.sandboxes) as SandboxName[]).filter((n) => settings.sandboxes[n]);
const sandboxes = await startSandboxes(wanted, { telegramToken: settings.telegramToken });
const env = environmentWith(sandboxes.env);
const children: ChildProcess[] = [];

let stopping = false;
async function stop(code = 0): Promise<void> {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await sandboxes.stop();
  process.exit(code);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

function run(name: string, script: string): void {
  const child = spawn('npx', ['tsx', script], { stdio: ['ignore', 'inherit', 'inherit'], env });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`[demo] ${name} exited (${signal ?? code}); stopping the demo\n`);
    void stop(1);
  });
  children.push(child);
}

run('worker', 'workers/main.ts');
run('bot', 'bot/main.ts');

const lines = ['', 'Aisha is running.'];
if (sandboxes.telegram) lines.push(`  Web chat (talk to the bot):  ${sandboxes.telegram.apiRoot}/chat`);
else lines.push('  Telegram: the real Bot API: open your bot in Telegram and send /start.');
lines.push(
  `  Temporal Web UI:             ${settings.temporalUiUrl}`,
  `  Bot HTTP server:             http://127.0.0.1:${settings.httpPort}/healthz`,
);
if (sandboxes.fal) lines.push(`  FAL stand-in:                ${sandboxes.fal.url}`);
if (sandboxes.openai) lines.push(`  OpenAI stand-in:             ${sandboxes.openai.baseUrl}`);
lines.push('Press Ctrl-C to stop (the local services keep running: npm run services -- stop).', '');
process.stdout.write(lines.join('\n'));

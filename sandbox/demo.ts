// The demo launcher (`npm run demo` → scripts/demo.sh → here). Starts the
// sandbox stand-ins when the demo runs keyless, then the worker and the bot
// as child processes, prints where to look, and stops everything on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { loadDemoSettings } from '../lib/config';
import { TelegramSandbox } from './telegram/server';

const settings = loadDemoSettings();
const children: ChildProcess[] = [];
let telegram: TelegramSandbox | undefined;

if (settings.sandbox) {
  telegram = await new TelegramSandbox({ token: settings.telegramToken, port: settings.sandboxTelegramPort }).start();
}

function run(name: string, script: string): ChildProcess {
  const child = spawn('npx', ['tsx', script], { stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`[demo] ${name} exited (${signal ?? code}); stopping the demo\n`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stop(code = 0): Promise<void> {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await telegram?.stop();
  process.exit(code);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

run('worker', 'workers/main.ts');
run('bot', 'bot/main.ts');

const lines = [
  '',
  'Aisha is running.',
  `  Temporal Web UI:   ${settings.temporalUiUrl}`,
  `  Bot HTTP server:   http://127.0.0.1:${settings.httpPort}/healthz`,
];
if (telegram) {
  lines.push(
    `  Telegram sandbox:  ${telegram.apiRoot}`,
    '  Talk to the bot as user 1:',
    `    curl -s -XPOST ${telegram.apiRoot}/sandbox/users/1/messages -H 'content-type: application/json' -d '{"text":"/start"}'`,
    `    curl -s ${telegram.apiRoot}/sandbox/chats/1/messages`,
  );
} else {
  lines.push('  Using the real Telegram Bot API: open your bot in Telegram and send /start.');
}
lines.push('Press Ctrl-C to stop (the local services keep running: npm run services -- stop).', '');
process.stdout.write(lines.join('\n'));

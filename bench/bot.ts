// P7, the bot under load as users see it: the real bot process (bot/main.ts)
// in polling and in webhook mode, with the real worker (workers/main.ts),
// against the Telegram stand-in in this process. 200 users send a command at
// once: /balance from known users, /start from users the bot has never seen
// (each one onboarded: a user row and the welcome grant), and /start again
// from the same users. Then one chat whose Telegram calls take 5 s sends one,
// and 50 others send theirs right after. Latency is from the user's message
// to the bot's answer appearing in the chat.
import { randomBytes } from 'node:crypto';
import { loadBenchServiceUrls } from '../lib/config';
import { upsertUser } from '../lib/db/users';
import { createPrisma } from '../lib/prisma';
import { startSandboxes } from '../sandbox';
import { ProcessGroup, READY_LINE } from '../sandbox/processes';
import type { TelegramSandbox } from '../sandbox/telegram/server';
import { freeLoopbackPort } from '../workers/metrics-server';
import { benchServiceEnv } from './processes';
import { goalRow, percentile } from './stats';
import { cpuMs, servicePid, treeCpuMs } from './worker-probes';

const BURST = 200;
const OTHERS = 50;
const SLOW_MS = 5000;

/** Sends `text` from every user at once; resolves with each user's wait for the bot's next message, in ms. */
async function answerTimes(tg: TelegramSandbox, users: number[], text: string, timeoutMs = 60_000): Promise<number[]> {
  const before = new Map(users.map((u) => [u, tg.world.botMessages(u).length]));
  const sent = new Map<number, number>();
  for (const u of users) {
    tg.sendText(u, text);
    sent.set(u, performance.now());
  }
  const waits = new Map<number, number>();
  const deadline = performance.now() + timeoutMs;
  let seen = -1;
  while (waits.size < users.length && performance.now() < deadline) {
    // Look again only when the chats changed: scanning every chat every 2 ms would take the CPU the bot is measured on.
    if (tg.world.version !== seen) {
      seen = tg.world.version;
      for (const u of users) {
        if (!waits.has(u) && tg.world.botMessages(u).length > before.get(u)!) waits.set(u, performance.now() - sent.get(u)!);
      }
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  if (waits.size < users.length) throw new Error(`${users.length - waits.size} of ${users.length} users got no answer within ${timeoutMs / 1000} s`);
  return [...waits.values()];
}

export async function botBench(): Promise<void> {
  const urls = loadBenchServiceUrls();
  const run = randomBytes(3).toString('hex');
  const sandboxes = await startSandboxes(['telegram'], { ports: { telegram: 0 } });
  const tg = sandboxes.telegram!;
  const prisma = createPrisma(urls.databaseUrl);
  const base = 7_200_000_000 + (Number.parseInt(run, 16) % 100_000) * 1000;
  const users = Array.from({ length: BURST + 1 + OTHERS }, (_, i) => base + i);
  for (const id of users) {
    tg.world.user(id);
    await upsertUser(prisma, { telegramId: id });
  }
  // Users the bot has never seen, a new set per mode: their /start onboards them.
  const newcomers = (mode: number) => Array.from({ length: BURST }, (_, i) => base + 500 + mode * BURST + i);
  for (const id of [...newcomers(0), ...newcomers(1)]) tg.world.user(id);
  const [burst, slow, others] = [users.slice(0, BURST), users[BURST]!, users.slice(BURST + 1)];
  const secret = randomBytes(24).toString('hex');
  const env = { ...benchServiceEnv(sandboxes.env, `aisha-bench-bot-${run}`), LOG_LEVEL: 'info' };

  try {
    for (const [m, mode] of (['polling', 'webhook'] as const).entries()) {
      const port = await freeLoopbackPort();
      const procs = new ProcessGroup({ env, readyTimeoutMs: 120_000 });
      const worker = await procs.start('worker', 'workers/main.ts', {}, READY_LINE.worker);
      const modeEnv: Record<string, string> = mode === 'webhook' ? { BOT_MODE: 'webhook', PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, TELEGRAM_WEBHOOK_SECRET: secret } : { BOT_MODE: 'polling' };
      const bot = await procs.start('bot', 'bot/main.ts', { ...modeEnv, HTTP_PORT: String(port) }, mode === 'webhook' ? READY_LINE.bot : 'long polling started');
      try {
        await answerTimes(tg, burst.slice(0, 10), '/balance'); // warm: connections, prepared statements
        const cpuBefore = await cpuMs(bot.child.pid!);
        const all = await answerTimes(tg, burst, '/balance');
        const cpuPerAnswer = ((await cpuMs(bot.child.pid!)) - cpuBefore) / BURST;
        process.stdout.write(
          goalRow(
            `P7 ${mode}: ${BURST} users' /balance at once`,
            `p99 ${percentile(all, 99).toFixed(0)} ms (p50 ${percentile(all, 50).toFixed(0)}; bot CPU ${cpuPerAnswer.toFixed(1)} ms per answer)`,
            'p99 ≤ 300 ms',
            percentile(all, 99) <= 300,
          ),
        );
        for (const [label, who] of [
          ['new users', newcomers(m)],
          ['the same users again', newcomers(m)],
        ] as const) {
          const pids = { bot: bot.child.pid!, worker: worker.child.pid!, 'Temporal server': await servicePid('temporal'), PostgreSQL: await servicePid('postgres') };
          const cpu = async () => Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([k, pid]) => [k, pid ? await treeCpuMs(pid) : NaN])));
          const cpuStart = await cpu();
          const greeted = await answerTimes(tg, [...who], '/start');
          const cpuEnd = await cpu();
          const perGreeting = Object.entries(pids)
            .filter(([, pid]) => pid)
            .map(([k]) => `${k} ${((cpuEnd[k] - cpuStart[k]) / BURST).toFixed(1)}`)
            .join(', ');
          process.stdout.write(
            goalRow(
              `P7 ${mode}: ${BURST} /start at once, ${label}`,
              `p99 ${percentile(greeted, 99).toFixed(0)} ms (p50 ${percentile(greeted, 50).toFixed(0)}; CPU ms per greeting: ${perGreeting})`,
              'p99 ≤ 300 ms',
              percentile(greeted, 99) <= 300,
            ),
          );
        }
        const alone = await answerTimes(tg, others, '/balance');
        tg.knobs.slowChats = { [slow]: SLOW_MS };
        tg.sendText(slow, '/balance');
        await new Promise((r) => setTimeout(r, 100));
        const behind = await answerTimes(tg, others, '/balance');
        tg.knobs.slowChats = {};
        const delay = percentile(behind, 50) - percentile(alone, 50);
        process.stdout.write(
          goalRow(
            `P7 ${mode}: ${OTHERS} users behind one ${SLOW_MS / 1000} s chat`,
            `p99 ${percentile(behind, 99).toFixed(0)} ms, p50 +${Math.max(0, delay).toFixed(0)} ms over the same users alone (p50 ${percentile(alone, 50).toFixed(0)})`,
            'p99 ≤ 300 ms, not delayed',
            percentile(behind, 99) <= 300,
          ),
        );
      } finally {
        await procs.stopAll('SIGTERM');
      }
    }
  } finally {
    await sandboxes.stop();
    await prisma.$disconnect();
  }
}

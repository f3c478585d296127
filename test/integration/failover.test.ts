import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getBalance, ledgerSum } from '../../lib/db/ledger';
import { createMinio, ensureBuckets } from '../../lib/minio';
import { createPrisma } from '../../lib/prisma';
import { startSandboxes, type RunningSandboxes } from '../../sandbox';
import { startNginx, type RunningNginx } from '../../sandbox/nginx';
import { pendingActivityWorkers, ProcessGroup, READY_LINE } from '../../sandbox/processes';
import { workflowIds } from '../../vocabulary/ids';
import { freeLoopbackPort } from '../../workers/metrics-server';
import { TEST_BOT_TOKEN, testConfig, uniqueSuffix, uniqueTelegramId } from '../helpers/config';
import { photo } from '../helpers/images';
import { makeSpeechAudio } from '../helpers/speech-audio';
import { buttonData, eventually } from '../helpers/stack';

const SECRET = 'failover-webhook-secret_0123456789';

/**
 * The production shape (README, "The production shape on this machine"): nginx
 * in front of two bots in webhook mode, two workers, every process its own.
 * One bot and one worker die (`kill -9`) while an avatar training, an image
 * generation and a 10-minute transcription are in flight: all three finish,
 * each is delivered once and charged once, Telegram's updates and FAL's
 * webhooks keep arriving through nginx at the surviving bot.
 */
describe('failover: nginx, two bots, two workers; a bot and a worker killed mid-flight', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisha-failover-'));
  const env = inject('env');
  const prisma = createPrisma(env.DATABASE_URL!);
  let procs: ProcessGroup;
  let sandboxes: RunningSandboxes;
  let nginx: RunningNginx;
  let botPorts: number[];

  beforeAll(async () => {
    sandboxes = await startSandboxes(['telegram', 'fal', 'openai'], { ports: { telegram: 0, fal: 0, openai: 0 }, telegramToken: TEST_BOT_TOKEN });
    await ensureBuckets(createMinio(testConfig(sandboxes.env).minio));
    const [publicPort, internalPort, bot1, bot2, m1, m2] = await Promise.all(Array.from({ length: 6 }, () => freeLoopbackPort()));
    botPorts = [bot1!, bot2!];
    nginx = await startNginx({
      prefix: join(dir, 'nginx'),
      logDir: join(dir, 'logs'),
      publicPort: publicPort!,
      internalPort: internalPort!,
      bots: [`127.0.0.1:${bot1}`, `127.0.0.1:${bot2}`],
      workerMetrics: [`127.0.0.1:${m1}`, `127.0.0.1:${m2}`],
    });
    const common = {
      ...env,
      ...sandboxes.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      TEMPORAL_TASK_QUEUE: `aisha-fo${uniqueSuffix()}`,
      BOT_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      PUBLIC_BASE_URL: nginx.publicUrl,
      WELCOME_CREDITS: '400',
      // FAL's answer must come by webhook (through nginx), not by polling, within the test.
      FAL_POLL_INTERVAL_SECONDS: '600',
    };
    procs = new ProcessGroup({ env: common });
    await Promise.all([
      procs.start('worker1', 'workers/main.ts', { METRICS_PORT: String(m1) }, READY_LINE.worker),
      procs.start('worker2', 'workers/main.ts', { METRICS_PORT: String(m2) }, READY_LINE.worker),
      procs.start('bot1', 'bot/main.ts', { HTTP_PORT: String(bot1) }, READY_LINE.bot),
      procs.start('bot2', 'bot/main.ts', { HTTP_PORT: String(bot2) }, READY_LINE.bot),
    ]);
  }, 240_000);

  afterAll(async () => {
    await procs?.stopAll();
    await nginx?.stop();
    await sandboxes?.stop();
    await prisma.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const tg = () => sandboxes.telegram!;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';
  const find = (id: number, part: string) => msgs(id).find((m) => textOf(m).includes(part));
  const count = (id: number, part: string) => msgs(id).filter((m) => textOf(m).includes(part)).length;
  const userOf = (id: number) => eventually(() => prisma.user.findUnique({ where: { telegramId: BigInt(id) } }));
  const charges = async (id: number) => (await prisma.transaction.findMany({ where: { userId: (await userOf(id)).id, kind: 'CHARGE' } })).map((t) => [t.jobId, t.amount]);

  async function onboard(id: number) {
    tg().sendText(id, '/start');
    await eventually(() => find(id, 'Привет'), { timeoutMs: 60_000 });
  }

  it('the public listener serves only POST /webhooks/* and the upload page with its uploads; the internal one each instance\'s metrics and readiness', async () => {
    for (const path of ['/metrics', '/readyz', '/healthz', '/']) expect((await fetch(`${nginx.publicUrl}${path}`)).status, path).toBe(404);
    // the upload page and tus (bot/uploads.ts): the page for anyone, uploads only with Telegram's signed data
    expect((await fetch(`${nginx.publicUrl}/miniapp/upload`)).status).toBe(200);
    expect((await fetch(`${nginx.publicUrl}/uploads`)).status).toBe(403);
    expect((await fetch(`${nginx.publicUrl}/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } })).status).toBe(401);
    expect((await fetch(`${nginx.publicUrl}/webhooks/telegram`)).status).toBe(403);
    const forged = await fetch(`${nginx.publicUrl}/webhooks/telegram`, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': 'nope' }, body: '{}' });
    expect(forged.status).toBe(401);
    const tooBig = await fetch(`${nginx.publicUrl}/webhooks/telegram`, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': SECRET }, body: 'x'.repeat(300 * 1024) });
    expect(tooBig.status).toBe(413);
    for (const path of ['/bot1/readyz', '/bot2/readyz', '/bot1/metrics', '/bot2/metrics', '/worker1/metrics', '/worker2/metrics']) {
      expect((await fetch(`${nginx.internalUrl}${path}`)).status, path).toBe(200);
    }
    expect(tg().world.webhook?.url).toBe(`${nginx.publicUrl}/webhooks/telegram`);
  });

  it('kill -9 of a bot and a worker mid-flight: training, generation and transcription complete, each delivered and charged once', async () => {
    const fal = sandboxes.fal!;
    fal.knobs.trainingJobMs = 30_000;
    fal.knobs.imageJobMs = 20_000;
    sandboxes.openai!.knobs.latencyPerAudioSecondMs = 40; // a 10-minute recording: ~24 s in Whisper
    const audio = await makeSpeechAudio({ seconds: 600, dir, seed: 11 });
    const [trainer, painter, listener] = [uniqueTelegramId(), uniqueTelegramId(), uniqueTelegramId()];
    await Promise.all([onboard(trainer), onboard(painter), onboard(listener)]);

    // Avatar training: a draft, 10 photos, Start.
    tg().sendText(trainer, '/avatar');
    const list = await eventually(() => msgs(trainer).find((m) => m.text?.includes('аватар') && m.reply_markup));
    tg().pressButton(trainer, list.message_id, 'ac');
    const types = await eventually(() => msgs(trainer).find((m) => m.text?.startsWith('Какой аватар')));
    tg().pressButton(trainer, types.message_id, 'at:portrait');
    await eventually(() => find(trainer, 'Как назовём'));
    tg().sendText(trainer, 'Аня');
    await tg().users.sendAlbum(trainer, await Promise.all(Array.from({ length: 10 }, (_, i) => photo(7100 + i))));
    const status = () => msgs(trainer).find((m) => m.text?.includes('📸'));
    await eventually(() => status()?.text?.includes('принято 10'), { timeoutMs: 90_000 });
    const startButton = await eventually(() => status()?.reply_markup?.inline_keyboard.flat().find((b) => b.text.startsWith('🚀')) as { callback_data: string } | undefined);
    tg().pressButton(trainer, status()!.message_id, startButton.callback_data);

    // Image generation.
    tg().sendText(painter, '/imagen маяк на скале в шторм');
    const options = await eventually(() => msgs(painter).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data.startsWith('gg:'))));
    tg().pressButton(painter, options.message_id, buttonData(tg().world.find(painter, options.message_id), 'gg'));

    // A 10-minute recording: a quote, confirmed.
    await tg().users.sendMedia(listener, 'voice', await readFile(audio.path), { mimeType: 'audio/ogg' });
    const quote = await eventually(() => find(listener, '10 мин'), { timeoutMs: 60_000 });
    tg().pressButton(listener, quote.message_id, buttonData(quote, 'tc'));

    // All three charged and none finished: in flight.
    await eventually(async () => (await Promise.all([trainer, painter, listener].map(charges))).every((c) => c.length === 1), { timeoutMs: 60_000 });
    expect(find(trainer, '✅ Аватар') ?? msgs(painter).find((m) => m.photo) ?? find(listener, 'Расшифровка готова')).toBeUndefined();

    // The worker killed is the one running a chunk of the transcription (a worker's identity is pid@host).
    const transcript = await eventually(async () => prisma.transcript.findFirst({ where: { userId: (await userOf(listener)).id } }));
    const temporal = new Client({ connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS! }), namespace: env.TEMPORAL_NAMESPACE ?? 'default' });
    const busy = await eventually(async () => procs.byWorkerIdentity(await pendingActivityWorkers(temporal, workflowIds.transcription(transcript.id), 'transcribeChunk')), {
      timeoutMs: 60_000,
    });
    const whisperCalls = () => sandboxes.openai!.requests.filter((r) => r.path === '/v1/audio/transcriptions').length;
    const whisperAtKill = whisperCalls();
    await Promise.all([procs.kill9('bot1'), procs.kill9(busy.name)]);
    // From here on the dead bot can answer nothing (webhooks answered before the kill, while a busy worker was looked for, are not its concern).
    const logBefore = readFileSync(nginx.accessLog, 'utf8').split('\n').length - 1;
    await temporal.connection.close();

    // Updates keep flowing through nginx to the surviving bot.
    const asker = uniqueTelegramId();
    tg().sendText(asker, '/help');
    await eventually(() => find(asker, 'Что я умею'), { timeoutMs: 30_000 });

    await eventually(() => find(trainer, '✅ Аватар «Аня» готов'), { timeoutMs: 240_000 });
    await eventually(() => msgs(painter).some((m) => m.photo), { timeoutMs: 240_000 });
    await eventually(() => find(listener, 'Расшифровка готова'), { timeoutMs: 240_000 });
    // Whatever a retried step might repeat has had time to arrive.
    await new Promise((r) => setTimeout(r, 5000));

    expect(count(trainer, '✅ Аватар')).toBe(1);
    expect(msgs(painter).filter((m) => m.photo)).toHaveLength(1);
    expect(count(listener, 'Расшифровка готова')).toBe(1);
    expect(whisperCalls(), 'the killed worker\'s chunk was transcribed again by the survivor').toBeGreaterThan(whisperAtKill);
    expect(msgs(listener).filter((m) => m.document).map((d) => d.document!.file_name).toSorted()).toEqual(['transcript.srt', 'transcript.txt', 'transcript.vtt']);

    const avatar = await prisma.avatar.findFirstOrThrow({ where: { userId: (await userOf(trainer)).id, name: 'Аня' } });
    expect(avatar.status).toBe('COMPLETED');
    expect(await charges(trainer)).toEqual([[workflowIds.avatar(avatar.id), -150]]);
    expect((await charges(painter)).map(([, amount]) => amount)).toEqual([-4]);
    expect((await charges(listener)).map(([, amount]) => amount)).toEqual([-10]);
    for (const [id, balance] of [[trainer, 250], [painter, 396], [listener, 390]] as const) {
      const user = await userOf(id);
      expect(await getBalance(prisma, user.id), `balance of ${id}`).toBe(balance);
      expect(await ledgerSum(prisma, user.id)).toBe(balance);
    }

    // FAL's webhooks came through nginx and were accepted by a bot.
    const access = readFileSync(nginx.accessLog, 'utf8').split('\n').slice(logBefore);
    const falHooks = access.filter((l) => l.includes('"POST /webhooks/fal/'));
    expect(falHooks.length).toBeGreaterThanOrEqual(2);
    expect(falHooks.every((l) => / 200 /.test(l))).toBe(true);
    // Since the kill, the dead instance answers nothing: every webhook was answered by the survivor.
    const survivor = `127.0.0.1:${botPorts[1]}`;
    expect(falHooks.every((l) => l.includes(`upstream=${survivor}`) || l.includes(`, ${survivor}`))).toBe(true);
  }, 420_000);
});

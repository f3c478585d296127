import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLedgerEntry, getBalance, jobLedger, ledgerSum } from '../../lib/db/ledger';
import { adminStats } from '../../lib/db/stats';
import { workflowIds } from '../../vocabulary/ids';
import { uniqueTelegramId } from '../helpers/config';
import { makeSpeechAudio } from '../helpers/speech-audio';
import { buttonData, eventually, startStack, type Stack } from '../helpers/stack';

/**
 * `/admin` for operators, through the Telegram sandbox on the real services:
 * stats and retention on a user base seeded in the past, the activity
 * middleware, `/admin user`, and refunds and retries of real jobs.
 */
describe('/admin: stats, retention, user report, refund and retry of jobs', () => {
  const adminId = uniqueTelegramId();
  let stack: Stack;
  beforeAll(async () => {
    // A poll tick far away: only webhooks, cancels and `pollNow` wake a FAL wait.
    stack = await startStack({ env: { ADMIN_TELEGRAM_IDS: String(adminId), FAL_POLL_INTERVAL_SECONDS: '600', WELCOME_CREDITS: '300' } });
    Object.assign(stack.fal.knobs, { imageJobMs: 300 });
    await onboard(adminId);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const texts = (id: number) => msgs(id).map((m) => m.text ?? m.caption ?? '');
  const lastText = (id: number) => texts(id).at(-1) ?? '';
  const photos = (id: number) => msgs(id).filter((m) => m.photo);
  const userOf = (id: number) => stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });

  async function onboard(id: number) {
    tg().sendText(id, '/start');
    await eventually(() => texts(id).some((t) => t.includes('Привет')));
    return userOf(id);
  }

  /** The admin's reply to a command: the first new message that `match` accepts. */
  async function admin(command: string, match: (text: string) => boolean = () => true, timeoutMs = 30_000) {
    const before = msgs(adminId).length;
    tg().sendText(adminId, command);
    return eventually(() => texts(adminId).slice(before).find(match), { timeoutMs });
  }

  /** /imagen → count → Generate; returns the job's workflow id once its row exists. */
  async function generate(id: number, prompt: string, count = 1): Promise<string> {
    const userId = (await userOf(id)).id;
    const known = new Set((await stack.prisma.generation.findMany({ where: { userId }, select: { id: true } })).map((g) => g.id));
    tg().sendText(id, `/imagen ${prompt}`);
    const options = await eventually(() => msgs(id).find((m) => m.text?.includes(prompt.slice(0, 20)) && m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data.startsWith('gg:'))));
    if (count !== 1) {
      tg().pressButton(id, options.message_id, `gn:${count}`);
      await eventually(() => tg().world.find(id, options.message_id)?.reply_markup?.inline_keyboard[1]?.some((b) => b.text === `✓ ${count}`));
    }
    tg().pressButton(id, options.message_id, buttonData(tg().world.find(id, options.message_id), 'gg'));
    const row = await eventually(async () => (await stack.prisma.generation.findMany({ where: { userId }, select: { id: true } })).find((g) => !known.has(g.id)));
    return workflowIds.generation(row.id);
  }
  const generationRow = (job: string) => stack.prisma.generation.findUniqueOrThrow({ where: { id: job.slice('gen-'.length) } });

  it('a non-admin gets nothing at all from /admin, /admin stats, /admin user, /admin refund, /admin retry', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    const job = 'gen-00000000-0000-4000-a000-000000000000';
    for (const cmd of ['/admin', '/admin stats', `/admin user ${id}`, `/admin refund ${job}`, `/admin retry ${job}`, `/admin user ${adminId}`]) tg().sendText(id, cmd);
    tg().sendText(id, '/balance');
    await eventually(() => lastText(id).startsWith('💰 Баланс'));
    expect(msgs(id)).toHaveLength(2); // the greeting and the balance
    expect(await stack.temporal.workflow.getHandle(workflowIds.adminRefund(job)).describe().catch(() => null)).toBeNull();
  });

  it('stats and D1/D7/D30 retention are exact on a user base seeded in the past, also as the /admin message', async () => {
    // "Today" is 2001-03-31 (UTC), far from every other test's rows; the figures are taken at 18:00.
    const day = (offset: number, hour = 10) => new Date(Date.UTC(2001, 2, 31 + offset, hour));
    const date = (offset: number) => new Date(Date.UTC(2001, 2, 31 + offset));
    const seedUser = async (signup: Date, activeDays: number[]) => {
      const user = await stack.prisma.user.create({ data: { telegramId: BigInt(uniqueTelegramId()), createdAt: signup, lastSeenAt: signup, balance: { create: {} } } });
      await stack.prisma.userActivityDay.createMany({ data: activeDays.map((d) => ({ userId: user.id, day: date(d) })) });
      return user.id;
    };
    const u1 = await seedUser(day(-30), [-29, -23, 0, 1]); // D1 ✓ D7 ✓ D30 ✓ (the day after "today" is ignored)
    await seedUser(day(-30), [-28]); // u2: D1 ✗ D7 ✗ D30 ✗
    const u3 = await seedUser(day(-7), [-6, 0]); // D1 ✓ D7 ✓
    const u4 = await seedUser(day(-7), [-5]); // D1 ✗ D7 ✗, active within 7 days
    const u5 = await seedUser(day(-1), [0]); // D1 ✓
    await seedUser(day(0, 9), []); // u6: new today, active by signing up
    await seedUser(day(0, 20), [0]); // u7: signs up after 18:00
    await seedUser(day(-40), [-39, -33, -10]); // u8: D1 ✓ D7 ✓ D30 ✓
    await seedUser(day(1, 1), [1]); // the next day: never counted

    const gen = (userId: number, createdAt: Date, status: 'COMPLETED' | 'FAILED' | 'PARTIAL', failureReason?: string) =>
      stack.prisma.generation.create({ data: { userId, mode: 'IMAGEN4', prompt: 'seed', aspectRatio: '1:1', numImages: 1, unitPrice: 4, status, failureReason, createdAt } });
    const tr = (userId: number, createdAt: Date, status: 'COMPLETED' | 'FAILED', failureReason?: string) =>
      stack.prisma.transcript.create({ data: { userId, fileId: 'f', fileUniqueId: 'u', status, failureReason, createdAt } });
    const avatar = (userId: number, createdAt: Date, status: 'TRAINING' | 'FAILED', failureReason?: string) =>
      stack.prisma.avatar.create({ data: { userId, name: 'seed', type: 'PORTRAIT', triggerPhrase: 'TOK', status, failureReason, createdAt } });
    await gen(u1, day(0, 8), 'COMPLETED');
    await gen(u1, day(0, 9), 'COMPLETED');
    await gen(u3, day(0, 11), 'FAILED', 'fal_error');
    await gen(u5, day(0, 12), 'PARTIAL');
    await gen(u1, day(0, 19), 'FAILED', 'late'); // after 18:00
    await gen(u1, day(-1, 23), 'FAILED', 'internal');
    await gen(u1, day(-3), 'FAILED', 'fal_error');
    await gen(u3, day(-3), 'FAILED', 'fal_error');
    await gen(u3, day(-4), 'FAILED', 'nsfw');
    await gen(u1, day(-8), 'FAILED', 'deadline'); // older than 7 days
    await tr(u1, day(0, 7), 'COMPLETED');
    await tr(u4, day(0, 13), 'FAILED', 'no_speech');
    await tr(u4, day(-2), 'FAILED', 'deadline');
    await tr(u4, day(-2, 11), 'FAILED', 'deadline');
    await avatar(u1, day(0, 6), 'TRAINING');
    await avatar(u3, day(0, 14), 'FAILED', 'fal_error');

    const entry = async (userId: number, kind: 'GRANT' | 'CHARGE' | 'REFUND', amount: number, at: Date) => {
      const key = `seed:${userId}:${kind}:${at.toISOString()}`;
      await applyLedgerEntry(stack.prisma, { userId, kind, amount, idempotencyKey: key, jobId: kind === 'GRANT' ? undefined : `gen-seed-${userId}` });
      await stack.prisma.transaction.update({ where: { idempotencyKey: key }, data: { createdAt: at } });
    };
    await entry(u1, 'GRANT', 100, day(-30));
    await entry(u1, 'CHARGE', -6, day(-1));
    await entry(u1, 'CHARGE', -10, day(0, 10));
    await entry(u1, 'REFUND', 4, day(0, 11));
    await entry(u1, 'CHARGE', -3, day(0, 19)); // after 18:00
    await entry(u3, 'GRANT', 50, day(-7));
    await entry(u3, 'CHARGE', -8, day(0, 12));

    const stats = await adminStats(stack.prisma, day(0, 18));
    expect(stats.day).toBe('2001-03-31');
    expect(stats.users).toEqual({ total: 7, newToday: 1, activeToday: 4, active7d: 5 });
    expect(stats.retention).toEqual([
      { n: 1, cohort: 6, retained: 4, rate: 4 / 6 },
      { n: 7, cohort: 5, retained: 3, rate: 3 / 5 },
      { n: 30, cohort: 3, retained: 2, rate: 2 / 3 },
    ]);
    expect(stats.jobsToday).toEqual([
      { kind: 'avatar_training', total: 2, byStatus: [{ status: 'FAILED', count: 1 }, { status: 'TRAINING', count: 1 }] },
      { kind: 'generation', total: 4, byStatus: [{ status: 'COMPLETED', count: 2 }, { status: 'FAILED', count: 1 }, { status: 'PARTIAL', count: 1 }] },
      { kind: 'transcription', total: 2, byStatus: [{ status: 'COMPLETED', count: 1 }, { status: 'FAILED', count: 1 }] },
    ]);
    expect(stats.credits).toEqual({ charged: 18, refunded: 4 });
    expect(stats.failureReasons).toEqual([
      { kind: 'generation', reason: 'fal_error', count: 3 },
      { kind: 'transcription', reason: 'deadline', count: 2 },
      { kind: 'avatar_training', reason: 'fal_error', count: 1 },
      { kind: 'generation', reason: 'internal', count: 1 },
      { kind: 'generation', reason: 'nsfw', count: 1 },
    ]);

    // The bot's view of that day is taken at its end: u7, the 19:00 job and charge now count.
    const text = await admin('/admin stats 2001-03-31', (t) => t.startsWith('📊'));
    expect(text).toBe(
      [
        '📊 Статистика на 2001-03-31 (UTC)',
        '👥 Пользователи: 8 · новых сегодня 2 · активны сегодня 5 · за 7 дней 6',
        '🔁 Удержание (активны ровно на N-й день после регистрации):',
        'D1: 4 из 6 (67%)',
        'D7: 3 из 5 (60%)',
        'D30: 2 из 3 (67%)',
        '⚙️ Задачи сегодня:',
        '🧑‍🎨 Аватары: 2 (failed 1, training 1)',
        '🎨 Изображения: 5 (completed 2, failed 2, partial 1)',
        '🎧 Расшифровки: 2 (completed 1, failed 1)',
        '💳 Кредиты сегодня: списано 21 · возвращено 4',
        '❌ Частые причины сбоев за 7 дней:',
        '3 × generation · fal_error',
        '2 × transcription · deadline',
        '1 × avatar_training · fal_error',
        '1 × generation · internal',
        '1 × generation · late',
      ].join('\n'),
    );

    // Plain /admin: today's figures (every test's users count; at least the admin).
    const today = await admin('/admin', (t) => t.startsWith('📊'));
    expect(today.split('\n')[0]).toBe(`📊 Статистика на ${new Date().toISOString().slice(0, 10)} (UTC)`);
    expect(Number(/Пользователи: (\d+)/.exec(today)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('the activity middleware records one day per known user per day, and last_seen_at', async () => {
    const id = uniqueTelegramId();
    const today = new Date().toISOString().slice(0, 10);
    tg().sendText(id, '/help'); // not a user yet: nothing recorded, the day is not used up
    await eventually(() => msgs(id).length === 1);
    expect(await stack.redis.exists(`aisha:seen:${id}:${today}`)).toBe(0);
    const user = await onboard(id);
    const before = user.lastSeenAt;
    const sent = msgs(id).length;
    for (let i = 0; i < 3; i++) tg().sendText(id, '/help');
    await eventually(() => msgs(id).length === sent + 3);
    const days = await stack.prisma.userActivityDay.findMany({ where: { userId: user.id } });
    expect(days.map((d) => d.day.toISOString().slice(0, 10))).toEqual([today]);
    expect(await stack.redis.exists(`aisha:seen:${id}:${today}`)).toBe(1);
    expect((await userOf(id)).lastSeenAt.getTime()).toBeGreaterThanOrEqual(before.getTime());

    // The Redis key gone (expired, Redis lost): still one row for the day.
    await stack.redis.del(`aisha:seen:${id}:${today}`);
    tg().sendText(id, '/help');
    await eventually(() => msgs(id).length === sent + 4);
    await eventually(async () => (await stack.redis.exists(`aisha:seen:${id}:${today}`)) === 1);
    expect(await stack.prisma.userActivityDay.count({ where: { userId: user.id } })).toBe(1);
  });

  it('/admin refund of a running generation cancels it; its billing refunds everything; a repeat finds nothing left', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.fal.knobs.imageJobMs = 600_000;
    try {
      const job = await generate(id, 'долгий закат', 2);
      await eventually(async () => (await generationRow(job)).falRequestId, { timeoutMs: 60_000 }); // charged, waiting on FAL
      expect(await getBalance(stack.prisma, user.id)).toBe(292);
      expect(await admin(`/admin refund ${job}`)).toBe(`⏹ ${job} ещё выполняется: отправлена отмена. Её биллинг вернёт всё недоставленное.`);
      await eventually(async () => (await generationRow(job)).status === 'CANCELLED', { timeoutMs: 60_000 });
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 300);
      expect(await jobLedger(stack.prisma, job)).toMatchObject({ charged: 8, refunded: 8 });
      expect(await stack.temporal.workflow.getHandle(job).result()).toMatchObject({ stage: 'cancelled', delivered: 0 });
      await stack.temporal.workflow.getHandle(workflowIds.billing(job)).result();

      expect(await admin(`/admin refund ${job}`, (t) => t.includes('возвращать нечего'))).toBe(`${job}: возвращать нечего (списано 8, возвращено 8).`);
      expect(await getBalance(stack.prisma, user.id)).toBe(300);
      expect(photos(id)).toHaveLength(0);
    } finally {
      stack.fal.knobs.imageJobMs = 300;
    }
  });

  it('/admin refund of a job that was terminated while its billing still waits settles the billing: full refund, row closed, user told', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.fal.knobs.imageJobMs = 600_000;
    try {
      const job = await generate(id, 'оборванная работа');
      await eventually(async () => (await generationRow(job)).falRequestId, { timeoutMs: 60_000 }); // charged, waiting on FAL
      await stack.temporal.workflow.getHandle(job).terminate('operator test');
      expect(await getBalance(stack.prisma, user.id)).toBe(296);
      expect(await admin(`/admin refund ${job}`)).toBe(`↩️ ${job} завершена, но её биллинг ещё ждал: закрыт как «ничего не доставлено», всё списанное вернётся.`);
      const billing = await stack.temporal.workflow.getHandle(workflowIds.billing(job)).result();
      expect(billing).toMatchObject({ stage: 'refunded', refunded: 4, refundReason: 'settled', deliveredUnits: 0 });
      expect(await getBalance(stack.prisma, user.id)).toBe(300);
      expect(await generationRow(job)).toMatchObject({ status: 'FAILED', failureReason: 'workflow_terminated' });
      expect(texts(id).filter((t) => t.includes('остановлена'))).toEqual(['⚠️ Генерация изображений остановлена без результата. Вернули на баланс 4 кредита.']);
    } finally {
      stack.fal.knobs.imageJobMs = 300;
    }
  });

  it('/admin refund of a finished, partially refunded job refunds the leftover once, tells admin and user; a second time nothing', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    const job = await generate(id, 'маяк в шторм [nsfw:1,3]', 4);
    await stack.temporal.workflow.getHandle(job).result();
    await stack.temporal.workflow.getHandle(workflowIds.billing(job)).result();
    expect(texts(id).some((t) => t.includes('Получилось 2 из 4'))).toBe(true);
    expect(await getBalance(stack.prisma, user.id)).toBe(292);

    expect(await admin(`/admin refund ${job}`)).toBe('⏳ Выполняю…');
    const refundRun = stack.temporal.workflow.getHandle(workflowIds.adminRefund(job));
    expect(await refundRun.result()).toEqual({ refunded: 8, charged: 16, refundedBefore: 8 });
    await eventually(() => texts(adminId).includes(`↩️ ${job}: возвращено 8 (списано 16, возвращено ранее 8). Баланс пользователя ${id}: 300`));
    await eventually(() => lastText(id) === '↩️ Вам возвращено 8 кредитов за незавершённую задачу.\n💰 Баланс: 300');
    const described = await refundRun.describe();
    expect(described.memo).toEqual({ summary: `admin ${adminId} refunds what is left of ${job}` });
    expect(await stack.prisma.transaction.findUniqueOrThrow({ where: { idempotencyKey: `${job}:admin-refund` } })).toMatchObject({ kind: 'REFUND', amount: 8, jobId: job });

    expect(await admin(`/admin refund ${job}`, (t) => t.includes('возвращать нечего'))).toBe(`${job}: возвращать нечего (списано 16, возвращено 16).`);
    expect(await refundRun.result()).toEqual({ refunded: 0, charged: 16, refundedBefore: 16 });
    expect(await getBalance(stack.prisma, user.id)).toBe(300);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(300);
    expect(await stack.prisma.transaction.count({ where: { jobId: job, kind: 'REFUND' } })).toBe(2); // billing's and the admin's
    expect(texts(id).filter((t) => t.startsWith('↩️ Вам возвращено'))).toHaveLength(1);
  });

  it('/admin retry of a failed generation starts it again with the same input: delivered and charged; /admin user shows both jobs', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.fal.knobs.jobFailureRate = 1;
    let failed: string;
    try {
      failed = await generate(id, 'кот на крыше');
      await stack.temporal.workflow.getHandle(failed).result();
      expect(await generationRow(failed)).toMatchObject({ status: 'FAILED', failureReason: 'fal_error' });
    } finally {
      stack.fal.knobs.jobFailureRate = 0;
    }
    await eventually(async () => (await getBalance(stack.prisma, user.id)) === 300);

    const reply = await admin(`/admin retry ${failed}`);
    const retried = /как (gen-[0-9a-f-]{36}):/.exec(reply)?.[1];
    expect(reply).toBe(`🔁 ${failed} запущена заново как ${retried}: спишется через биллинг, при сбое вернётся.`);
    await eventually(() => photos(id).length === 1, { timeoutMs: 60_000 });
    expect(photos(id)[0]!.caption).toContain('кот на крыше');
    const row = await generationRow(retried!);
    expect(row).toMatchObject({ userId: user.id, prompt: 'кот на крыше', numImages: 1, mode: 'IMAGEN4' });
    expect(await stack.temporal.workflow.getHandle(retried!).result()).toMatchObject({ stage: 'completed', delivered: 1 });
    expect(await generationRow(retried!)).toMatchObject({ status: 'COMPLETED' });
    expect(await jobLedger(stack.prisma, retried!)).toMatchObject({ charged: 4, refunded: 0 });
    expect(await getBalance(stack.prisma, user.id)).toBe(296);
    expect((await stack.temporal.workflow.getHandle(retried!).describe()).memo?.summary).toBe(`retry of ${failed} by admin ${adminId}: кот на крыше`);

    // A completed job is not retried.
    expect(await admin(`/admin retry ${retried}`)).toBe(
      `${retried} завершилась со статусом completed: повторить можно только неудавшуюся или отменённую генерацию или расшифровку.`,
    );

    const report = await admin(`/admin user ${id}`, (t) => t.startsWith('👤'));
    const lines = report.split('\n');
    expect(lines[0]).toBe(`👤 Пользователь ${id} · User ${id}`); // the sandbox's first name
    expect(lines[1]).toMatch(new RegExp(`^💰 Баланс 296 · язык ru · с ${new Date().toISOString().slice(0, 10)} · был \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`));
    expect(lines[2]).toBe('🧑‍🎨 Аватары 0 · 🖼 Изображения 1 · 🎧 Расшифровки 0');
    expect(lines[3]).toBe('⚙️ Последние задачи:');
    expect(lines[4]).toMatch(new RegExp(` · generation · completed · ${retried}$`));
    expect(lines[5]).toMatch(new RegExp(` · generation · failed · ${failed!}$`));
    expect(lines.slice(6)).toEqual(['❌ Последние сбои:', `${failed!}: fal_error`]);
    expect(await admin('/admin user 1', (t) => t.includes('не найден'))).toBe('Пользователь 1 не найден.');
  });

  it('/admin retry of a generation waiting on FAL whose webhook was lost: pollNow finishes it long before the next poll tick', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.fal.knobs.webhookLossRate = 1;
    try {
      const job = await generate(id, 'потерянный вебхук');
      const request = await eventually(() => stack.fal.jobs.all().find((j) => j.webhookUrl?.includes(job) && j.state === 'COMPLETED'), { timeoutMs: 60_000 });
      expect(stack.fal.deliveries.filter((d) => d.requestId === request.requestId).every((d) => d.state === 'dropped')).toBe(true);
      await new Promise((r) => setTimeout(r, 1500));
      expect(photos(id)).toHaveLength(0); // done at FAL, but the workflow sleeps until its 600 s tick
      expect(await admin(`/admin retry ${job}`)).toBe(`⚡ ${job} ждёт FAL: попросил её проверить статус FAL сейчас.`);
      await eventually(() => photos(id).length === 1, { timeoutMs: 60_000 });
      await eventually(async () => (await generationRow(job)).status === 'COMPLETED');
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 296);
    } finally {
      stack.fal.knobs.webhookLossRate = 0;
    }
  });

  it('transcription: /admin refund of a running one cancels it (full refund); /admin retry starts it again as a new tr- job, delivered and charged', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    const dir = await mkdtemp(join(tmpdir(), 'aisha-admin-test-'));
    try {
      const audio = await makeSpeechAudio({ seconds: 20, dir, seed: 11 });
      stack.openai.knobs.latencyPerAudioSecondMs = 60_000; // Whisper "takes" 20 minutes
      await tg().users.sendMedia(id, 'voice', await readFile(audio.path), { mimeType: 'audio/ogg' });
      const first = await eventually(() => stack.prisma.transcript.findFirst({ where: { userId: user.id, status: 'RUNNING' } }), { timeoutMs: 60_000 });
      const job = workflowIds.transcription(first.id);
      expect(await getBalance(stack.prisma, user.id)).toBe(299);
      expect(await admin(`/admin refund ${job}`)).toBe(`⏹ ${job} ещё выполняется: отправлена отмена. Её биллинг вернёт всё недоставленное.`);
      expect(await stack.temporal.workflow.getHandle(job).result()).toMatchObject({ stage: 'cancelled' });
      await stack.temporal.workflow.getHandle(workflowIds.billing(job)).result();
      expect(await getBalance(stack.prisma, user.id)).toBe(300);
      stack.openai.knobs.latencyPerAudioSecondMs = 0;

      const reply = await admin(`/admin retry ${job}`);
      const retried = /как (tr-[0-9a-f-]{36}):/.exec(reply)?.[1];
      expect(reply).toBe(`🔁 ${job} запущена заново как ${retried}: спишется через биллинг, при сбое вернётся.`);
      expect(await stack.temporal.workflow.getHandle(retried!).result()).toMatchObject({ stage: 'completed' });
      expect(await stack.prisma.transcript.findUniqueOrThrow({ where: { id: retried!.slice('tr-'.length) } })).toMatchObject({
        userId: user.id,
        status: 'COMPLETED',
        fileUniqueId: first.fileUniqueId,
        durationSec: 20,
      });
      await eventually(() => texts(id).some((t) => t.startsWith('✅ Расшифровка готова. Списано 1')));
      expect(await jobLedger(stack.prisma, retried!)).toMatchObject({ charged: 1, refunded: 0 });
      expect(await getBalance(stack.prisma, user.id)).toBe(299);
    } finally {
      stack.openai.knobs.latencyPerAudioSecondMs = 0;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers clearly for a malformed or unknown job id', async () => {
    expect(await admin('/admin refund bill-gen-123')).toBe('Укажите id задачи: gen-…, tr-… или avatar-… (как в /admin user).');
    const unknown = 'tr-00000000-0000-4000-a000-000000000001';
    expect(await admin(`/admin retry ${unknown}`)).toBe(`Задача ${unknown} не найдена (или её история уже не хранится).`);
    expect(await admin(`/admin refund ${unknown}`)).toBe(`${unknown}: возвращать нечего (списано 0, возвращено 0).`);
  });
});

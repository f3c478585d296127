import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBalance, ledgerSum } from '../../lib/db/ledger';
import { AVATAR_TRAINING_REVISION, avatarStatusQuery, type AvatarTrainingInput } from '../../workflows/avatar-api';
import { workflowIds } from '../../vocabulary/ids';
import { uniqueTelegramId } from '../helpers/config';
import { photo } from '../helpers/images';
import { eventually, startStack, type Stack } from '../helpers/stack';

describe('avatar training lifecycle through the bot (Telegram, FAL, OpenAI stand-ins; real services)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { FAL_POLL_INTERVAL_SECONDS: '1', WELCOME_CREDITS: '200' } });
    stack.fal.knobs.trainingJobMs = 2500;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const tg = () => stack.telegram;
  const texts = (id: number) => tg().world.botMessages(id).map((m) => m.text ?? '');
  const has = (id: number, part: string) => texts(id).some((t) => t.includes(part));
  const statusMessage = (id: number) => tg().world.botMessages(id).find((m) => m.text?.includes('📸'));
  const userRow = (id: number) => stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });

  /** /start → /avatar → Create → Portrait → name; returns the avatar id. */
  async function createDraft(id: number, name: string): Promise<string> {
    tg().sendText(id, '/start');
    await eventually(() => has(id, 'Привет'));
    tg().sendText(id, '/avatar');
    const list = await eventually(() => tg().world.botMessages(id).find((m) => m.text?.includes('аватар')));
    tg().pressButton(id, list.message_id, 'ac');
    const types = await eventually(() => tg().world.botMessages(id).find((m) => m.text?.startsWith('Какой аватар')));
    tg().pressButton(id, types.message_id, 'at:portrait');
    await eventually(() => has(id, 'Как назовём'));
    tg().sendText(id, name);
    await eventually(() => statusMessage(id));
    const user = await userRow(id);
    const avatar = await eventually(() => stack.prisma.avatar.findFirst({ where: { userId: user.id, name } }));
    return avatar.id;
  }

  async function sendGoodPhotos(id: number, count: number, seedBase: number) {
    const photos = await Promise.all(Array.from({ length: count }, (_, i) => photo(seedBase + i)));
    await tg().users.sendAlbum(id, photos);
  }

  const pressStart = async (id: number) => {
    const status = await eventually(() => statusMessage(id)?.reply_markup?.inline_keyboard.flat().find((b) => b.text.startsWith('🚀')) && statusMessage(id));
    const start = status.reply_markup!.inline_keyboard.flat().find((b) => b.text.startsWith('🚀')) as { callback_data: string };
    tg().pressButton(id, status.message_id, start.callback_data);
  };

  /** Ten good photos in the chat: their Telegram file ids, for a training started directly. */
  async function photoFiles(id: number, seedBase: number) {
    const photos = await Promise.all(Array.from({ length: 10 }, (_, i) => photo(seedBase + i)));
    const fileIds = [];
    for (const p of photos) {
      const u = await tg().users.sendPhoto(id, p);
      const size = u.message!.photo!.at(-1)!;
      fileIds.push({ fileId: size.file_id, fileUniqueId: size.file_unique_id });
    }
    return fileIds;
  }

  /** A training started without the bot, with the test's own settings (a bot draft registers the user and chat). */
  const startDirect = (id: number, userId: number, avatarId: string, overrides: Partial<AvatarTrainingInput>) =>
    stack.temporal.workflow.start('avatarTrainingWorkflow', {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: workflowIds.avatar(avatarId),
      args: [
        {
          avatarId,
          userId,
          telegramId: id,
          chatId: id,
          language: 'ru',
          name: 'Прямо',
          kind: 'PORTRAIT',
          triggerPhrase: 'TOK_test',
          price: 150,
          minPhotos: 10,
          maxPhotos: 20,
          deadlineSeconds: 300,
          draftTtlSeconds: 3600,
          pollSeconds: 1,
          progressSeconds: 30,
          webhookUrl: `${stack.config.http.publicBaseUrl}/webhooks/fal/${workflowIds.avatar(avatarId)}`,
          ...overrides,
        } satisfies AvatarTrainingInput,
      ],
    });

  it('12 good photos → trained, LoRA copied into MinIO, charged once, the user told; the Web UI filter finds it', async () => {
    const id = uniqueTelegramId();
    const avatarId = await createDraft(id, 'Аня');
    await sendGoodPhotos(id, 12, 1000);
    await eventually(() => statusMessage(id)?.text?.includes('принято 12 из 10–20'), { timeoutMs: 60_000 });
    await pressStart(id);
    await eventually(() => has(id, '✅ Аватар «Аня» готов и выбран основным!'), { timeoutMs: 60_000 });

    const avatar = await stack.prisma.avatar.findUniqueOrThrow({ where: { id: avatarId }, include: { photos: true } });
    expect(avatar).toMatchObject({ status: 'COMPLETED', isMain: true });
    expect(avatar.loraUrl).toMatch(/^http/);
    expect(avatar.photos.filter((p) => p.status === 'ACCEPTED')).toHaveLength(12);
    const storage = (await import('../../lib/minio')).createMinio(stack.config.minio);
    const stat = await storage.statObject('avatars', avatar.loraObjectKey!);
    expect(stat.size).toBeGreaterThan(1000);

    const user = await userRow(id);
    const charges = await stack.prisma.transaction.findMany({ where: { jobId: workflowIds.avatar(avatarId) } });
    expect(charges.map((c) => [c.kind, c.amount])).toEqual([['CHARGE', -150]]);
    expect(await getBalance(stack.prisma, user.id)).toBe(50);

    const found: string[] = [];
    for await (const wf of stack.temporal.workflow.list({ query: `JobKind = "avatar_training" AND UserId = "${id}"` })) found.push(wf.workflowId);
    expect(found).toContain(workflowIds.avatar(avatarId));

    // The result came by FAL's signed webhook through the bot's HTTP server (not only by polling).
    const history = await stack.temporal.workflow.getHandle(workflowIds.avatar(avatarId)).fetchHistory();
    const signals = (history.events ?? []).map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean);
    expect(signals).toContain('falResult');
  });

  it('rejects a text file named .jpg, a 100×100 image, two faces and a duplicate — each with its reason, nothing charged', async () => {
    const id = uniqueTelegramId();
    const avatarId = await createDraft(id, 'Проверка');
    const good = await photo(2000);
    await tg().users.sendPhoto(id, good);
    await tg().users.sendMedia(id, 'document', Buffer.from('this is not a photo'), { fileName: 'me.jpg', mimeType: 'image/jpeg' });
    await tg().users.sendPhoto(id, await photo(2001, { width: 100, height: 100 }));
    await tg().users.sendPhoto(id, await photo(2002, { marker: [0, 0, 255] }));
    await tg().users.sendPhoto(id, good); // the same bytes again (a new file_unique_id is not guaranteed; the hash decides)
    const status = await eventually(() => (statusMessage(id)?.text?.includes('отклонено 4 (ответы под фото)') ? statusMessage(id) : null), { timeoutMs: 60_000 });
    expect(status.text).toContain('принято 1 из 10–20');
    // each reason in a reply under its photo
    for (const reason of ['не изображение', 'слишком маленькое', 'несколько лиц', 'повтор']) await eventually(() => texts(id).some((t) => t.startsWith('❌ Это фото не подойдёт') && t.includes(reason)));
    const rows = await stack.prisma.avatarPhoto.findMany({ where: { avatarId } });
    // the identical re-send has the same file_unique_id as the accepted photo: shown as a repeat, one row per file
    expect(rows.filter((r) => r.status === 'REJECTED').map((r) => r.rejectReason).sort()).toEqual(['many_faces', 'not_image', 'too_small']);
    expect(rows.filter((r) => r.status === 'ACCEPTED')).toHaveLength(1);
    expect(await stack.prisma.transaction.count({ where: { jobId: workflowIds.avatar(avatarId) } })).toBe(0);
  });

  it('all webhooks lost → completes by polling; duplicated webhooks → one completion', async () => {
    for (const knobs of [{ webhookLossRate: 1, webhookDuplicates: 0 }, { webhookLossRate: 0, webhookDuplicates: 3 }]) {
      Object.assign(stack.fal.knobs, knobs);
      const id = uniqueTelegramId();
      const avatarId = await createDraft(id, 'Поллинг');
      await sendGoodPhotos(id, 10, 3000 + knobs.webhookDuplicates * 100);
      await eventually(() => statusMessage(id)?.text?.includes('принято 10'), { timeoutMs: 60_000 });
      await pressStart(id);
      await eventually(() => has(id, '✅ Аватар «Поллинг» готов'), { timeoutMs: 60_000 });
      expect(await stack.prisma.transaction.count({ where: { jobId: workflowIds.avatar(avatarId) } })).toBe(1);
      expect(texts(id).filter((t) => t.startsWith('✅ Аватар'))).toHaveLength(1);
    }
    Object.assign(stack.fal.knobs, { webhookLossRate: 0, webhookDuplicates: 0 });
  });

  it('a failed FAL job → FAILED, refunded, the user told why', async () => {
    stack.fal.knobs.jobFailureRate = 1;
    try {
      const id = uniqueTelegramId();
      const avatarId = await createDraft(id, 'Сбой');
      await sendGoodPhotos(id, 10, 4000);
      await eventually(() => statusMessage(id)?.text?.includes('принято 10'), { timeoutMs: 60_000 });
      await pressStart(id);
      await eventually(() => has(id, 'Не удалось обучить аватар «Сбой»'), { timeoutMs: 60_000 });
      expect(has(id, 'Сервис обучения вернул ошибку')).toBe(true);
      expect(await stack.prisma.avatar.findUniqueOrThrow({ where: { id: avatarId } })).toMatchObject({ status: 'FAILED', failureReason: 'fal_error' });
      const user = await userRow(id);
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 200);
      expect(await ledgerSum(stack.prisma, user.id)).toBe(200);
    } finally {
      stack.fal.knobs.jobFailureRate = 0;
    }
  });

  it('cancel during training → cancelled at FAL and refunded; cancel before start → nothing charged', async () => {
    stack.fal.knobs.trainingJobMs = 60_000;
    try {
      const id = uniqueTelegramId();
      const avatarId = await createDraft(id, 'Отмена');
      await sendGoodPhotos(id, 10, 5000);
      await eventually(() => statusMessage(id)?.text?.includes('принято 10'), { timeoutMs: 60_000 });
      await pressStart(id);
      const training = await eventually(() => tg().world.botMessages(id).find((m) => m.text?.startsWith('⏳ Обучение')));
      tg().pressButton(id, training.message_id, `ax:${avatarId}`);
      await eventually(() => has(id, 'Аватар «Отмена» отменён. 150 кредитов возвращены'), { timeoutMs: 30_000 });
      const user = await userRow(id);
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 200);
      const requests = (await (await fetch(`${stack.fal.url}/sandbox/requests`)).json()) as { requestId?: string; request_id?: string; status?: string }[];
      expect(JSON.stringify(requests)).toMatch(/CANCEL/i);
      // The same button pressed again, once the training has ended: a reason, not the generic apology.
      await stack.temporal.workflow.getHandle(workflowIds.avatar(avatarId)).result();
      const again = tg().pressButton(id, training.message_id, `ax:${avatarId}`);
      await eventually(() => tg().world.callbackAnswers.get(again.callback_query!.id)?.text === 'Задача не найдена или уже завершена.');
      expect(texts(id).filter((t) => t.includes('Что-то пошло не так'))).toEqual([]);

      const id2 = uniqueTelegramId();
      const draft = await createDraft(id2, 'Черновик');
      tg().sendText(id2, '/cancel');
      await eventually(() => has(id2, 'Аватар «Черновик» отменён. Ничего не списано.'));
      expect(await stack.prisma.avatar.findUniqueOrThrow({ where: { id: draft } })).toMatchObject({ status: 'CANCELLED' });
      expect(await stack.prisma.transaction.count({ where: { jobId: workflowIds.avatar(draft) } })).toBe(0);

      // A draft that ended while the chat still collects photos (cancelled elsewhere): the next photo is asked what it is for.
      const id3 = uniqueTelegramId();
      const ended = stack.temporal.workflow.getHandle(workflowIds.avatar(await createDraft(id3, 'Ушёл')));
      await ended.signal('cancel', { reason: 'user' });
      await ended.result();
      await tg().users.sendPhoto(id3, await photo(5100));
      await eventually(() => has(id3, 'Что сделать с этим фото?'));
      expect(texts(id3).filter((t) => t.includes('Что-то пошло не так'))).toEqual([]);
    } finally {
      stack.fal.knobs.trainingJobMs = 2500;
    }
  });

  it('the worker killed and restarted during training → the avatar still completes', async () => {
    stack.fal.knobs.trainingJobMs = 6000;
    try {
      const id = uniqueTelegramId();
      const avatarId = await createDraft(id, 'Рестарт');
      await sendGoodPhotos(id, 10, 6000);
      await eventually(() => statusMessage(id)?.text?.includes('принято 10'), { timeoutMs: 60_000 });
      await pressStart(id);
      await eventually(() => tg().world.botMessages(id).find((m) => m.text?.startsWith('⏳ Обучение')));
      await stack.restartWorkers();
      await eventually(() => has(id, '✅ Аватар «Рестарт» готов'), { timeoutMs: 60_000 });
      expect(await stack.prisma.transaction.count({ where: { jobId: workflowIds.avatar(avatarId) } })).toBe(1);
    } finally {
      stack.fal.knobs.trainingJobMs = 2500;
    }
  });

  it('deadline → cancelled at FAL, FAILED and refunded; an abandoned draft ends by itself, uncharged', async () => {
    stack.fal.knobs.trainingJobMs = 120_000;
    try {
      const id = uniqueTelegramId();
      await createDraft(id, 'Срок'); // the bot's draft is only used to register the user and chat
      const user = await userRow(id);
      const fileIds = await photoFiles(id, 7000);
      const start = (avatarId: string, overrides: Partial<AvatarTrainingInput>) => startDirect(id, user.id, avatarId, { name: 'Срок', kind: 'STYLE', deadlineSeconds: 4, ...overrides });
      const deadlineAvatar = crypto.randomUUID();
      // As the bot starts them (revision 2: the checks are one activity's attempts, ended by the deadline).
      const h = await start(deadlineAvatar, { revision: AVATAR_TRAINING_REVISION, maxPollSeconds: 2 });
      for (const f of fileIds) await h.signal('photoAdded', f);
      await eventually(async () => (await h.query(avatarStatusQuery)).stage === 'READY', { timeoutMs: 60_000 });
      await h.signal('startTraining');
      const final = await h.result();
      expect(final).toMatchObject({ stage: 'FAILED', failureReason: 'deadline' });
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 200);
      expect(has(id, 'Обучение заняло слишком много времени')).toBe(true);

      const abandoned = crypto.randomUUID();
      const h2 = await start(abandoned, { draftTtlSeconds: 2 });
      expect(await h2.result()).toMatchObject({ stage: 'CANCELLED' });
      expect(has(id, 'больше суток без новых фото')).toBe(true);
      expect(await stack.prisma.transaction.count({ where: { jobId: workflowIds.avatar(abandoned) } })).toBe(0);
    } finally {
      stack.fal.knobs.trainingJobMs = 2500;
    }
  });
  it('revision 2 waits on FAL with one activity: many status checks, nothing in the history between them; progress edited in place; a status that scrolled away moves down', async () => {
    Object.assign(stack.fal.knobs, { trainingJobMs: 15_000, webhookLossRate: 1 });
    try {
      const id = uniqueTelegramId();
      await createDraft(id, 'Часы');
      const user = await userRow(id);
      const fileIds = await photoFiles(id, 7100);
      const avatarId = crypto.randomUUID();
      const h = await startDirect(id, user.id, avatarId, {
        name: 'Часы',
        revision: AVATAR_TRAINING_REVISION,
        pollSeconds: 1,
        maxPollSeconds: 2,
        progressSeconds: 1,
        expectedTrainingSeconds: 15,
      });
      for (const f of fileIds) await h.signal('photoAdded', f);
      await eventually(async () => (await h.query(avatarStatusQuery)).stage === 'READY', { timeoutMs: 60_000 });
      await h.signal('startTraining');
      const row = await eventually(async () => {
        const r = await stack.prisma.avatar.findUniqueOrThrow({ where: { id: avatarId } });
        return r.status === 'TRAINING' ? r : null;
      }, { timeoutMs: 30_000 });
      const training = (m: { text?: string }) => !!m.text?.includes('⏳ Обучение «Часы»');
      // FAL's percentage reaches the status message, edited in place by the activity
      await eventually(
        () => tg().world.calls.some((c) => c.method === 'editMessageText' && Number(c.params.chat_id) === id && /Обучение «Часы» · [1-9]\d*%/.test(String(c.params.text))),
        { timeoutMs: 30_000 },
      );
      const first = tg().world.botMessages(id).find(training)!;
      // the user writes: the status scrolls out of sight, is sent again at the bottom and the old one removed
      for (let i = 0; i < 6; i++) tg().sendText(id, `привет ${i}`);
      const moved = await eventually(() => tg().world.botMessages(id).find((m) => training(m) && m.message_id > first.message_id && !m.deleted), { timeoutMs: 30_000 });
      await eventually(() => tg().world.chatMessages(id).find((m) => m.message_id === first.message_id)?.deleted);
      // completed by the checks (every webhook is lost): the outcome replies to the status the user now sees
      const ready = await eventually(() => tg().world.botMessages(id).find((m) => m.text?.startsWith('✅ Аватар «Часы»')), { timeoutMs: 60_000 });
      const statusNow = tg().world.botMessages(id).filter((m) => training(m) && !m.deleted).at(-1)!;
      expect(statusNow.message_id).toBeGreaterThanOrEqual(moved.message_id);
      expect(ready.reply_to_message?.message_id).toBe(statusNow.message_id);
      // the status keeps the activity's last text (a percentage) and loses its buttons
      expect(statusNow.text).toMatch(/Обучение «Часы» · \d+%/);
      expect(statusNow.reply_markup?.inline_keyboard.flat() ?? []).toEqual([]);
      expect(await h.result()).toMatchObject({ stage: 'COMPLETED' });

      const events = (await h.fetchHistory()).events ?? [];
      const watches = events.flatMap((e, i) => (e.activityTaskScheduledEventAttributes?.activityType?.name === 'watchTraining' ? [i] : []));
      const checks = stack.fal.jobs.get(row.falRequestId!)!.statusChecks ?? 0;
      expect(watches.length).toBeGreaterThanOrEqual(2); // the first watch, and one more after the status moved
      expect(checks).toBeGreaterThanOrEqual(watches.length + 3);
      expect(events.slice(watches[0]).filter((e) => e.timerStartedEventAttributes)).toEqual([]);
      expect(events.slice(watches[0]).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'trainingStatus')).toEqual([]);
    } finally {
      Object.assign(stack.fal.knobs, { trainingJobMs: 2500, webhookLossRate: 0 });
    }
  });
  it('the user blocks the bot during training → cancelled at FAL and refunded at once, the reason recorded', async () => {
    const id = uniqueTelegramId();
    const avatarId = await createDraft(id, 'Блок');
    await sendGoodPhotos(id, 12, 9000);
    await eventually(() => statusMessage(id)?.text?.includes('принято 12 из 10–20'), { timeoutMs: 60_000 });
    stack.fal.knobs.trainingJobMs = 60_000;
    try {
      await pressStart(id);
      await eventually(async () => (await stack.prisma.avatar.findUniqueOrThrow({ where: { id: avatarId } })).status === 'TRAINING', { timeoutMs: 30_000 });
      const user = await userRow(id);
      expect(await getBalance(stack.prisma, user.id)).toBe(50);
      await eventually(async () => (await stack.temporal.workflow.count(`UserId = '${id}' AND JobKind = 'avatar_training' AND ExecutionStatus = 'Running'`)).count === 1);
      tg().blockBot(id);
      const avatar = await eventually(async () => {
        const row = await stack.prisma.avatar.findUniqueOrThrow({ where: { id: avatarId } });
        return row.status === 'CANCELLED' ? row : null;
      }, { timeoutMs: 30_000 });
      expect(avatar.failureReason).toBe('user_blocked');
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 200);
      const requestId = avatar.falRequestId!;
      await eventually(() => stack.fal.jobs.get(requestId)?.cancelled === true);
    } finally {
      stack.fal.knobs.trainingJobMs = 2500;
    }
  });
});

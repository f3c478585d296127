import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBalance, jobLedger } from '../../lib/db/ledger';
import { JobStatusKey } from '../../vocabulary/search-attributes';
import { uniqueTelegramId } from '../helpers/config';
import { buttonData, eventually, startStack, type Stack } from '../helpers/stack';
import { TELEGRAM_FAILURE_CLASSES } from '../helpers/telegram-failures';

/**
 * The promise at the edges, through the bot and the stand-ins: what the user
 * saw is what they pay; a Telegram answer never fails a job or holds money; a
 * user who blocks the bot is refunded at once; /cancel cancels.
 */
const WELCOME = 100;
const PRICE = 4; // Imagen 4, per image
const FINAL = ['completed', 'partial', 'failed', 'cancelled'];

describe('the promise at the edges', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { FAL_POLL_INTERVAL_SECONDS: '1', WELCOME_CREDITS: String(WELCOME) } });
    Object.assign(stack.fal.knobs, { imageJobMs: 300 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';
  const photos = (id: number) => msgs(id).filter((m) => m.photo).length;
  const answer = (update: { callback_query?: { id: string } }) => eventually(() => tg().world.callbackAnswers.get(update.callback_query!.id));

  async function onboard() {
    const id = uniqueTelegramId();
    tg().sendText(id, '/start');
    await eventually(() => msgs(id).some((m) => textOf(m).includes('Привет')));
    const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    return { id, user };
  }

  /** `/imagen prompt`, then the count pressed and shown; the options message as it is now. */
  async function options(id: number, prompt: string, count = 1) {
    tg().sendText(id, `/imagen ${prompt}`);
    const message = await eventually(() => msgs(id).findLast((m) => textOf(m).includes(prompt) && m.reply_markup));
    if (count !== 1) {
      tg().pressButton(id, message.message_id, `gn:${count}`);
      await eventually(() => textOf(tg().world.find(id, message.message_id)!).includes(`итого ${PRICE * count}`));
    }
    return message.message_id;
  }
  const create = (id: number, messageId: number) => tg().pressButton(id, messageId, buttonData(tg().world.find(id, messageId), 'gg'));

  async function generationOf(userId: number) {
    return eventually(() => stack.prisma.generation.findFirst({ where: { userId }, orderBy: { createdAt: 'desc' } }));
  }
  /** Waits until the job and its billing have ended; returns what the user got and paid. */
  async function settled(userId: number, generationId: string) {
    const job = stack.temporal.workflow.getHandle(`gen-${generationId}`);
    await eventually(async () => (await job.describe()).status.name !== 'RUNNING', { timeoutMs: 90_000 });
    const bill = stack.temporal.workflow.getHandle(`bill-gen-${generationId}`);
    await eventually(async () => (await bill.describe()).status.name !== 'RUNNING', { timeoutMs: 30_000 });
    const description = await job.describe();
    return {
      workflow: description.status.name,
      jobStatus: description.typedSearchAttributes.get(JobStatusKey),
      generation: await stack.prisma.generation.findUniqueOrThrow({ where: { id: generationId } }),
      gallery: await stack.prisma.image.count({ where: { generationId } }),
      balance: await getBalance(stack.prisma, userId),
      ledger: await jobLedger(stack.prisma, `gen-${generationId}`),
    };
  }

  it('the count the message could not show is not the count charged: Create charges the offer on the screen', async () => {
    const { id, user } = await onboard();
    const messageId = await options(id, 'зимний лес');
    tg().failNext({ method: 'editMessageText', code: 429, description: 'Too Many Requests: retry after 5', retryAfter: 5, chatId: id, times: 1 });
    const press = tg().pressButton(id, messageId, 'gn:4');
    const told = await answer(press);
    expect(textOf(tg().world.find(id, messageId)!)).toContain('итого 4.');
    create(id, messageId);
    const generation = await generationOf(user.id);
    const end = await settled(user.id, generation.id);
    expect(end.ledger.charged).toBe(PRICE);
    expect(end.balance).toBe(WELCOME - PRICE);
    expect(end.generation.numImages).toBe(1);
    expect(photos(id)).toBe(1);
    expect(told.text).toContain('Не получилось обновить');
  });

  it('offers: a stale, a replayed, a mismatched and another draft’s Create are refused with a fresh offer and cost nothing', async () => {
    const { id, user } = await onboard();
    const first = await options(id, 'старый набросок');
    const firstCreate = buttonData(tg().world.find(id, first), 'gg');
    const second = await options(id, 'новый набросок', 2);
    const secondCreate = buttonData(tg().world.find(id, second), 'gg');
    const [, draft] = secondCreate.split(':');
    const cases: [string, string, number][] = [
      ['a button from before offers carried their terms', 'gg', second],
      ['another draft’s Create (the older message)', firstCreate, first],
      ['a total the tariff does not give', `gg:${draft}:2:0:2`, second],
      ['a count the message never offered', `gg:${draft}:9:0:36`, second],
    ];
    for (const [what, data, messageId] of cases) {
      const before = msgs(id).length;
      const press = tg().pressButton(id, messageId, data);
      expect((await answer(press)).text, what).toContain('Предложение изменилось');
      const fresh = await eventually(() => msgs(id).slice(before).find((m) => m.reply_markup));
      expect(textOf(fresh), what).toContain('итого 8');
    }
    expect(await stack.prisma.generation.count({ where: { userId: user.id } })).toBe(0);
    expect(await getBalance(stack.prisma, user.id)).toBe(WELCOME);

    // The genuine offer, pressed twice (a double tap, or Telegram redelivering the press): one job.
    tg().pressButton(id, second, secondCreate);
    tg().pressButton(id, second, secondCreate);
    const generation = await generationOf(user.id);
    const end = await settled(user.id, generation.id);
    expect(await stack.prisma.generation.count({ where: { userId: user.id } })).toBe(1);
    expect(end.generation.numImages).toBe(2);
    expect(end.balance).toBe(WELCOME - 2 * PRICE);
  });

  it('a user who blocks the bot mid-job: the job ends at once, final, refunded in full, with the reason in its memo', async () => {
    const { id, user } = await onboard();
    stack.fal.knobs.imageJobMs = 30_000;
    try {
      const messageId = await options(id, 'закат над морем', 2);
      create(id, messageId);
      const generation = await generationOf(user.id);
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === WELCOME - 2 * PRICE);
      await eventually(async () => (await stack.temporal.workflow.count(`UserId = '${id}' AND JobKind = 'generation' AND ExecutionStatus = 'Running'`)).count === 1);
      // blocked while the job waits on FAL (RUNNING is written as that wait begins): the reason survives the wait's "cancelled"
      await eventually(async () => (await stack.prisma.generation.findUniqueOrThrow({ where: { id: generation.id } })).status === 'RUNNING');
      tg().blockBot(id);
      const end = await settled(user.id, generation.id);
      expect(end.workflow).toBe('COMPLETED');
      expect(end.jobStatus).toBe('cancelled');
      expect(end.generation).toMatchObject({ status: 'CANCELLED', failureReason: 'user_blocked' });
      expect(end.balance).toBe(WELCOME);
      expect(end.ledger).toMatchObject({ charged: 2 * PRICE, refunded: 2 * PRICE });
      expect(photos(id)).toBe(0);
      const memo = (await stack.temporal.workflow.getHandle(`gen-${generation.id}`).describe()).memo;
      expect(JSON.stringify(memo)).toContain('user_blocked');
    } finally {
      stack.fal.knobs.imageJobMs = 300;
    }
  });

  it('a user whose chat answers 403 at delivery (Telegram never said): nothing delivered, nothing paid, nothing left in the gallery', async () => {
    const { id, user } = await onboard();
    stack.fal.knobs.imageJobMs = 2_000;
    try {
      const messageId = await options(id, 'горный ручей', 2);
      create(id, messageId);
      const generation = await generationOf(user.id);
      await eventually(async () => (await stack.prisma.generation.findUniqueOrThrow({ where: { id: generation.id } })).status === 'RUNNING');
      tg().world.blocked.add(id); // blocked without a my_chat_member update: only the 403s tell
      const end = await settled(user.id, generation.id);
      expect(FINAL).toContain(end.jobStatus);
      expect(end.generation.failureReason).toBe('user_blocked');
      expect([end.gallery, photos(id), end.balance]).toEqual([0, 0, WELCOME]);
    } finally {
      stack.fal.knobs.imageJobMs = 300;
    }
  });

  it('/cancel during a generation cancels it and refunds; with nothing running it says so', async () => {
    const { id, user } = await onboard();
    tg().sendText(id, '/cancel');
    await eventually(() => msgs(id).some((m) => textOf(m) === 'Нечего отменять.'));
    stack.fal.knobs.imageJobMs = 30_000;
    try {
      const messageId = await options(id, 'маяк в тумане');
      create(id, messageId);
      const generation = await generationOf(user.id);
      await eventually(async () => (await stack.temporal.workflow.count(`UserId = '${id}' AND JobKind = 'generation' AND ExecutionStatus = 'Running'`)).count === 1);
      tg().sendText(id, '/cancel');
      await eventually(() => msgs(id).some((m) => textOf(m).startsWith('Отменяю генерацию')));
      const end = await settled(user.id, generation.id);
      expect(end.generation.status).toBe('CANCELLED');
      expect(end.jobStatus).toBe('cancelled');
      expect(end.balance).toBe(WELCOME);
      expect(photos(id)).toBe(0);
    } finally {
      stack.fal.knobs.imageJobMs = 300;
    }
  });

  it('a connection that breaks before Telegram acts on the call: the reply and the Create press still happen, once', async () => {
    const { id, user } = await onboard();
    const reset = { reset: true, code: 0, description: 'connection reset', times: 1 };
    tg().failNext({ ...reset, method: 'sendMessage', chatId: id });
    tg().sendText(id, '/cancel');
    await eventually(() => msgs(id).some((m) => textOf(m) === 'Нечего отменять.'));

    const messageId = await options(id, 'сосны у воды');
    tg().failNext({ ...reset, method: 'answerCallbackQuery' }); // it names no chat: the next one, which is this press
    create(id, messageId);
    const generation = await generationOf(user.id);
    const end = await settled(user.id, generation.id);
    expect(end.generation.status).toBe('COMPLETED');
    expect(photos(id)).toBe(1);
    expect(end.ledger.charged).toBe(PRICE);
    expect(end.balance).toBe(WELCOME - PRICE);
    expect(msgs(id).filter((m) => textOf(m) === 'Нечего отменять.')).toHaveLength(1);
    expect(msgs(id).some((m) => textOf(m).includes('Что-то пошло не так'))).toBe(false);
  });

  it('Telegram\'s flood limit across chats (429 retry_after): users who write at once are all answered, none with an apology', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => onboard()));
    tg().knobs.rateLimitOverall = 3; // messages a second across all chats (Telegram: about 30)
    try {
      for (const { id } of users) tg().sendText(id, '/balance');
      for (const { id } of users) await eventually(() => msgs(id).some((m) => textOf(m).startsWith('💰 Баланс')), { timeoutMs: 30_000 });
    } finally {
      tg().knobs.rateLimitOverall = 0;
    }
    for (const { id } of users) expect(msgs(id).some((m) => textOf(m).includes('Что-то пошло не так'))).toBe(false);
  });

  /**
   * Every Telegram call a generation makes × every class of Telegram answer:
   * the job ends (final JobStatus, billing closed), and the user pays exactly
   * for the images that reached the chat, which are exactly the gallery's.
   */
  describe('matrix: each Telegram call of a generation × each failure class', () => {
    const classes = TELEGRAM_FAILURE_CLASSES;
    const steps: { step: string; method: string; count: number; skip?: number; falFails?: boolean }[] = [
      { step: 'progress message', method: 'sendMessage', count: 1 },
      { step: 'single photo', method: 'sendPhoto', count: 1 },
      { step: 'album', method: 'sendMediaGroup', count: 2 },
      { step: 'buttons under the album', method: 'sendMessage', count: 2, skip: 1 },
      { step: 'progress removed (completed)', method: 'deleteMessage', count: 1 },
      { step: 'progress removed (FAL failed)', method: 'deleteMessage', count: 1, falFails: true },
      { step: 'outcome message (FAL failed)', method: 'sendMessage', count: 1, skip: 1, falFails: true },
    ];
    for (const { step, method, count, skip, falFails } of steps) {
      it(`${step} (${method})`, async () => {
        if (falFails) stack.fal.knobs.jobFailureRate = 1;
        const results = await Promise.all(
          Object.entries(classes).map(async ([name, failure]) => {
            const { id, user } = await onboard();
            const messageId = await options(id, `матрица ${name}`, count);
            tg().failNext({ ...failure, method, chatId: id, skip });
            create(id, messageId);
            const generation = await generationOf(user.id);
            const end = await settled(user.id, generation.id);
            const delivered = photos(id);
            return { name, delivered, ...end };
          }),
        ).finally(() => (stack.fal.knobs.jobFailureRate = 0));
        for (const r of results) {
          expect(r.workflow, r.name).toBe('COMPLETED');
          expect(FINAL, r.name).toContain(r.jobStatus);
          expect(r.gallery, r.name).toBe(r.delivered);
          expect(r.balance, r.name).toBe(WELCOME - PRICE * r.delivered);
          expect(r.ledger.charged - r.ledger.refunded, r.name).toBe(PRICE * r.delivered);
          expect(r.ledger.charged, r.name).toBe(PRICE * count);
        }
        // Retried answers change nothing for the user.
        for (const name of ['rateLimited', 'down']) {
          const r = results.find((x) => x.name === name)!;
          expect(r.delivered, name).toBe(falFails ? 0 : count);
        }
      }, 120_000);
    }
  });
});

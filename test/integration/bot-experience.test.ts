import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from 'grammy';
import type { AppContext } from '../../bot/context';
import { createBot } from '../../bot/create-bot';
import { MENU_COMMANDS } from '../../bot/features/help';
import { callbacks } from '../../vocabulary/callback-data';
import { createHttpServer, TELEGRAM_WEBHOOK_PATH } from '../../bot/http-server';
import { handleUpdatesOnce, UpdateInProgressError } from '../../bot/middleware';
import { getBalance } from '../../lib/db/ledger';
import { createLogger } from '../../lib/logger';
import { createPrisma } from '../../lib/prisma';
import { freeLoopbackPort } from '../../workers/metrics-server';
import { TEST_BOT_INFO, uniqueTelegramId } from '../helpers/config';
import { buttonData, eventually, startStack, type Stack } from '../helpers/stack';

describe('bot experience: help, menus, limits, jobs, sessions, redelivery, error boundary, webhook mode', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { WELCOME_CREDITS: '100', FAL_POLL_INTERVAL_SECONDS: '1' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';
  const count = (id: number, part: string) => msgs(id).filter((m) => textOf(m).includes(part)).length;
  const find = (id: number, part: string) => msgs(id).find((m) => textOf(m).includes(part));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function onboard(id: number, language_code?: string) {
    tg().sendText(id, '/start', language_code ? { language_code } : {});
    await eventually(() => find(id, language_code === 'en' ? 'Hi' : 'Привет'));
    return stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
  }

  /** /avatar → Create → Portrait: the bot now asks for the name. */
  async function untilAvatarName(id: number) {
    tg().sendText(id, '/avatar');
    const menu = await eventually(() => msgs(id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === 'ac')));
    tg().pressButton(id, menu.message_id, 'ac');
    const types = await eventually(() => find(id, 'Какой аватар'));
    tg().pressButton(id, types.message_id, 'at:portrait');
    await eventually(() => find(id, 'Как назовём'));
  }

  it('/help names every feature with its price, in the user’s language; command menus are set for Russian and English', async () => {
    const ru = uniqueTelegramId();
    await onboard(ru);
    tg().sendText(ru, '/help');
    const help = textOf(await eventually(() => find(ru, 'Что я умею')));
    for (const part of ['/avatar', '150 кредитов', '/imagen', '4 кредита', '/generate', '5 кредитов', '1 кредит за начатую минуту', '/gallery', '/jobs', '/topup', '/lang', '/cancel']) {
      expect(help).toContain(part);
    }
    const en = uniqueTelegramId();
    await onboard(en, 'en');
    tg().sendText(en, '/help', { language_code: 'en' });
    expect(textOf(await eventually(() => find(en, 'What I can do')))).toContain('150 credits');

    const everyone = tg().world.myCommands(undefined, '');
    const english = tg().world.myCommands(undefined, 'en');
    expect(everyone.map((c) => c.command)).toEqual([...MENU_COMMANDS]);
    expect(english.map((c) => c.command)).toEqual([...MENU_COMMANDS]);
    expect(everyone.find((c) => c.command === 'gallery')?.description).toBe('Ваша галерея');
    expect(english.find((c) => c.command === 'gallery')?.description).toBe('Your gallery');
  });

  it('20 messages in one second from one user are limited with one notice; a second user is unaffected', async () => {
    const flooder = uniqueTelegramId();
    const calm = uniqueTelegramId();
    await onboard(flooder);
    await onboard(calm);
    const before = msgs(flooder).length;
    for (let i = 0; i < 20; i++) tg().sendText(flooder, `сообщение ${i}`);
    tg().sendText(calm, '/balance');
    await eventually(() => find(calm, 'Баланс: 100'));
    await eventually(() => count(flooder, 'Слишком много сообщений') === 1);
    await sleep(1000);
    // within the limit (12 per 10 s, /start may share the window): each offered as a prompt; then one notice, then silence
    const answers = msgs(flooder).slice(before);
    const understood = answers.filter((m) => textOf(m).includes('Нарисовать это?')).length;
    expect(understood).toBeGreaterThanOrEqual(11);
    expect(understood).toBeLessThanOrEqual(12);
    expect(answers).toHaveLength(understood + 1);
    expect(count(flooder, 'Слишком много сообщений')).toBe(1);
  });

  it('a redelivered update (same update_id) is handled once', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    await stack.stopPolling(); // delivered by hand, as a webhook redelivery would
    try {
      const bot = createBot(stack);
      await bot.init();
      const update = tg().sendText(id, '/balance');
      tg().world.drain();
      await bot.handleUpdate(update);
      await bot.handleUpdate(update);
      await bot.handleUpdate(update);
    } finally {
      await stack.restartBot();
    }
    tg().sendText(id, '/help');
    await eventually(() => find(id, 'Что я умею'));
    expect(count(id, 'Баланс: 100 кредитов')).toBe(1);
  });

  it('an update whose handling failed is not claimed: its redelivery is handled', async () => {
    const bot = new Bot<AppContext>(stack.config.telegram.token, { botInfo: TEST_BOT_INFO, client: { apiRoot: stack.config.telegram.apiRoot } });
    bot.use((ctx, next) => {
      ctx.logger = stack.logger;
      return next();
    });
    bot.use(handleUpdatesOnce(stack.redis));
    let attempts = 0;
    bot.on('message', () => {
      attempts += 1;
      if (attempts === 1) throw new Error('Temporal is briefly unreachable');
    });
    const update = { update_id: 900_000_000 + Math.floor(Math.random() * 90_000_000), message: { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'A' }, from: { id: 1, is_bot: false, first_name: 'A' }, text: 'paid' } } as Update;
    await expect(bot.handleUpdate(update)).rejects.toThrow(/briefly unreachable/);
    await bot.handleUpdate(update); // Telegram redelivers (the webhook answered 500)
    await bot.handleUpdate(update); // a duplicate after success is dropped
    expect(attempts).toBe(2);
  });

  it('an update whose bot died holding it is late, not lost: its redelivery is refused while the claim lives (so Telegram retries), then handled', async () => {
    const instance = (onMessage: () => Promise<void> | void) => {
      const bot = new Bot<AppContext>(stack.config.telegram.token, { botInfo: TEST_BOT_INFO, client: { apiRoot: stack.config.telegram.apiRoot } });
      bot.use((ctx, next) => {
        ctx.logger = stack.logger;
        return next();
      });
      bot.use(handleUpdatesOnce(stack.redis, { prefix: 'aisha:test-update:', processingSeconds: 2 }));
      bot.on('message', onMessage);
      return bot;
    };
    // The first instance takes the update and never finishes (kill -9 mid-handler).
    const dying = instance(() => new Promise<void>(() => undefined));
    let handled = 0;
    const survivor = instance(() => void (handled += 1));
    const update = { update_id: 900_000_000 + Math.floor(Math.random() * 90_000_000), message: { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'A' }, from: { id: 1, is_bot: false, first_name: 'A' }, text: 'paid' } } as Update;
    void dying.handleUpdate(update);
    await eventually(async () => (await stack.redis.get(`aisha:test-update:${TEST_BOT_INFO.id}:${update.update_id}`)) === 'processing');
    // Telegram redelivers to the survivor (the dead bot's connection failed): refused, so Telegram keeps the update.
    await expect(survivor.handleUpdate(update)).rejects.toMatchObject({ error: expect.any(UpdateInProgressError) });
    expect(handled).toBe(0);
    // Once the dead bot's claim lapses, the next redelivery is handled — once.
    await eventually(async () => {
      await survivor.handleUpdate(update);
      return handled === 1;
    });
    await survivor.handleUpdate(update);
    expect(handled).toBe(1);
  });

  it('an update that meets a database outage in webhook mode is refused, so Telegram delivers it again, and the redelivery is handled: no apology, nothing lost', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    const webhook = { ...stack.config, telegram: { ...stack.config.telegram, mode: 'webhook' as const } };
    const services = { config: webhook, logger: stack.logger, prisma: stack.prisma, temporal: stack.temporal, i18n: stack.i18n, redis: stack.redis, storage: stack.storage };
    // This instance's PostgreSQL is unreachable (a real client on a port nothing listens on), as during a restart.
    const unreachable = createPrisma(`postgresql://aisha:aisha@127.0.0.1:${await freeLoopbackPort()}/aisha`);
    try {
      const cutOff = createBot({ ...services, prisma: unreachable }, { botInfo: TEST_BOT_INFO });
      const healthy = createBot(services, { botInfo: TEST_BOT_INFO });
      const update = { update_id: 900_000_000 + Math.floor(Math.random() * 90_000_000), message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id, type: 'private', first_name: 'A' }, from: { id, is_bot: false, first_name: 'A' }, text: '/balance', entities: [{ type: 'bot_command', offset: 0, length: 8 }] } } as Update;
      const before = msgs(id).length;
      await expect(cutOff.handleUpdate(update)).rejects.toThrow(/reach database|ECONNREFUSED/);
      await sleep(500);
      expect(msgs(id).slice(before).map(textOf)).toEqual([]); // no apology: Telegram keeps the update
      await healthy.handleUpdate(update);
      expect(textOf(await eventually(() => msgs(id).slice(before).find((m) => textOf(m).includes('💰 Баланс'))))).toContain('100');
    } finally {
      await unreachable.$disconnect();
    }
  });

  it('a bot restart in the middle of avatar creation: the flow continues where it was', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    await untilAvatarName(id);
    await stack.restartBot();
    tg().sendText(id, 'Марина');
    const avatar = await eventually(() => stack.prisma.avatar.findFirst({ where: { name: 'Марина', user: { telegramId: BigInt(id) } } }));
    expect(avatar.status).toBe('COLLECTING_PHOTOS');
  });

  it('/jobs while an avatar is being created: listed with a cancel button (its 43-character workflow id fits no button), and cancelling works', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    await untilAvatarName(id);
    tg().sendText(id, 'Длинный');
    const avatar = await eventually(() => stack.prisma.avatar.findFirst({ where: { name: 'Длинный', user: { telegramId: BigInt(id) } } }));
    await eventually(async () => (await stack.temporal.workflow.count(`UserId = '${id}' AND JobKind = 'avatar_training' AND ExecutionStatus = 'Running'`)).count === 1);
    tg().sendText(id, '/jobs');
    const list = await eventually(() => msgs(id).findLast((m) => textOf(m).startsWith('⏳ Сейчас в работе') || textOf(m).includes('Что-то пошло не так')));
    expect(textOf(list)).toContain('⏳ Сейчас в работе');
    const cancel = (list.reply_markup!.inline_keyboard[0]![0] as { callback_data: string }).callback_data;
    expect(cancel).toBe(`jc:a:${avatar.id}`);
    const own = tg().pressButton(id, list.message_id, cancel);
    await eventually(() => tg().world.callbackAnswers.get(own.callback_query!.id)?.text?.startsWith('Отменяю'));
    await eventually(async () => (await stack.temporal.workflow.getHandle(`avatar-${avatar.id}`).describe()).status.name !== 'RUNNING', { timeoutMs: 60_000 });
  });

  it('in a group chat nothing personal is posted: every command gets one pointer to the private chat, every button a popup', async () => {
    // Two members with balances (one person's commands alone would hit the 12-messages-in-10-s limit).
    const id = uniqueTelegramId();
    const user = await onboard(id);
    const otherId = uniqueTelegramId();
    await onboard(otherId);
    const groupId = -1_000_000_000_000 - id;
    const bot = createBot(stack, { botInfo: TEST_BOT_INFO });
    const toGroup: { method: string; payload: Record<string, unknown> }[] = [];
    let nextId = 1;
    // Telegram for the group chat (the stand-in knows only private chats): record the calls, answer as Telegram would.
    bot.api.config.use(async (prev, method, payload, signal) => {
      const p = (payload ?? {}) as Record<string, unknown>;
      if (p.chat_id === groupId || method === 'answerCallbackQuery') {
        toGroup.push({ method, payload: p });
        const result = method === 'answerCallbackQuery' ? true : { message_id: nextId++, date: 0, chat: { id: groupId, type: 'supergroup', title: 'G' }, text: String(p.text ?? '') };
        return { ok: true, result } as never;
      }
      return prev(method, payload, signal);
    });
    await bot.init();
    const chat = { id: groupId, type: 'supergroup' as const, title: 'Друзья' };
    const members = [id, otherId].map((memberId) => ({ id: memberId, is_bot: false, first_name: 'U', language_code: 'ru' }));
    const from = members[0]!;
    let updateId = 1_900_000_000 + (id % 50_000_000);
    const commands = [...MENU_COMMANDS.map((c) => `/${c}`), '/balance@' + TEST_BOT_INFO.username, '/imagen закат', '/generate портрет', '/admin', '/gallery'];
    for (const [i, text] of commands.entries()) {
      await bot.handleUpdate({ update_id: updateId++, message: { message_id: nextId++, date: 0, chat, from: members[i % 2], text, entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] } } as Update);
    }
    await bot.handleUpdate({ update_id: updateId++, message: { message_id: nextId++, date: 0, chat, from, text: 'просто сообщение в группе' } } as Update);
    await bot.handleUpdate({ update_id: updateId++, message: { message_id: nextId++, date: 0, chat, from, text: '/balance@other_bot' } } as Update);
    const uuid = '00000000-0000-4000-8000-000000000000';
    const presses = Object.values(callbacks).map((cb) => cb.prefix + (cb.maxBytes > cb.prefix.length ? ':' + uuid : ''));
    for (const data of presses) {
      const message = { message_id: nextId++, date: 0, chat, from: { id: TEST_BOT_INFO.id, is_bot: true, first_name: 'Aisha' }, text: '…' };
      await bot.handleUpdate({ update_id: updateId++, callback_query: { id: `cq-${updateId}`, from: members[updateId % 2], message, chat_instance: String(groupId), data } } as Update);
    }

    const balance = String(await getBalance(stack.prisma, user.id));
    const notice = '🔒 Баланс, изображения, аватары и расшифровки — только в личном чате со мной.';
    const messages = toGroup.filter((c) => c.method !== 'answerCallbackQuery');
    expect(messages.map((c) => c.method)).toEqual(commands.map(() => 'sendMessage'));
    expect(new Set(messages.map((c) => c.payload.text))).toEqual(new Set([notice]));
    expect(JSON.stringify(messages)).not.toContain(`${balance} `);
    const answers = toGroup.filter((c) => c.method === 'answerCallbackQuery');
    expect(answers).toHaveLength(presses.length);
    expect(new Set(answers.map((c) => c.payload.text))).toEqual(new Set([notice]));
  });

  it('two bot instances share sessions and claim each update once', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    await stack.stopPolling(); // the instances below get the updates by hand, as two webhook instances would
    try {
      const [one, two] = [createBot(stack), createBot(stack)];
      await Promise.all([one.init(), two.init()]);
      const deliver = async (bot: typeof one, make: () => Update) => {
        const update = make();
        tg().world.drain();
        await bot.handleUpdate(update);
        return update;
      };
      await deliver(one, () => tg().sendText(id, '/avatar'));
      const menu = msgs(id).at(-1)!;
      await deliver(two, () => tg().pressButton(id, menu.message_id, 'ac'));
      await deliver(one, () => tg().pressButton(id, msgs(id).at(-1)!.message_id, 'at:style'));
      // the name step began on instance one; instance two continues it
      const named = await deliver(two, () => tg().sendText(id, 'Акварель'));
      await one.handleUpdate(named); // the same update reaching the other instance too
      const avatars = await eventually(async () => {
        const found = await stack.prisma.avatar.findMany({ where: { name: 'Акварель', user: { telegramId: BigInt(id) } } });
        return found.length ? found : null;
      });
      await sleep(500);
      expect(await stack.prisma.avatar.count({ where: { user: { telegramId: BigInt(id) } } })).toBe(1);
      expect(avatars).toHaveLength(1);
      expect(avatars[0]!.type).toBe('STYLE');
    } finally {
      await stack.restartBot();
    }
  });

  it('a failing handler: the user gets a short apology with an error id; the log has the id and the stack', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination: sink });
    // Temporal unreachable: /jobs cannot list anything and throws.
    const deadTemporal = new Client({ connection: await Connection.connect({ address: stack.config.temporal.address }), namespace: stack.config.temporal.namespace });
    await deadTemporal.connection.close();
    await stack.stopPolling();
    try {
      const bot = createBot({ ...stack, logger, temporal: deadTemporal });
      await bot.init();
      const update = tg().sendText(id, '/jobs');
      tg().world.drain();
      await bot.handleUpdate(update);
    } finally {
      await stack.restartBot();
    }
    const apology = textOf(await eventually(() => find(id, 'Что-то пошло не так')));
    const errorId = /([0-9a-f]{8})/.exec(apology)?.[1];
    expect(errorId).toBeTruthy();
    const logged = lines.map((l) => JSON.parse(l) as { errorId?: string; err?: { stack?: string } }).find((l) => l.errorId === errorId);
    expect(logged?.err?.stack).toMatch(/at /);
  });

  it('per-user concurrent jobs: the fourth generation is refused with a message; /jobs lists the three with cancel buttons; only the owner can cancel', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.fal.knobs.imageJobMs = 60_000;
    try {
      for (let i = 0; i < 3; i++) {
        tg().sendText(id, `/imagen маяк ${i}`);
        const options = await eventually(() => msgs(id).findLast((m) => textOf(m).includes(`маяк ${i}`) && m.reply_markup));
        tg().pressButton(id, options.message_id, buttonData(tg().world.find(id, options.message_id), 'gg'));
        await eventually(async () => (await stack.prisma.generation.count({ where: { userId: user.id, status: 'RUNNING' } })) === i + 1);
      }
      tg().sendText(id, '/imagen маяк 3');
      const options = await eventually(() => msgs(id).findLast((m) => textOf(m).includes('маяк 3') && m.reply_markup));
      tg().pressButton(id, options.message_id, buttonData(tg().world.find(id, options.message_id), 'gg'));
      await eventually(() => tg().world.callbackAnswers.size > 0 && [...tg().world.callbackAnswers.values()].some((a) => a.text?.includes('Уже создаются изображения')));
      expect(await stack.prisma.generation.count({ where: { userId: user.id } })).toBe(3);

      // visibility is eventually consistent: wait until Temporal lists the three, then ask once
      await eventually(async () => (await stack.temporal.workflow.count(`UserId = '${id}' AND JobKind = 'generation' AND ExecutionStatus = 'Running'`)).count === 3);
      tg().sendText(id, '/jobs');
      const list = await eventually(() => msgs(id).findLast((m) => textOf(m).startsWith('⏳ Сейчас в работе')));
      expect(list.reply_markup!.inline_keyboard).toHaveLength(4); // a cancel button each, then 🔄
      expect(list.reply_markup!.inline_keyboard[3]!.map((b) => b.text)).toEqual(['🔄 Обновить']);
      expect(textOf(list)).toContain('Изображения');
      const cancel = (list.reply_markup!.inline_keyboard[0]![0] as { callback_data: string }).callback_data;
      expect(cancel).toMatch(/^jc:g:[0-9a-f-]{36}$/);

      const intruder = uniqueTelegramId();
      await onboard(intruder);
      const press = tg().pressButton(intruder, msgs(intruder).at(-1)!.message_id, cancel);
      await eventually(() => tg().world.callbackAnswers.get(press.callback_query!.id)?.text === 'Задача не найдена или уже завершена.');
      expect(await stack.prisma.generation.count({ where: { userId: user.id, status: 'RUNNING' } })).toBe(3);

      const own = tg().pressButton(id, list.message_id, cancel);
      await eventually(() => tg().world.callbackAnswers.get(own.callback_query!.id)?.text?.startsWith('Отменяю'));
      await eventually(async () => (await stack.prisma.generation.count({ where: { userId: user.id, status: 'CANCELLED' } })) === 1, { timeoutMs: 60_000 });
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 100 - 2 * 4);
    } finally {
      stack.fal.knobs.imageJobMs = 300;
      for (const g of await stack.prisma.generation.findMany({ where: { userId: user.id, status: 'RUNNING' } })) {
        await stack.temporal.workflow.getHandle(`gen-${g.id}`).signal('cancel').catch(() => undefined);
      }
    }
  });

  it('webhook mode: a wrong secret_token gets 401 and changes nothing; the right one is handled', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    const secret = 'webhook-secret-for-tests_0123';
    const config = { ...stack.config, telegram: { ...stack.config.telegram, mode: 'webhook' as const, webhookSecret: secret } };
    const bot = createBot({ ...stack, config });
    await bot.init();
    const server = createHttpServer({ bot, config, logger: stack.logger });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}${TELEGRAM_WEBHOOK_PATH}`;
    try {
      await stack.stopPolling();
      const update = tg().sendText(id, '/balance');
      tg().world.drain();
      const post = (token: string | undefined) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { 'x-telegram-bot-api-secret-token': token } : {}) }, body: JSON.stringify(update) });
      expect((await post('wrong-secret')).status).toBe(401);
      expect((await post(undefined)).status).toBe(401);
      await sleep(300);
      expect(count(id, 'Баланс: 100 кредитов')).toBe(0);
      expect((await post(secret)).status).toBe(200);
      await eventually(() => count(id, 'Баланс: 100 кредитов') === 1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await stack.restartBot();
    }
  });
});

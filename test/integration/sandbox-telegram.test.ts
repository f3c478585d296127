import http from 'node:http';
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback, type Context } from 'grammy';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramSandbox } from '../../sandbox/telegram/server';
import { TEST_BOT_TOKEN, uniqueTelegramId } from '../helpers/config';
import { eventually, startStack } from '../helpers/stack';

const jpeg = (w: number, h: number, color = '#3a7') => sharp({ create: { width: w, height: h, channels: 3, background: color } }).jpeg().toBuffer();

describe('the real grammY bot against sandbox/telegram', () => {
  let sandbox: TelegramSandbox;
  let bot: Bot;
  const downloaded = new Map<number, Buffer>();
  const payments: string[] = [];

  beforeAll(async () => {
    sandbox = await new TelegramSandbox({ token: TEST_BOT_TOKEN }).start();
    bot = new Bot(TEST_BOT_TOKEN, { client: { apiRoot: sandbox.apiRoot } });
    bot.command('menu', (ctx) => ctx.reply('Pick one', { reply_markup: new InlineKeyboard().text('A', 'pick:a').text('B', 'pick:b') }));
    bot.callbackQuery(/^pick:(\w)$/, async (ctx) => {
      await ctx.answerCallbackQuery();
      await ctx.editMessageText(`You picked ${ctx.match[1]}`);
    });
    bot.callbackQuery('warn', (ctx) => ctx.answerCallbackQuery({ text: 'Not enough credits', show_alert: true }));
    bot.on('message:photo', async (ctx: Context) => {
      const file = await ctx.getFile();
      const res = await fetch(`${sandbox.apiRoot}/file/bot${TEST_BOT_TOKEN}/${file.file_path}`);
      downloaded.set(ctx.from!.id, Buffer.from(await res.arrayBuffer()));
      await ctx.replyWithPhoto(new InputFile(await jpeg(640, 480), 'echo.jpg'), { caption: 'got it' });
    });
    bot.command('invoice', (ctx) => ctx.replyWithInvoice('100 credits', 'Top-up', 'pack:p50', 'XTR', [{ label: '100 credits', amount: 50 }]));
    bot.on('pre_checkout_query', (ctx) =>
      ctx.preCheckoutQuery.invoice_payload === 'pack:p50' ? ctx.answerPreCheckoutQuery(true) : ctx.answerPreCheckoutQuery(false, 'Unknown pack'),
    );
    bot.on('message:successful_payment', async (ctx) => {
      payments.push(ctx.message.successful_payment.telegram_payment_charge_id);
      await ctx.reply('Paid');
    });
    await bot.init();
    void bot.start();
  });
  afterAll(async () => {
    await bot?.stop();
    await sandbox?.stop();
  });

  const texts = (id: number) => sandbox.world.botMessages(id).map((m) => m.text ?? m.caption ?? '');

  it('answers a command with an inline keyboard; pressing a button edits the message', async () => {
    const id = uniqueTelegramId();
    sandbox.sendText(id, '/menu');
    const menu = await eventually(() => sandbox.world.botMessages(id).find((m) => m.text === 'Pick one'));
    expect(menu.reply_markup?.inline_keyboard[0]?.map((b) => b.text)).toEqual(['A', 'B']);
    sandbox.pressButton(id, menu.message_id, 'pick:b');
    await eventually(() => sandbox.world.find(id, menu.message_id)?.text === 'You picked b');
    expect(sandbox.world.calls.some((c) => c.method === 'answerCallbackQuery')).toBe(true);
  });

  it('round-trips a photo: user upload → getFile → download, and the bot uploads one back (multipart)', async () => {
    const id = uniqueTelegramId();
    const original = await jpeg(800, 600, '#c33');
    await sandbox.users.sendPhoto(id, original);
    await eventually(() => downloaded.get(id));
    expect(downloaded.get(id)!.equals(original)).toBe(true);

    const echo = await eventually(() => sandbox.world.botMessages(id).find((m) => m.photo));
    expect(echo.caption).toBe('got it');
    const largest = echo.photo!.at(-1)!;
    expect([largest.width, largest.height]).toEqual([640, 480]);
    const bytes = sandbox.world.files.get(largest.file_id)!.data;
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
  });

  it('enforces Telegram limits: 4096 characters, 64-byte callback data, the 20 MB getFile cap', async () => {
    const id = uniqueTelegramId();
    sandbox.world.user(id);
    await expect(bot.api.sendMessage(id, 'x'.repeat(4097))).rejects.toMatchObject({ error_code: 400, description: 'Bad Request: message is too long' });
    await expect(bot.api.sendMessage(id, 'ok', { reply_markup: new InlineKeyboard().text('x', 'd'.repeat(65)) })).rejects.toMatchObject({
      description: 'Bad Request: BUTTON_DATA_INVALID',
    });
    await expect(bot.api.sendPhoto(id, new InputFile(await jpeg(10, 10)), { caption: 'c'.repeat(1025) })).rejects.toMatchObject({ error_code: 400 });
    const big = await sandbox.users.sendMedia(id, 'document', Buffer.alloc(21 * 1024 * 1024, 1), { fileName: 'big.bin' });
    await expect(bot.api.getFile(big.message!.document!.file_id)).rejects.toMatchObject({ description: 'Bad Request: file is too big' });
    sandbox.knobs.maxDownloadBytes = 2000 * 1024 * 1024; // a local Bot API server
    await expect(bot.api.getFile(big.message!.document!.file_id)).resolves.toMatchObject({ file_size: 21 * 1024 * 1024 });
    sandbox.knobs.maxDownloadBytes = 20 * 1024 * 1024;
  });

  it('answers 429 with retry_after past the per-chat rate', async () => {
    const id = uniqueTelegramId();
    sandbox.world.user(id);
    sandbox.knobs.rateLimitPerChat = 1;
    try {
      await bot.api.sendMessage(id, 'one');
      const err = await bot.api.sendMessage(id, 'two').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GrammyError);
      expect(err).toMatchObject({ error_code: 429, parameters: { retry_after: 1 } });
    } finally {
      sandbox.knobs.rateLimitPerChat = 0;
    }
  });

  it('sends albums and documents', async () => {
    const id = uniqueTelegramId();
    sandbox.world.user(id);
    const album = await bot.api.sendMediaGroup(id, [
      { type: 'photo', media: new InputFile(await jpeg(300, 200)) },
      { type: 'photo', media: new InputFile(await jpeg(200, 300)) },
    ]);
    expect(album).toHaveLength(2);
    const groups = album.map((m) => (m as { media_group_id?: string }).media_group_id);
    expect(groups[0]).toBeTruthy();
    expect(groups[0]).toBe(groups[1]);
    const doc = await bot.api.sendDocument(id, new InputFile(Buffer.from('hello transcript'), 'transcript.txt'));
    expect(doc.document).toMatchObject({ file_name: 'transcript.txt', mime_type: 'text/plain' });
    expect(sandbox.world.files.get(doc.document!.file_id)!.data.toString()).toBe('hello transcript');
  });

  it('replies as Telegram: reply_parameters or reply_to_message_id → reply_to_message (shallow), quotes, replies with photos, albums and documents', async () => {
    const id = uniqueTelegramId();
    const asked = sandbox.sendText(id, 'Make me a cat\nin a hat').message!;
    const reply = await bot.api.sendMessage(id, 'Here it is', { reply_parameters: { message_id: asked.message_id } });
    expect(reply.reply_to_message).toMatchObject({ message_id: asked.message_id, text: 'Make me a cat\nin a hat', from: { id } });
    expect(sandbox.world.find(id, reply.message_id)?.reply_to_message?.message_id).toBe(asked.message_id);

    // the legacy parameter; a reply to a reply carries the replied message without its own reply
    const again = await bot.api.sendMessage(id, 'And again', { reply_to_message_id: reply.message_id });
    expect(again.reply_to_message).toMatchObject({ message_id: reply.message_id, text: 'Here it is' });
    expect(again.reply_to_message).not.toHaveProperty('reply_to_message');

    const quoted = await bot.api.sendMessage(id, 'A hat it is', { reply_parameters: { message_id: asked.message_id, quote: 'in a hat' } });
    expect(quoted.quote).toMatchObject({ text: 'in a hat', position: 14 });
    await expect(bot.api.sendMessage(id, 'x', { reply_parameters: { message_id: asked.message_id, quote: 'a dog' } })).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: QUOTE_TEXT_INVALID',
    });

    const replyTo = { reply_parameters: { message_id: asked.message_id } };
    const photo = await bot.api.sendPhoto(id, new InputFile(await jpeg(64, 64)), { caption: 'Your cat', ...replyTo });
    expect(photo.reply_to_message?.message_id).toBe(asked.message_id);
    const album = await bot.api.sendMediaGroup(id, [
      { type: 'photo', media: new InputFile(await jpeg(64, 48)) },
      { type: 'photo', media: new InputFile(await jpeg(48, 64)), caption: 'Two more' },
    ], replyTo);
    expect(album.map((m) => m.reply_to_message?.message_id)).toEqual([asked.message_id, asked.message_id]);
    const doc = await bot.api.sendDocument(id, new InputFile(Buffer.from('a cat in a hat'), 'prompt.txt'), replyTo);
    expect(doc.reply_to_message?.message_id).toBe(asked.message_id);
  });

  it('a reply to a message that is not there (never sent, or deleted) is refused as Telegram does, unless allow_sending_without_reply', async () => {
    const id = uniqueTelegramId();
    const gone = sandbox.sendText(id, 'soon deleted').message!;
    await bot.api.deleteMessage(id, gone.message_id);
    for (const message_id of [gone.message_id, 9999]) {
      const err = await bot.api.sendMessage(id, 'reply', { reply_parameters: { message_id } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GrammyError);
      expect(err).toMatchObject({ error_code: 400, description: 'Bad Request: message to be replied not found' });
    }
    await expect(bot.api.sendPhoto(id, new InputFile(await jpeg(32, 32)), { reply_to_message_id: 9999 })).rejects.toMatchObject({
      description: 'Bad Request: message to be replied not found',
    });
    expect(sandbox.world.botMessages(id)).toHaveLength(0);

    const sent = await bot.api.sendMessage(id, 'sent anyway', { reply_parameters: { message_id: 9999, allow_sending_without_reply: true } });
    expect(sent.reply_to_message).toBeUndefined();
    expect(texts(id)).toEqual(['sent anyway']);
  });

  it('command menus by scope and language: getMyCommands answers what was set; the menu a user sees falls back as in Telegram', async () => {
    const ru = [{ command: 'start', description: 'Начать' }, { command: 'help', description: 'Помощь' }];
    const en = [{ command: 'start', description: 'Start' }, { command: 'help', description: 'Help' }];
    await bot.api.setMyCommands(ru);
    await bot.api.setMyCommands(en, { language_code: 'en' });
    expect(await bot.api.getMyCommands()).toEqual(ru);
    expect(await bot.api.getMyCommands({ language_code: 'en' })).toEqual(en);
    expect(await bot.api.getMyCommands({ language_code: 'de' })).toEqual([]);

    const id = uniqueTelegramId();
    sandbox.world.user(id);
    const menu = async (lang: string) => ((await (await fetch(`${sandbox.apiRoot}/sandbox/chats/${id}/messages?language_code=${lang}`)).json()) as { commands: unknown }).commands;
    expect(await menu('en')).toEqual(en);
    expect(await menu('de')).toEqual(ru); // no German list: the one for every language

    // a list for this chat wins over both; deleting lists falls back again
    const own = [{ command: 'admin', description: 'Admin' }];
    await bot.api.setMyCommands(own, { scope: { type: 'chat', chat_id: id } });
    expect(await menu('en')).toEqual(own);
    expect(await bot.api.getMyCommands({ scope: { type: 'chat', chat_id: id } })).toEqual(own);
    await bot.api.deleteMyCommands({ scope: { type: 'chat', chat_id: id } });
    await bot.api.deleteMyCommands({ language_code: 'en' });
    expect(await menu('en')).toEqual(ru);

    await expect(bot.api.setMyCommands([{ command: 'Generate', description: 'x' }])).rejects.toMatchObject({ error_code: 400, description: 'Bad Request: BOT_COMMAND_INVALID' });
    await expect(bot.api.setMyCommands([{ command: 'go', description: ' ' }])).rejects.toMatchObject({ description: 'Bad Request: command description must be non-empty' });
    await bot.api.deleteMyCommands();
  });

  it('callback answers over HTTP: the press names the query, its answer is read back; an answer after the window is refused', async () => {
    const id = uniqueTelegramId();
    sandbox.world.user(id);
    const card = await bot.api.sendMessage(id, 'Card', { reply_markup: new InlineKeyboard().text('Buy', 'warn').text('Later', 'nothing') });
    const press = async (data: string) => {
      const res = await fetch(`${sandbox.apiRoot}/sandbox/users/${id}/callbacks`, { method: 'POST', body: JSON.stringify({ message_id: card.message_id, data }) });
      return ((await res.json()) as { callback_query: { id: string } }).callback_query.id;
    };
    const answerOf = async (queryId: string) => (await (await fetch(`${sandbox.apiRoot}/sandbox/callbacks/${queryId}`)).json()) as { answered: boolean };
    const warned = await press('warn');
    const answer = await eventually(async () => {
      const a = await answerOf(warned);
      return a.answered ? a : null;
    });
    expect(answer).toEqual({
      answered: true,
      text: 'Not enough credits',
      show_alert: true,
    });

    // nobody answers "nothing": still unanswered; the bot answering after the window gets Telegram's 400
    const late = await press('nothing');
    expect(await answerOf(late)).toEqual({ answered: false });
    sandbox.knobs.callbackAnswerMs = 20;
    try {
      await new Promise((r) => setTimeout(r, 40));
      await expect(bot.api.answerCallbackQuery(late)).rejects.toMatchObject({
        error_code: 400,
        description: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
      });
    } finally {
      sandbox.knobs.callbackAnswerMs = 15_000;
    }
  });

  it('user albums over HTTP share one media_group_id, at most 10 items; sendAlbum splits 12 photos into 10 + 2', async () => {
    const id = uniqueTelegramId();
    const images = await Promise.all(Array.from({ length: 11 }, (_, i) => jpeg(16, 16, `#${(i * 20 + 16).toString(16)}8080`)));
    const upload = (i: number, group: string) =>
      fetch(`${sandbox.apiRoot}/sandbox/users/${id}/media?kind=photo&group=${group}${i === 0 ? '&caption=Trip' : ''}`, { method: 'POST', body: new Uint8Array(images[i]!) });
    for (let i = 0; i < 10; i++) expect((await upload(i, 'g1')).status).toBe(200);
    const refused = await upload(10, 'g1');
    expect(refused.status).toBe(400);
    const album = sandbox.world.chatMessages(id).filter((m) => !m.from_bot);
    expect(album).toHaveLength(10);
    expect(new Set(album.map((m) => m.media_group_id))).toEqual(new Set(['g1']));
    expect(album[0]!.caption).toBe('Trip');

    const other = uniqueTelegramId();
    const updates = await sandbox.users.sendAlbum(other, await Promise.all(Array.from({ length: 12 }, (_, i) => jpeg(16, 16, `#80${(i * 20 + 16).toString(16)}80`))));
    const groups = updates.map((u) => u.message!.media_group_id);
    expect(new Set(groups.slice(0, 10)).size).toBe(1);
    expect(new Set(groups.slice(10)).size).toBe(1);
    expect(groups[10]).not.toBe(groups[0]);
  });

  it('carries voice notes, audio, video notes with real durations', async () => {
    const id = uniqueTelegramId();
    const { execFileSync } = await import('node:child_process');
    const ogg = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:a', 'libopus', '-f', 'ogg', 'pipe:1']);
    const update = await sandbox.users.sendMedia(id, 'voice', ogg);
    expect(update.message?.voice).toMatchObject({ duration: 3, mime_type: 'audio/ogg' });
  });

  it('Stars: invoice → pre-checkout answered → successful_payment once; declined payloads are refused; refunds', async () => {
    const id = uniqueTelegramId();
    sandbox.sendText(id, '/invoice');
    const invoice = await eventually(() => sandbox.world.botMessages(id).find((m) => m.invoice));
    expect(invoice.invoice).toMatchObject({ currency: 'XTR', total_amount: 50 });
    const paid = await sandbox.users.payInvoice(id, invoice.message_id);
    expect(paid.status).toBe('paid');
    await eventually(() => texts(id).includes('Paid'));
    expect(payments).toContain(paid.chargeId);

    await expect(bot.api.refundStarPayment(id, paid.chargeId!)).resolves.toBe(true);
    await expect(bot.api.refundStarPayment(id, paid.chargeId!)).rejects.toMatchObject({ description: 'Bad Request: CHARGE_ALREADY_REFUNDED' });

    (invoice as { invoice_payload?: string }).invoice_payload = 'pack:forged';
    const declined = await sandbox.users.payInvoice(id, invoice.message_id);
    expect(declined).toMatchObject({ status: 'declined', error: 'Unknown pack' });
  });
});

describe('webhook mode', () => {
  it('POSTs updates with the secret header; a 401 answer means redelivery until accepted', async () => {
    const sandbox = await new TelegramSandbox({ token: TEST_BOT_TOKEN }).start();
    const bot = new Bot(TEST_BOT_TOKEN, { client: { apiRoot: sandbox.apiRoot } });
    bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    await bot.init();
    const secret = 'a-proper-secret-token-1234';
    const handle = webhookCallback(bot, 'http', { secretToken: secret });
    let rejected = 0;
    const server = http.createServer((req, res) => {
      if (req.headers['x-telegram-bot-api-secret-token'] !== secret) rejected++;
      void handle(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      await bot.api.setWebhook(url, { secret_token: 'a-wrong-secret-token-9876' });
      await expect(bot.api.getUpdates()).rejects.toMatchObject({ error_code: 409 });
      const id = uniqueTelegramId();
      sandbox.sendText(id, 'hello');
      await eventually(() => rejected >= 2); // refused with 401, redelivered
      expect(sandbox.world.botMessages(id)).toHaveLength(0);
      await bot.api.setWebhook(url, { secret_token: secret });
      await eventually(() => sandbox.world.botMessages(id).find((m) => m.text === 'echo: hello'));
      expect(sandbox.world.botMessages(id)).toHaveLength(1);
    } finally {
      await new Promise((r) => server.close(r));
      await sandbox.stop();
    }
  });

  it('delivers several chats at once (max_connections) but one chat in order: a stalled chat holds up nobody else', async () => {
    const sandbox = await new TelegramSandbox({ token: TEST_BOT_TOKEN }).start();
    const slow = uniqueTelegramId();
    const seen: string[] = [];
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const update = JSON.parse(body) as { message: { chat: { id: number }; text: string } };
        seen.push(`${update.message.chat.id}:${update.message.text}`);
        const done = () => res.writeHead(200).end();
        if (update.message.chat.id === slow && update.message.text === 'first') void stalled.then(done);
        else done();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      sandbox.world.webhook = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, maxConnections: 40 };
      const others = Array.from({ length: 5 }, () => uniqueTelegramId());
      sandbox.sendText(slow, 'first');
      sandbox.sendText(slow, 'second');
      for (const id of others) sandbox.sendText(id, 'hi');
      // Every other chat is delivered while the slow chat's first update is unanswered; its second waits.
      await eventually(() => others.every((id) => seen.includes(`${id}:hi`)));
      expect(seen).not.toContain(`${slow}:second`);
      release();
      await eventually(() => seen.includes(`${slow}:second`));
      expect(seen.indexOf(`${slow}:first`)).toBeLessThan(seen.indexOf(`${slow}:second`));
    } finally {
      release();
      await new Promise((r) => server.close(r));
      await sandbox.stop();
    }
  });
});

describe('429 honoured by our Telegram activity (Temporal retries after retry_after)', () => {
  it('delivers every greeting although Telegram refuses the second send once', async () => {
    const stack = await startStack();
    try {
      stack.telegram.knobs.rateLimitPerChat = 1;
      const id = uniqueTelegramId();
      stack.telegram.sendText(id, '/start');
      await eventually(() => stack.telegram.world.botMessages(id).length === 1);
      stack.telegram.sendText(id, '/start');
      await eventually(() => stack.telegram.world.botMessages(id).length === 2, { timeoutMs: 20_000 });
      const sends = stack.telegram.world.calls.filter((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === id);
      expect(sends.length).toBeGreaterThan(2); // at least one 429 and its retry
    } finally {
      await stack.stop();
    }
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBalance } from '../../lib/db/ledger';
import type { StoredMessage } from '../../sandbox/telegram/state';
import { workflowIds } from '../../vocabulary/ids';
import { uniqueTelegramId } from '../helpers/config';
import { photo } from '../helpers/images';
import { makeSpeechAudio } from '../helpers/speech-audio';
import { buttonData, eventually, startStack, type Stack } from '../helpers/stack';

/**
 * Long jobs people can follow: results and outcomes are new messages under
 * the request, progress says how long, rejected photos are answered one by
 * one, money comes before work, and the bot says what it is waiting for.
 * Both languages; everything through the sandbox Telegram and the real stack.
 */
describe('jobs people can follow (real services, stand-ins)', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    stack = await startStack({ env: { FAL_POLL_INTERVAL_SECONDS: '1', WELCOME_CREDITS: '200' } });
    Object.assign(stack.fal.knobs, { imageJobMs: 300, trainingJobMs: 3000 });
    dir = await mkdtemp(join(tmpdir(), 'aisha-followable-'));
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: StoredMessage | undefined) => m?.text ?? m?.caption ?? '';
  const find = (id: number, part: string) => msgs(id).find((m) => textOf(m).includes(part));
  const all = (id: number, part: string) => msgs(id).filter((m) => textOf(m).includes(part));
  const userOf = (id: number) => stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
  const buttons = (m: StoredMessage | undefined) => (m?.reply_markup?.inline_keyboard.flat() ?? []) as { text: string; callback_data?: string }[];
  const press = (id: number, m: StoredMessage, prefix: string) => tg().pressButton(id, m.message_id, buttonData(tg().world.find(id, m.message_id), prefix));
  const lang = { ru: { language_code: 'ru' }, en: { language_code: 'en' } } as const;

  async function onboard(id: number, language: 'ru' | 'en' = 'ru') {
    tg().sendText(id, '/start', lang[language]);
    await eventually(() => find(id, language === 'ru' ? 'Привет' : 'Hi'));
    return userOf(id);
  }

  /** /avatar → Create → Portrait → name; returns the type message (with the price note) and the avatar id. */
  async function createDraft(id: number, name: string) {
    tg().sendText(id, '/avatar');
    const list = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data === 'ac')));
    tg().pressButton(id, list.message_id, 'ac');
    const types = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data === 'at:portrait')));
    tg().pressButton(id, types.message_id, 'at:portrait');
    await eventually(() => find(id, 'Как назовём') ?? find(id, 'name'));
    tg().sendText(id, name);
    const user = await userOf(id);
    const avatar = await eventually(() => stack.prisma.avatar.findFirst({ where: { userId: user.id, name } }));
    return { types, avatarId: avatar.id };
  }

  it('20 photos one by one within 10 s all count; each rejected one is answered under it; the status counts; the ready message is new, under the status', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    const { avatarId } = await createDraft(id, 'Аня');
    const bad = new Map<number, string>();
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const data = i === 5 ? await photo(31_000, { width: 100, height: 100 }) : i === 11 ? await photo(31_001, { marker: [0, 0, 255] }) : await photo(30_000 + i);
      const update = await tg().users.sendPhoto(id, data);
      if (i === 5) bad.set(update.message!.message_id, 'слишком маленькое');
      if (i === 11) bad.set(update.message!.message_id, 'несколько лиц');
    }
    expect(Date.now() - started).toBeLessThan(10_000); // a real burst, inside one rate window
    const status = await eventually(() => msgs(id).find((m) => textOf(m).includes('принято 18 из 10–20 · отклонено 2 (ответы под фото)')), { timeoutMs: 90_000 });
    expect(find(id, 'Слишком много сообщений')).toBeUndefined();
    // one reply under each rejected photo, with its reason
    for (const [messageId, reason] of bad) {
      const reply = await eventually(() => msgs(id).find((m) => m.reply_to_message?.message_id === messageId));
      expect(textOf(reply)).toContain('Это фото не подойдёт');
      expect(textOf(reply)).toContain(reason);
    }
    expect(msgs(id).filter((m) => textOf(m).startsWith('❌ Это фото'))).toHaveLength(2);

    press(id, tg().world.find(id, status.message_id)!, 'as');
    const progress = await eventually(() => find(id, '⏳ Обучение «Аня»'), { timeoutMs: 30_000 });
    expect(textOf(progress)).toMatch(/осталось ~\d+ мин/);
    expect(buttons(progress).some((b) => b.text.startsWith('✖️'))).toBe(true);
    const ready = await eventually(() => find(id, '✅ Аватар «Аня» готов'), { timeoutMs: 60_000 });
    // a new message (Telegram notifies), replying to the status, which kept its own text and lost its buttons
    expect(ready.message_id).toBeGreaterThan(progress.message_id);
    expect(ready.reply_to_message?.message_id).toBe(progress.message_id);
    const statusNow = tg().world.find(id, progress.message_id)!;
    expect(textOf(statusNow)).toContain('⏳ Обучение «Аня»');
    expect(buttons(statusNow)).toEqual([]);
    expect(await stack.prisma.transaction.count({ where: { jobId: workflowIds.avatar(avatarId) } })).toBe(1);
  });

  it('a status that scrolled away is sent again at the bottom and the old one removed; text while photos are expected gets a hint', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    await createDraft(id, 'Скролл');
    await tg().users.sendPhoto(id, await photo(32_000));
    const first = await eventually(() => msgs(id).find((m) => textOf(m).includes('принято 1 из')), { timeoutMs: 60_000 });
    for (let i = 0; i < 4; i++) tg().sendText(id, `привет ${i}`);
    await eventually(() => all(id, 'Сейчас я жду фото для аватара').length === 4);
    await tg().users.sendPhoto(id, await photo(32_001));
    const second = await eventually(() => msgs(id).find((m) => textOf(m).includes('принято 2 из')), { timeoutMs: 60_000 });
    expect(second.message_id).toBeGreaterThan(first.message_id);
    await eventually(() => tg().world.chatMessages(id).find((m) => m.message_id === first.message_id)?.deleted); // removed right after the new one is sent
    expect(msgs(id).filter((m) => textOf(m).includes('📸 «Скролл»'))).toHaveLength(1);
    // close by: edited in place
    await tg().users.sendPhoto(id, await photo(32_002));
    const third = await eventually(() => msgs(id).find((m) => textOf(m).includes('принято 3 из')), { timeoutMs: 60_000 });
    expect(third.message_id).toBe(second.message_id);
  });

  it('en: a rejected photo is answered under it in English; the status counts and points at the replies', async () => {
    const id = uniqueTelegramId();
    await onboard(id, 'en');
    tg().sendText(id, '/avatar', lang.en);
    const list = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data === 'ac')));
    tg().pressButton(id, list.message_id, 'ac');
    const types = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data === 'at:portrait')));
    expect(textOf(types)).toContain('Training costs 150 credits; your balance is 200. Credits are charged only when the training starts.');
    tg().pressButton(id, types.message_id, 'at:portrait');
    await eventually(() => find(id, 'What shall we call it?'));
    tg().sendText(id, 'Ann', lang.en);
    await eventually(() => find(id, '📸 “Ann”'));
    const small = await tg().users.sendPhoto(id, await photo(35_000, { width: 100, height: 100 }), lang.en);
    const reply = await eventually(() => msgs(id).find((m) => m.reply_to_message?.message_id === small.message!.message_id), { timeoutMs: 60_000 });
    expect(textOf(reply)).toBe("❌ This photo won't do: it is too small — the short side is under 512 pixels.");
    await eventually(() => find(id, '0 of 10–20 accepted · 1 rejected (see the replies under the photos)'), { timeoutMs: 30_000 });
    tg().sendText(id, 'hello', lang.en);
    await eventually(() => find(id, "I'm waiting for your avatar's photos"));
  });

  for (const language of ['ru', 'en'] as const) {
    const t = language === 'ru'
      ? { ask: 'Что нарисовать через Imagen 4?', price: 'Цена:', working: 'Обычно ~', again: '🔁 Ещё раз', favOff: '☆ В избранное', favOn: '⭐ В избранном', failed: 'Не удалось создать', offer: 'Нарисовать это?', doc: 'я не открываю', photoAsk: 'Что сделать с этим фото?', ref: 'в духе этого фото' }
      : { ask: 'What shall Imagen 4 draw?', price: 'Price:', working: 'Usually ~', again: '🔁 Again', favOff: '☆ Add to favourites', favOn: '⭐ In favourites', failed: 'The image could not be created', offer: 'Shall I draw this?', doc: "I can't open", photoAsk: 'What shall I do with this photo?', ref: 'in the spirit of this photo' };

    it(`${language}: /imagen alone waits for the prompt → options → result under the prompt; ⭐ shows its state; 🔁 shows the price; a failure is a new message`, async () => {
      const id = uniqueTelegramId();
      const user = await onboard(id, language);
      tg().sendText(id, '/imagen', lang[language]);
      await eventually(() => find(id, t.ask));
      const prompt = tg().sendText(id, 'маяк в тумане', lang[language]);
      const options = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data?.startsWith('gg:'))));
      expect(textOf(options)).toContain(t.price);
      press(id, options, 'gg');
      const progress = await eventually(() => find(id, t.working));
      expect(buttons(progress).map((b) => b.callback_data)).toEqual([expect.stringMatching(/^jc:g:/)]);
      const image = await eventually(() => msgs(id).find((m) => m.photo), { timeoutMs: 60_000 });
      expect(image.reply_to_message?.message_id).toBe(prompt.message!.message_id);
      await eventually(() => tg().world.chatMessages(id).find((m) => m.message_id === progress.message_id)?.deleted);

      // ⭐ shows its state on the button, both ways
      expect(buttons(image)[0]!.text).toBe(t.favOff);
      press(id, image, 'if');
      await eventually(() => buttons(tg().world.find(id, image.message_id))[0]!.text === t.favOn);
      press(id, tg().world.find(id, image.message_id)!, 'if');
      await eventually(() => buttons(tg().world.find(id, image.message_id))[0]!.text === t.favOff);

      // 🔁 is an offer with its price, nothing charged
      const balance = await getBalance(stack.prisma, user.id);
      expect(buttons(image).find((b) => b.callback_data?.startsWith('ig:'))!.text).toBe(t.again);
      press(id, image, 'ig');
      const offers = () => msgs(id).filter((m) => buttons(m).some((b) => b.callback_data?.startsWith('gg:')));
      const again = await eventually(() => offers().find((m) => m.message_id > image.message_id));
      expect(buttons(again).find((b) => b.callback_data?.startsWith('gg:'))!.text).toMatch(/4/);
      expect(await getBalance(stack.prisma, user.id)).toBe(balance);

      // a failed job: the progress goes, the outcome is a new message under the prompt
      stack.fal.knobs.jobFailureRate = 1;
      try {
        tg().sendText(id, '/imagen', lang[language]);
        await eventually(() => all(id, t.ask).length === 2);
        const second = tg().sendText(id, 'второй маяк', lang[language]);
        const options2 = await eventually(() => msgs(id).find((m) => m.message_id > second.message!.message_id && buttons(m).some((b) => b.callback_data?.startsWith('gg:'))));
        press(id, options2, 'gg');
        const failed = await eventually(() => find(id, t.failed), { timeoutMs: 60_000 });
        expect(failed.reply_to_message?.message_id).toBe(second.message!.message_id);
        expect(failed.edits).toBe(0);
      } finally {
        stack.fal.knobs.jobFailureRate = 0;
      }
    });

    it(`${language}: text outside any flow is offered as a prompt with prices; a PDF gets a specific answer; a loose photo is asked what it is for`, async () => {
      const id = uniqueTelegramId();
      const user = await onboard(id, language);
      const text = tg().sendText(id, 'кот в шляпе', lang[language]);
      const offerMessage = await eventually(() => find(id, t.offer));
      expect(offerMessage.reply_to_message?.message_id).toBe(text.message!.message_id);
      expect(buttons(offerMessage).map((b) => b.text)).toEqual([expect.stringContaining('Imagen 4 · 4'), expect.stringContaining('· 5')]);
      press(id, offerMessage, 'pt:imagen');
      const options = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data?.startsWith('gg:'))));
      expect(textOf(options)).toContain('кот в шляпе');

      await tg().users.sendMedia(id, 'document', Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\n'), { fileName: 'contract.pdf', mimeType: 'application/pdf', ...lang[language] });
      const doc = await eventually(() => find(id, t.doc));
      expect(textOf(doc)).toContain('contract.pdf');

      await tg().users.sendPhoto(id, await photo(33_000), lang[language]);
      const ask = await eventually(() => find(id, t.photoAsk));
      expect(buttons(ask).map((b) => b.callback_data)).toEqual(['pu:avatar', 'pu:imagen', 'pu:avatar-gen']);
      press(id, ask, 'pu:imagen');
      await eventually(() => find(id, t.ref));
      tg().sendText(id, 'в стиле акварели', lang[language]);
      const withReference = await eventually(() => msgs(id).filter((m) => buttons(m).some((b) => b.callback_data?.startsWith('gg:'))).at(-1)!.message_id !== options.message_id || null);
      expect(withReference).toBe(true);
      expect(await stack.prisma.transaction.count({ where: { userId: user.id, kind: 'CHARGE' } })).toBe(0);
    });
  }

  it('money before work (ru, en): the price and balance at avatar creation; 🚀 without credits → top-up → ▶ Continue starts the training, charged once', async () => {
    for (const language of ['ru', 'en'] as const) {
      const id = uniqueTelegramId();
      const user = await onboard(id, language);
      await stack.prisma.$executeRaw`UPDATE balances SET credits = 20 WHERE user_id = ${user.id}`;
      await stack.prisma.transaction.create({ data: { userId: user.id, kind: 'ADJUST', amount: -180, balanceAfter: 20, idempotencyKey: `test-adjust-${id}` } });
      tg().sendText(id, '/avatar', lang[language]);
      const list = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data === 'ac')));
      tg().pressButton(id, list.message_id, 'ac');
      const types = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data === 'at:portrait')));
      expect(textOf(types)).toContain(language === 'ru' ? 'Обучение стоит 150 кредитов, на балансе 20' : 'Training costs 150 credits; your balance is 20');
      expect(buttons(types).some((b) => b.callback_data === 'tu')).toBe(true);
      tg().pressButton(id, types.message_id, 'at:portrait');
      await eventually(() => msgs(id).length > 0 && (find(id, 'Как назовём') ?? find(id, 'What shall we call')));
      tg().sendText(id, 'Z', lang[language]);
      await tg().users.sendAlbum(id, await Promise.all(Array.from({ length: 10 }, (_, i) => photo(34_000 + i))), lang[language]);
      // (the status may have been sent again below the album: the live one has the count and 🚀)
      const status = await eventually(() => msgs(id).find((m) => /(принято|accepted) 10|10 of/.test(textOf(m)) && buttons(m).some((b) => b.callback_data?.startsWith('as:'))), { timeoutMs: 60_000 });
      press(id, status, 'as');
      const refused = await eventually(() => find(id, language === 'ru' ? 'Не хватает кредитов: нужно 150, на балансе 20' : 'Not enough credits: 150 needed, 20 on your balance'));
      expect(await stack.prisma.transaction.count({ where: { userId: user.id, kind: 'CHARGE' } })).toBe(0);
      press(id, refused, 'tu');
      const packs = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data?.startsWith('tp:'))));
      // the smallest pack (100) would leave 120 < 150: no "Continue" for it; the largest covers the training
      tg().pressButton(id, packs.message_id, buttons(packs).filter((b) => b.callback_data?.startsWith('tp:')).at(-1)!.callback_data!);
      const invoice = await eventually(() => msgs(id).find((m) => m.invoice));
      expect((await tg().users.payInvoice(id, invoice.message_id)).status).toBe('paid');
      const resume = await eventually(() => msgs(id).find((m) => buttons(m).some((b) => b.callback_data === 'cw')), { timeoutMs: 30_000 });
      expect(textOf(resume)).toContain(language === 'ru' ? 'Продолжить обучение аватара за 150' : 'Continue the avatar training for 150');
      tg().pressButton(id, resume.message_id, 'cw');
      await eventually(async () => (await stack.prisma.transaction.count({ where: { userId: user.id, kind: 'CHARGE' } })) === 1, { timeoutMs: 30_000 });
      await eventually(() => find(id, language === 'ru' ? '✅ Аватар «Z» готов' : '✅ Avatar “Z” is ready'), { timeoutMs: 60_000 });
      // a second press of the old button has nothing left to continue
      tg().pressButton(id, resume.message_id, 'cw');
      expect(await stack.prisma.transaction.count({ where: { userId: user.id, kind: 'CHARGE' } })).toBe(1);
    }
  });

  it('transcription: progress with minutes left, the transcript replies to the recording and the outcome is a new message', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    const audio = await makeSpeechAudio({ seconds: 90, dir, seed: 21 });
    const voice = await tg().users.sendMedia(id, 'voice', await readFile(audio.path), { mimeType: 'audio/ogg' });
    const done = await eventually(() => find(id, '✅ Расшифровка готова'), { timeoutMs: 120_000 });
    expect(done.reply_to_message?.message_id).toBe(voice.message!.message_id);
    expect(done.edits).toBe(0);
    const transcript = find(id, '📝 Расшифровка ·')!;
    expect(transcript.reply_to_message?.message_id).toBe(voice.message!.message_id);
    // the progress message is gone; while it lived it said how long was left
    const progressEdits = tg().world.calls.filter((c) => c.method === 'editMessageText' && Number(c.params.chat_id) === id && String(c.params.text).includes('Расшифровываю: часть'));
    expect(progressEdits.length).toBeGreaterThan(0);
    expect(String(progressEdits[0]!.params.text)).toMatch(/осталось ~\d+ мин/);
    expect(msgs(id).some((m) => textOf(m).includes('Расшифровываю: часть'))).toBe(false);
  });
});

import { randomUUID } from 'node:crypto';
import type { InlineKeyboardButton } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLedgerEntry, getBalance } from '../../lib/db/ledger';
import type { StoredMessage } from '../../sandbox/telegram/state';
import { uniqueTelegramId } from '../helpers/config';
import { eventually, startStack, type Stack } from '../helpers/stack';

type Lang = 'ru' | 'en';

/** What a user of each language reads (the bot's own locale files are not consulted). */
const TEXT = {
  ru: {
    hello: 'Привет',
    menu: [['🧑‍🎨 Аватары', '🎨 Создать изображение'], ['🎧 Расшифровать', '🖼 Галерея'], ['💰 Баланс']],
    help: 'Что я умею',
    avatars: 'У вас пока нет аватаров',
    choose: '🎨 Как создаём изображение?',
    modes: ['🧑‍🎨 С аватаром', '🖼 Imagen 4'],
    askImagen: '🖼 Что нарисовать через Imagen 4?',
    noAvatar: 'Для /generate нужен готовый основной аватар',
    transcribe: ['голосовое сообщение, аудиофайл или кружок', '1 кредит за каждую начатую минуту', 'до 120 мин'],
    gallery: '🖼 В галерее пока пусто',
    balance: '💰 Баланс: 20 кредитов',
    welcomeLine: '🎁 Подарок при регистрации  +20 → 20',
  },
  en: {
    hello: 'Hi',
    menu: [['🧑‍🎨 Avatars', '🎨 Create an image'], ['🎧 Transcribe', '🖼 Gallery'], ['💰 Balance']],
    help: 'What I can do',
    avatars: 'You have no avatars yet',
    choose: '🎨 How shall we create the image?',
    modes: ['🧑‍🎨 With an avatar', '🖼 Imagen 4'],
    askImagen: '🖼 What shall Imagen 4 draw?',
    noAvatar: '/generate needs a ready main avatar',
    transcribe: ['a voice note, an audio file or a video note', '1 credit per started minute', 'up to 120 min'],
    gallery: '🖼 Your gallery is empty for now',
    balance: '💰 Balance: 20 credits',
    welcomeLine: '🎁 Welcome gift  +20 → 20',
  },
} as const;

/** 2026-12-06 at hh:mm UTC: the seeded history's moments. */
const at = (hh: number, mm: number) => new Date(Date.UTC(2026, 11, 6, hh, mm));

/** "06.12 14:05" for a UTC moment shifted by a fixed offset (the zones used below keep no daylight saving in December). */
function local(d: Date, offsetHours: number): string {
  const s = new Date(d.getTime() + offsetHours * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(s.getUTCDate())}.${two(s.getUTCMonth() + 1)} ${two(s.getUTCHours())}:${two(s.getUTCMinutes())}`;
}

describe('the main menu, readable /balance and /jobs, time zones (real services, Telegram stand-in)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { TRANSCRIPTION_MAX_MINUTES: '120' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';
  const buttons = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat() as (InlineKeyboardButton & { callback_data?: string })[];
  const rows = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).map((row) => row.map((b) => b.text));
  const current = (id: number, m: StoredMessage) => tg().world.find(id, m.message_id)!;

  /** Sends a text and waits for the first new bot message that matches. */
  async function ask(id: number, text: string, match: (m: StoredMessage) => boolean, lang: Lang = 'ru') {
    const before = msgs(id).length;
    tg().sendText(id, text, { language_code: lang });
    return eventually(() => msgs(id).slice(before).find(match));
  }
  /** Presses a button the message shows, waits for the bot's answer, then for a new message that matches (if asked). */
  async function press(id: number, m: StoredMessage, data: string, match?: (m: StoredMessage) => boolean) {
    expect(buttons(current(id, m)).map((b) => b.callback_data)).toContain(data);
    const before = msgs(id).length;
    const update = tg().pressButton(id, m.message_id, data);
    const answer = await eventually(() => tg().world.callbackAnswers.get(update.callback_query!.id));
    const next = match ? await eventually(() => msgs(id).slice(before).find(match)) : undefined;
    return { answer, next, newMessages: () => msgs(id).slice(before) };
  }
  const starts = (part: string) => (m: StoredMessage) => textOf(m).startsWith(part);
  const has = (part: string) => (m: StoredMessage) => textOf(m).includes(part);

  async function onboard(lang: Lang) {
    const id = uniqueTelegramId();
    const greeting = await ask(id, '/start', has(TEXT[lang].hello), lang);
    const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    return { id, user, greeting };
  }

  it.each(['ru', 'en'] as const)('/start and /help show the main menu; each button opens what its command shows (%s)', async (lang) => {
    const T = TEXT[lang];
    const { id, greeting } = await onboard(lang);
    expect(rows(greeting)).toEqual(T.menu);
    const help = await ask(id, '/help', starts(`ℹ️ ${T.help}`), lang);
    expect(rows(help)).toEqual(T.menu);
    expect(buttons(help).map((b) => b.callback_data)).toEqual(['mn:avatars', 'mn:create', 'mn:transcribe', 'mn:gallery', 'mn:balance']);

    // 🧑‍🎨 → the /avatar list, with its "Create" button
    const avatars = (await press(id, greeting, 'mn:avatars', has(T.avatars))).next!;
    expect(buttons(avatars).map((b) => b.callback_data)).toContain('ac');

    // 🎨 → with an avatar or Imagen 4; Imagen 4 asks for the prompt and the next text is it
    const choice = (await press(id, greeting, 'mn:create', starts(T.choose))).next!;
    expect(rows(choice)).toEqual([T.modes]);
    expect(textOf(choice)).toContain(lang === 'ru' ? '4 кредита за изображение' : '4 credits per image');
    await press(id, choice, 'cm:IMAGEN4', starts(T.askImagen));
    const options = await ask(id, 'маяк на закате', has('маяк на закате'), lang);
    expect(textOf(options)).toContain('🖼 Imagen 4');
    expect(buttons(options).some((b) => b.callback_data?.startsWith('gg:'))).toBe(true);
    // with an avatar: this user has none yet, so the bot says what is needed
    await press(id, choice, 'cm:AVATAR', has(T.noAvatar));

    // 🎧 → what to send, the price per started minute, the longest recording
    const transcribe = (await press(id, help, 'mn:transcribe', starts('🎧'))).next!;
    for (const part of T.transcribe) expect(textOf(transcribe)).toContain(part);

    // 🖼 → the gallery (empty), whose "Create" offers the same choice
    const gallery = (await press(id, help, 'mn:gallery', starts(T.gallery))).next!;
    const again = (await press(id, gallery, 'glw', starts(T.choose))).next!;
    expect(rows(again)).toEqual([T.modes]);

    // 💰 → the /balance view
    const balance = (await press(id, help, 'mn:balance', starts(T.balance))).next!;
    expect(textOf(balance)).toContain(T.welcomeLine);
    expect(buttons(balance).map((b) => b.callback_data)).toEqual(['tu']);
  });

  /**
   * A history as the workflows leave it: the welcome grant, a top-up, an
   * Imagen 4 generation of 2 with one refunded, an avatar training refunded in
   * full, a 700 s transcription, an admin grant. Job rows and ledger rows are
   * written as the activities write them (job id = workflow id), at known moments.
   */
  async function seedHistory(userId: number) {
    const { prisma } = stack;
    const generation = randomUUID();
    const avatar = randomUUID();
    const transcript = randomUUID();
    await prisma.generation.create({ data: { id: generation, userId, mode: 'IMAGEN4', prompt: 'маяк', aspectRatio: '1:1', numImages: 2, unitPrice: 4, status: 'PARTIAL' } });
    await prisma.avatar.create({ data: { id: avatar, userId, name: 'Аня', type: 'PORTRAIT', status: 'FAILED', triggerPhrase: 'TOK_anya' } });
    await prisma.transcript.create({ data: { id: transcript, userId, status: 'COMPLETED', fileId: 'f', fileUniqueId: `u${transcript}`, durationSec: 700 } });
    const entries = [
      { when: at(10, 10), kind: 'TOPUP', amount: 550, idempotencyKey: `topup:stx${generation}`, reason: '250 Stars (p250)' },
      { when: at(10, 20), kind: 'CHARGE', amount: -8, idempotencyKey: `gen-${generation}:charge`, jobId: `gen-${generation}`, reason: 'Imagen 4 × 2' },
      { when: at(10, 21), kind: 'REFUND', amount: 4, idempotencyKey: `gen-${generation}:refund`, jobId: `gen-${generation}`, reason: 'refund: Imagen 4 × 2' },
      { when: at(10, 30), kind: 'CHARGE', amount: -150, idempotencyKey: `avatar-${avatar}:charge`, jobId: `avatar-${avatar}`, reason: 'avatar "Аня"' },
      { when: at(10, 45), kind: 'REFUND', amount: 150, idempotencyKey: `avatar-${avatar}:refund`, jobId: `avatar-${avatar}`, reason: 'refund: avatar "Аня"' },
      { when: at(11, 5), kind: 'CHARGE', amount: -12, idempotencyKey: `tr-${transcript}:charge`, jobId: `tr-${transcript}`, reason: 'transcription 11:40' },
      { when: at(11, 30), kind: 'GRANT', amount: 30, idempotencyKey: `admin-grant:${generation}`, reason: 'за отзыв' },
    ] as const;
    for (const { when, ...entry } of entries) {
      await applyLedgerEntry(prisma, { userId, ...entry });
      await prisma.transaction.update({ where: { idempotencyKey: entry.idempotencyKey }, data: { createdAt: when } });
    }
    await prisma.transaction.update({ where: { idempotencyKey: `welcome:${userId}` }, data: { createdAt: at(10, 0) } });
    expect(await getBalance(prisma, userId)).toBe(584);
    return [generation, avatar, transcript];
  }

  /** The history the user should read, newest first, at a fixed UTC offset. */
  function expectedHistory(lang: Lang, offset: number): string[] {
    const lines: [Date, string, string][] =
      lang === 'ru'
        ? [
            [at(11, 30), '🎁 Начисление · за отзыв', '+30 → 584'],
            [at(11, 5), '🎧 Расшифровка · 12 мин', '−12 → 554'],
            [at(10, 45), '↩️ Возврат · Аватар «Аня» · обучение', '+150 → 566'],
            [at(10, 30), '🧑‍🎨 Аватар «Аня» · обучение', '−150 → 416'],
            [at(10, 21), '↩️ Возврат · Imagen 4 · 1 изображение', '+4 → 566'],
            [at(10, 20), '🎨 Imagen 4 · 2 изображения', '−8 → 562'],
            [at(10, 10), '⭐ Пополнение', '+550 → 570'],
            [at(10, 0), '🎁 Подарок при регистрации', '+20 → 20'],
          ]
        : [
            [at(11, 30), '🎁 Grant · за отзыв', '+30 → 584'],
            [at(11, 5), '🎧 Transcription · 12 min', '−12 → 554'],
            [at(10, 45), '↩️ Refund · Avatar “Аня” · training', '+150 → 566'],
            [at(10, 30), '🧑‍🎨 Avatar “Аня” · training', '−150 → 416'],
            [at(10, 21), '↩️ Refund · Imagen 4 · 1 image', '+4 → 566'],
            [at(10, 20), '🎨 Imagen 4 · 2 images', '−8 → 562'],
            [at(10, 10), '⭐ Top-up', '+550 → 570'],
            [at(10, 0), '🎁 Welcome gift', '+20 → 20'],
          ];
    return lines.map(([when, what, amount]) => `${local(when, offset)}  ${what}  ${amount}`);
  }

  const ZONES = {
    // the default of the language, then a zone chosen in /profile (no daylight saving in either)
    ru: { defaultOffset: 3, defaultLabel: 'Москва · UTC+3', pick: 'zn:vladivostok', pickedZone: 'Asia/Vladivostok', pickedOffset: 10, pickedLabel: 'Владивосток · UTC+10' },
    en: { defaultOffset: 0, defaultLabel: 'Coordinated Universal Time · UTC', pick: 'zn:yekaterinburg', pickedZone: 'Asia/Yekaterinburg', pickedOffset: 5, pickedLabel: 'Yekaterinburg · UTC+5' },
  } as const;

  it.each(['ru', 'en'] as const)('/balance says what each row was for, signs and balances right, no workflow ids, times in the zone chosen in /profile (%s)', async (lang) => {
    const Z = ZONES[lang];
    const { id, user } = await onboard(lang);
    const jobIds = await seedHistory(user.id);
    const title = lang === 'ru' ? '💰 Баланс: 584 кредита' : '💰 Balance: 584 credits';
    const historyOf = (m: StoredMessage) => textOf(m).split('\n').slice(3, 11);

    const before = await ask(id, '/balance', starts(title), lang);
    expect(historyOf(before)).toEqual(expectedHistory(lang, Z.defaultOffset));
    for (const jobId of jobIds) expect(textOf(before)).not.toContain(jobId.slice(0, 8));
    expect(textOf(before)).not.toMatch(/\b(gen|tr|avatar|topup|admin-grant)[-:]/);

    // /profile → 🕒 → a zone: stored, ✓ moves, the profile and the history follow it
    const profile = await ask(id, '/profile', starts('👤'), lang);
    expect(textOf(profile)).toContain(`🕒 ${lang === 'ru' ? 'Часовой пояс' : 'Time zone'}: ${Z.defaultLabel}`);
    const menu = (await press(id, profile, 'zm', starts('🕒'))).next!;
    expect(buttons(menu).filter((b) => b.text.startsWith('✓ ')).map((b) => b.text)).toEqual([`✓ ${Z.defaultLabel}`]);
    expect(buttons(menu).map((b) => b.callback_data)).toEqual(expect.arrayContaining(['zn:kaliningrad', 'zn:moscow', 'zn:yekaterinburg', 'zn:novosibirsk', 'zn:vladivostok', 'zn:london', 'zn:berlin', 'zn:new_york', 'zn:utc']));
    const picked = await press(id, menu, Z.pick);
    expect(picked.answer.text).toBe(`✅ ${lang === 'ru' ? 'Часовой пояс' : 'Time zone'}: ${Z.pickedLabel}`);
    expect(picked.newMessages()).toEqual([]); // the list itself was edited
    expect(textOf(current(id, menu))).toBe(picked.answer.text);
    expect(buttons(current(id, menu)).filter((b) => b.text.startsWith('✓ ')).map((b) => b.text)).toEqual([`✓ ${Z.pickedLabel}`]);
    expect((await stack.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).timeZone).toBe(Z.pickedZone);

    const after = await ask(id, '/balance', starts(title), lang);
    expect(historyOf(after)).toEqual(expectedHistory(lang, Z.pickedOffset));
    const profileAfter = await ask(id, '/profile', starts('👤'), lang);
    expect(textOf(profileAfter)).toContain(`: ${Z.pickedLabel}`);
  });

  it.each(['ru', 'en'] as const)('/jobs: the stage in words, the time running, 🔄 redraws the same message, also when nothing runs any more (%s)', async (lang) => {
    const { id, user } = await onboard(lang);
    // an avatar being created: its workflow waits for photos
    const list0 = await ask(id, '/avatar', (m) => buttons(m).some((b) => b.callback_data === 'ac'), lang);
    await press(id, list0, 'ac', (m) => buttons(m).some((b) => b.callback_data === 'at:portrait'));
    const types = msgs(id).findLast((m) => buttons(m).some((b) => b.callback_data === 'at:portrait'))!;
    await press(id, types, 'at:portrait', has('/cancel'));
    tg().sendText(id, 'Ника', { language_code: lang });
    const avatar = await eventually(() => stack.prisma.avatar.findFirst({ where: { userId: user.id, name: 'Ника' } }));
    await eventually(async () => (await stack.temporal.workflow.count(`UserId = '${id}' AND JobKind = 'avatar_training' AND ExecutionStatus = 'Running'`)).count === 1);
    // the draft's own status message first (sent by its workflow: on a busy machine it can come after /jobs' answer)
    await eventually(() => msgs(id).find(has('📸')));

    const title = lang === 'ru' ? '⏳ Сейчас в работе:' : '⏳ Running now:';
    const list = await ask(id, '/jobs', starts(title), lang);
    const line = textOf(list).split('\n')[1]!;
    expect(line).toMatch(
      lang === 'ru' ? /^1\. 🧑‍🎨 Аватар · собираю фото · ⏱ (меньше минуты|\d+ мин)$/ : /^1\. 🧑‍🎨 Avatar · collecting photos · ⏱ (under a minute|\d+ min)$/,
    );
    expect(textOf(list)).not.toContain('UTC');
    expect(buttons(list).map((b) => b.callback_data)).toEqual([`jc:a:${avatar.id}`, 'jr']);
    expect(buttons(list).at(-1)!.text).toBe(lang === 'ru' ? '🔄 Обновить' : '🔄 Refresh');

    // 🔄 with nothing changed: Telegram says "not modified", the bot answers as usual and sends nothing new
    const same = await press(id, list, 'jr');
    expect(same.answer.text).toBe(lang === 'ru' ? '🔄 Обновлено' : '🔄 Refreshed');
    expect(same.newMessages()).toEqual([]);
    expect(textOf(current(id, list)).split('\n')[1]).toMatch(/^1\. 🧑‍🎨 /);

    // the job ends; 🔄 turns the same message into "nothing is running", still with 🔄
    const cancel = await press(id, list, `jc:a:${avatar.id}`);
    expect(cancel.answer.text).toMatch(lang === 'ru' ? /^Отменяю/ : /^Cancelling/);
    await eventually(async () => (await stack.temporal.workflow.count(`UserId = '${id}' AND JobKind = 'avatar_training' AND ExecutionStatus = 'Running'`)).count === 0, { timeoutMs: 60_000 });
    const empty = lang === 'ru' ? 'Сейчас ничего не выполняется.' : 'Nothing is running now.';
    const edits = current(id, list).edits;
    await press(id, list, 'jr');
    expect(textOf(current(id, list))).toBe(empty);
    expect(current(id, list).edits).toBe(edits + 1);
    expect(msgs(id).filter((m) => textOf(m) === empty).map((m) => m.message_id)).toEqual([list.message_id]);
    expect(buttons(current(id, list)).map((b) => b.callback_data)).toEqual(['jr']);
  });
});

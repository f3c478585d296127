import { randomUUID } from 'node:crypto';
import type { InlineKeyboardButton } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMITS } from '../../bot/middleware';
import { getBalance } from '../../lib/db/ledger';
import { createMinio } from '../../lib/minio';
import type { StoredMessage } from '../../sandbox/telegram/state';
import { uniqueTelegramId } from '../helpers/config';
import { seedAvatar, seedGallery, type SeededImage, type SeedSpec } from '../helpers/gallery-seed';
import { eventually, startStack, type Stack } from '../helpers/stack';

const MIN = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * 30 images across both kinds and four ages, 7 favourites, newest first:
 * today 4 · 2–6 days 8 · 8–29 days 10 · 35–90 days 8; 12 with the avatar, 18 Imagen 4;
 * no avatar favourite today (an empty combination).
 */
const [A, I] = ['AVATAR', 'IMAGEN4'] as const;
const SPECS: SeedSpec[] = [
  ...([[A, 10], [I, 20, true], [A, 30], [I, 40, true]] as const),
  ...([[I, 2 * DAY, true], [A, 2 * DAY + HOUR], [I, 3 * DAY], [I, 4 * DAY], [A, 4 * DAY + MIN, true], [I, 5 * DAY], [A, 6 * DAY], [I, 6 * DAY + HOUR]] as const),
  ...([[I, 8 * DAY], [A, 9 * DAY], [I, 10 * DAY, true], [I, 12 * DAY], [A, 15 * DAY], [I, 18 * DAY], [A, 20 * DAY], [I, 24 * DAY, true], [A, 27 * DAY], [I, 29 * DAY]] as const),
  ...([[A, 35 * DAY, true], [I, 40 * DAY], [I, 45 * DAY], [A, 50 * DAY], [I, 60 * DAY], [A, 70 * DAY], [I, 80 * DAY], [I, 90 * DAY]] as const),
].map(([kind, ageSeconds, favorite]) => ({ kind, ageSeconds, favorite: favorite === true }));

type Kind = 'all' | 'AVATAR' | 'IMAGEN4';
type Period = 'all' | 'today' | 'week' | 'month';
interface Filter {
  kind: Kind;
  period: Period;
  favorites: boolean;
}
const ALL: Filter = { kind: 'all', period: 'all', favorites: false };

/** Midnight in Moscow (UTC+3), worked out here independently of the bot's code. */
function moscowMidnight(now: number): number {
  const msk = now + 3 * HOUR * 1000;
  return msk - (msk % (DAY * 1000)) - 3 * HOUR * 1000;
}

/** What a user expects a filter to show, newest first. */
function expected(images: SeededImage[], f: Filter): SeededImage[] {
  const now = Date.now();
  const since = { all: -Infinity, today: moscowMidnight(now), week: now - 7 * DAY * 1000, month: now - 30 * DAY * 1000 }[f.period];
  return images
    .filter((img) => (f.kind === 'all' || img.kind === f.kind) && img.createdAt.getTime() >= since && (!f.favorites || img.favorite))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

const KIND_LABEL: Record<Kind, string> = { all: '🖼 Все', AVATAR: '🧑‍🎨 Аватар', IMAGEN4: '🎨 Imagen 4' };
const PERIOD_LABEL: Record<Period, string> = { all: 'Всё время', today: 'Сегодня', week: '7 дней', month: '30 дней' };

describe('the gallery, transcripts, /profile and /lang through the bot (real services, Telegram stand-in)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';
  const buttons = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat() as (InlineKeyboardButton & { callback_data?: string })[];
  const rowTexts = (m: StoredMessage, row: number) => (m.reply_markup?.inline_keyboard[row] ?? []).map((b) => b.text);
  /** The gallery's message: an image (its counter), the delete question, or the empty view (its create button). */
  const isGallery = (m: StoredMessage) => buttons(m).some((b) => /^(glc|gly|glw)(:|$)/.test(b.callback_data ?? ''));
  const galleryMessage = (id: number) => msgs(id).filter(isGallery).at(-1);
  const minio = () => createMinio(stack.config.minio);

  /**
   * The bot limits each user to RATE_LIMITS.messages per fixed window (and
   * presses to a looser budget)
   * (bot/middleware.ts); a test user presses far faster than a person, so it
   * waits for the next window before going over.
   */
  const sentAt = new Map<number, number[]>();
  async function pace(id: number) {
    const { limit, windowSeconds } = RATE_LIMITS.messages;
    const windowMs = windowSeconds * 1000;
    const windowOf = (t: number) => Math.floor(t / windowMs);
    const mine = (sentAt.get(id) ?? []).filter((t) => windowOf(t) === windowOf(Date.now()));
    if (mine.length >= limit - 1) await new Promise((r) => setTimeout(r, (windowOf(Date.now()) + 1) * windowMs - Date.now() + 100));
    sentAt.set(id, [...mine, Date.now()]);
  }
  async function send(id: number, text: string) {
    await pace(id);
    tg().sendText(id, text);
  }

  async function onboard(id: number) {
    await send(id, '/start');
    await eventually(() => msgs(id).some((m) => textOf(m).includes('Привет')));
    return stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
  }

  /** Presses a button the message shows and waits until the bot has answered it (the gallery answers last). */
  async function press(id: number, m: StoredMessage, data: string) {
    expect(buttons(tg().world.find(id, m.message_id)!).map((b) => b.callback_data)).toContain(data);
    return pressRaw(id, m, data);
  }
  /** Presses with any callback data, shown or not (a forged button). */
  async function pressRaw(id: number, m: StoredMessage, data: string) {
    await pace(id);
    const update = tg().pressButton(id, m.message_id, data);
    const queryId = update.callback_query!.id;
    return eventually(() => tg().world.callbackAnswers.get(queryId));
  }

  /** Opens /gallery and waits for the new gallery message. */
  async function openGallery(id: number) {
    const before = msgs(id).length;
    await send(id, '/gallery');
    return eventually(() => msgs(id).slice(before).find(isGallery));
  }

  /** The gallery message shows image `page` (1-based) of what the filter matches: caption, the real stored photo, buttons with counts. */
  function expectShows(id: number, images: SeededImage[], f: Filter, page: number): StoredMessage {
    const list = expected(images, f);
    const want = list[page - 1]!;
    const m = galleryMessage(id)!;
    expect(m.caption).toMatch(new RegExp(`^🖼 Галерея · ${page} из ${list.length}\\n`));
    expect(m.caption).toContain(`«${want.prompt}»`);
    expect(m.caption).toContain(want.kind === 'AVATAR' ? '🧑‍🎨 Аватар «' : '🎨 Imagen 4');
    expect(m.caption!.includes('⭐ в избранном')).toBe(want.favorite);
    expect(tg().world.files.get(m.photo!.at(-1)!.file_id)!.data.equals(want.bytes)).toBe(true);
    expect(rowTexts(m, 0)).toEqual(list.length > 1 ? ['←', `${page}/${list.length}`, '→'] : [`${page}/${list.length}`]);
    expect(rowTexts(m, 1)).toEqual([want.favorite ? '⭐ Убрать' : '☆ В избранное', '📝 Промпт', '🗑 Удалить']);
    expectFilterRows(m, images, f, 2);
    return m;
  }

  /** Kind buttons with counts, period buttons, favourites with its count; "✓" on the chosen ones. */
  function expectFilterRows(m: StoredMessage, images: SeededImage[], f: Filter, first: number) {
    const mark = (on: boolean, label: string) => (on ? `✓ ${label}` : label);
    expect(rowTexts(m, first)).toEqual((['all', 'AVATAR', 'IMAGEN4'] as const).map((k) => mark(f.kind === k, `${KIND_LABEL[k]} · ${expected(images, { ...f, kind: k }).length}`)));
    expect(rowTexts(m, first + 1)).toEqual((['all', 'today', 'week', 'month'] as const).map((p) => mark(f.period === p, PERIOD_LABEL[p])));
    expect(rowTexts(m, first + 2)).toEqual([mark(f.favorites, `⭐ Только избранное · ${expected(images, { ...f, favorites: true }).length}`), '🎧 Расшифровки']);
  }

  async function seededUser(name = 'Аня', specs = SPECS) {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    const avatarId = await seedAvatar(stack.prisma, user.id, name);
    const images = await seedGallery(stack, user.id, specs, { avatarId, seed: id % 100_000 });
    return { id, user, images };
  }

  let main: Awaited<ReturnType<typeof seededUser>>;
  beforeAll(async () => {
    main = await seededUser();
  });

  it('paging: one image per message, newest first, "3/30"; ← on the first wraps to the last and → on the last to the first; the same message is edited', async () => {
    const { id, images } = main;
    const m = await openGallery(id);
    expectShows(id, images, ALL, 1);
    expect(buttons(m).find((b) => b.text === '←')!.callback_data).toBe('glp:29');

    await press(id, m, 'glp:1');
    expectShows(id, images, ALL, 2);
    await press(id, galleryMessage(id)!, 'glp:2');
    expectShows(id, images, ALL, 3);
    await press(id, galleryMessage(id)!, 'glp:1');
    await press(id, galleryMessage(id)!, 'glp:0');
    expectShows(id, images, ALL, 1);
    await press(id, galleryMessage(id)!, 'glp:29'); // ← on 1/30
    expectShows(id, images, ALL, 30);
    await press(id, galleryMessage(id)!, 'glp:0'); // → on 30/30
    expectShows(id, images, ALL, 1);

    // one message all along, edited in place (editMessageMedia), nothing else sent
    expect(msgs(id).filter(isGallery)).toHaveLength(1);
    expect(galleryMessage(id)!.message_id).toBe(m.message_id);
    expect(galleryMessage(id)!.edits).toBe(6);
    expect(tg().world.calls.some((c) => c.method === 'editMessageMedia')).toBe(true);
    // the uploaded photo's Telegram file id is remembered: the next view of that image sends no bytes
    const first = await stack.prisma.image.findUniqueOrThrow({ where: { id: expected(images, ALL)[0]!.id } });
    expect(first.telegramFileId).toBeTruthy();

    // the counter answers quietly and changes nothing
    const edits = galleryMessage(id)!.edits;
    await press(id, galleryMessage(id)!, 'glc');
    expect(galleryMessage(id)!.edits).toBe(edits);
  });

  it('filters: kind, period, favourites and their combinations show what the user expects, with counts on the buttons', async () => {
    const { id, images } = main;
    let m = await openGallery(id);
    const steps: [string, Filter, number?][] = [
      ['glk:IMAGEN4', { kind: 'IMAGEN4', period: 'all', favorites: false }],
      ['glp:1', { kind: 'IMAGEN4', period: 'all', favorites: false }, 2],
      ['gld:week', { kind: 'IMAGEN4', period: 'week', favorites: false }], // a filter starts again at page 1
      ['glk:AVATAR', { kind: 'AVATAR', period: 'week', favorites: false }],
      ['gld:today', { kind: 'AVATAR', period: 'today', favorites: false }],
      ['glk:all', { kind: 'all', period: 'today', favorites: false }],
      ['glf', { kind: 'all', period: 'today', favorites: true }],
      ['gld:month', { kind: 'all', period: 'month', favorites: true }],
      ['glp:5', { kind: 'all', period: 'month', favorites: true }, 6], // ← on 1 of 6
      ['glk:IMAGEN4', { kind: 'IMAGEN4', period: 'month', favorites: true }],
      ['gld:all', { kind: 'IMAGEN4', period: 'all', favorites: true }],
      ['glk:AVATAR', { kind: 'AVATAR', period: 'all', favorites: true }],
      ['glf', { kind: 'AVATAR', period: 'all', favorites: false }],
      ['gld:month', { kind: 'AVATAR', period: 'month', favorites: false }],
    ];
    for (const [data, f, page] of steps) {
      await press(id, m, data);
      m = expectShows(id, images, f, page ?? 1);
    }
    // the figures a user would count by hand in the seed table
    expect(rowTexts(m, 2)).toEqual(['🖼 Все · 22', '✓ 🧑‍🎨 Аватар · 9', '🎨 Imagen 4 · 13']);
    expect(rowTexts(m, 4)[0]).toBe('⭐ Только избранное · 1');

    // a combination with nothing in it (no avatar favourite today): a friendly message with the filters, reset and create
    await press(id, m, 'gld:today');
    m = expectShows(id, images, { kind: 'AVATAR', period: 'today', favorites: false }, 1);
    await press(id, m, 'glf');
    const empty = galleryMessage(id)!;
    expect(empty.photo).toBeUndefined();
    expect(empty.text).toBe('🔍 Под выбранные фильтры ничего не нашлось (всего в галерее: 30).\nИзмените фильтры кнопками ниже или сбросьте их.');
    expectFilterRows(empty, images, { kind: 'AVATAR', period: 'today', favorites: true }, 0);
    expect(rowTexts(empty, 0)).toEqual(['🖼 Все · 2', '✓ 🧑‍🎨 Аватар · 0', '🎨 Imagen 4 · 2']);
    expect(rowTexts(empty, 3)).toEqual(['↺ Сбросить фильтры', '🎨 Создать изображение']);
    expect(tg().world.find(id, m.message_id)!.deleted).toBe(true); // a photo cannot become text: it is replaced

    // a filter from the empty message brings a photo back (again a new message); reset returns to everything
    await press(id, empty, 'glk:IMAGEN4');
    m = expectShows(id, images, { kind: 'IMAGEN4', period: 'today', favorites: true }, 1);
    expect(tg().world.find(id, empty.message_id)!.deleted).toBe(true);
    await press(id, m, 'glk:AVATAR');
    expect(galleryMessage(id)!.text).toContain('ничего не нашлось');
    await press(id, galleryMessage(id)!, 'glr');
    expectShows(id, images, ALL, 1);
  });

  it('the filter and page survive navigation and a bot restart', async () => {
    const { id, images } = main;
    const f: Filter = { kind: 'IMAGEN4', period: 'all', favorites: false };
    let m = await openGallery(id);
    await press(id, m, 'glk:IMAGEN4');
    await press(id, galleryMessage(id)!, 'glp:1');
    await press(id, galleryMessage(id)!, 'glp:2');
    m = expectShows(id, images, f, 3);
    expect(JSON.parse((await stack.redis.get(`aisha:gallery:${id}`))!)).toMatchObject({ kind: 'IMAGEN4', period: 'all', favorites: false, page: 2 });

    await stack.restartBot();
    // the old message's → goes on from where the user was, with the same filter
    await press(id, m, 'glp:3');
    expectShows(id, images, f, 4);
    // and /gallery opens there too
    await openGallery(id);
    expectShows(id, images, f, 4);
    await press(id, galleryMessage(id)!, 'glk:all');
    expectShows(id, images, ALL, 1);
  });

  it('favourite toggle; delete asks first, then removes the row and the MinIO object, and the page stays sensible', async () => {
    const { id, user, images } = await seededUser('Боб', SPECS.slice(0, 5));
    let m = await openGallery(id);
    const list = expected(images, ALL);
    expectShows(id, images, ALL, 1);
    expect(list[0]!.favorite).toBe(false);
    expect((await press(id, m, `gls:${list[0]!.id}`)).text).toBe('⭐ Добавлено в избранное');
    list[0]!.favorite = true;
    m = expectShows(id, images, ALL, 1); // "⭐ в избранном" in the caption, the button says how to undo it
    expect(m.edits).toBe(1);
    expect((await stack.prisma.image.findUniqueOrThrow({ where: { id: list[0]!.id } })).isFavorite).toBe(true);
    expect((await press(id, m, `gls:${list[0]!.id}`)).text).toBe('Убрано из избранного');
    list[0]!.favorite = false;
    m = expectShows(id, images, ALL, 1);
    expect((await stack.prisma.image.findUniqueOrThrow({ where: { id: list[0]!.id } })).isFavorite).toBe(false);

    // 📝 reuses the prompt view
    await press(id, m, `ip:${list[0]!.id}`);
    await eventually(() => msgs(id).find((x) => x.text?.startsWith('📝 Ваш запрос') && x.text.includes(list[0]!.prompt)));

    // delete page 2: asked first; "No" restores the view
    await press(id, m, 'glp:1');
    m = expectShows(id, images, ALL, 2);
    const victim = list[1]!;
    await press(id, m, `glx:${victim.id}`);
    expect(galleryMessage(id)!.caption).toBe('🗑 Удалить это изображение из галереи? Вернуть его будет нельзя.');
    expect(rowTexts(galleryMessage(id)!, 0)).toEqual(['🗑 Да, удалить', '↩️ Нет']);
    await press(id, galleryMessage(id)!, 'gln');
    expectShows(id, images, ALL, 2);
    expect(await stack.prisma.image.count({ where: { userId: user.id } })).toBe(5);

    await press(id, galleryMessage(id)!, `glx:${victim.id}`);
    expect((await press(id, galleryMessage(id)!, `gly:${victim.id}`)).text).toBe('🗑 Изображение удалено');
    expect(await stack.prisma.image.findUnique({ where: { id: victim.id } })).toBeNull();
    await expect(minio().statObject('generations', victim.objectKey)).rejects.toMatchObject({ code: 'NotFound' });
    images.splice(images.indexOf(victim), 1);
    expectShows(id, images, ALL, 2); // the next image moved up into page 2 of 4

    // deleting the last page shows the new last page
    await press(id, galleryMessage(id)!, 'glp:0');
    await press(id, galleryMessage(id)!, 'glp:3'); // ← on 1 of 4
    const last = expected(images, ALL)[3]!;
    await press(id, galleryMessage(id)!, `glx:${last.id}`);
    await press(id, galleryMessage(id)!, `gly:${last.id}`);
    images.splice(images.indexOf(last), 1);
    expectShows(id, images, ALL, 3);

    // a second confirm of an already deleted image is refused and changes nothing
    const edits = galleryMessage(id)!.edits;
    expect((await pressRaw(id, galleryMessage(id)!, `gly:${last.id}`)).text).toBe('Изображение не найдено.');
    expect(galleryMessage(id)!.edits).toBe(edits);

    // delete everything: the empty gallery invites to create
    for (let left = 3; left > 0; left--) {
      const shown = buttons(galleryMessage(id)!).find((b) => b.callback_data?.startsWith('glx:'))!.callback_data!;
      await press(id, galleryMessage(id)!, shown);
      await press(id, galleryMessage(id)!, `gly:${shown.slice(4)}`);
    }
    const empty = galleryMessage(id)!;
    expect(empty.text).toMatch(/^🖼 В галерее пока пусто/);
    expect(rowTexts(empty, 0)).toEqual(['🎨 Создать изображение', '🎧 Расшифровки']);
    expect(await stack.prisma.image.count({ where: { userId: user.id } })).toBe(0);
    await press(id, empty, 'glw'); // the same choice as the main menu's "Create an image"
    const choice = await eventually(() => msgs(id).find((x) => x.text?.startsWith('🎨 Как создаём изображение?')));
    expect(rowTexts(choice, 0)).toEqual(['🧑‍🎨 С аватаром', '🖼 Imagen 4']);
  });

  it('forged callback data naming another user\'s image or transcript is refused with a short answer; nothing changes', async () => {
    const { user: victim, images } = main;
    const target = expected(images, ALL).find((img) => !img.favorite)!;
    const transcriptId = randomUUID();
    await stack.prisma.transcript.create({
      data: { id: transcriptId, userId: victim.id, status: 'COMPLETED', fileId: 'f', fileUniqueId: 'u', durationSec: 30, text: 'секрет', txtObjectKey: `${victim.id}/${transcriptId}/transcript.txt`, srtObjectKey: `${victim.id}/${transcriptId}/transcript.srt` },
    });

    try {
      await forge(transcriptId, target);
    } finally {
      await stack.prisma.transcript.delete({ where: { id: transcriptId } });
    }
  });

  async function forge(transcriptId: string, target: SeededImage) {
    const id = uniqueTelegramId();
    const attacker = await onboard(id);
    await seedGallery(stack, attacker.id, [{ kind: 'IMAGEN4', ageSeconds: 5 }], { seed: 7 });
    const own = await openGallery(id);
    const before = msgs(id).length;
    for (const data of [`gls:${target.id}`, `glx:${target.id}`, `gly:${target.id}`, `ip:${target.id}`, `if:${target.id}`, 'gly:not-a-uuid', `gls:${randomUUID()}`]) {
      expect((await pressRaw(id, own, data)).text, data).toBe('Изображение не найдено.');
    }
    for (const data of [`tf:${transcriptId}:txt`, `tf:${transcriptId}:srt`, `tf:${transcriptId}:vtt`, `tf:${transcriptId}:exe`]) {
      expect((await pressRaw(id, own, data)).text, data).toBe('Файл расшифровки не найден.');
    }
    for (const data of ['glk:SECRET', 'gld:year', 'glp:-5']) {
      expect((await pressRaw(id, own, data)).text, data).toBe('Эта кнопка больше не работает.');
    }
    // nothing changed: the victim's image, its object, the attacker's chat
    const row = await stack.prisma.image.findUniqueOrThrow({ where: { id: target.id } });
    expect(row.isFavorite).toBe(false);
    expect((await minio().statObject('generations', target.objectKey)).size).toBe(target.bytes.length);
    expect(tg().world.find(id, own.message_id)!.edits).toBe(0);
    expect(msgs(id)).toHaveLength(before);
  }

  it('transcripts are listed with date, duration and first words; their .txt and .srt come again from MinIO, .vtt from the stored segments', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    const now = Date.now();
    const rows = [
      { sec: 125, ago: 2 * DAY, name: 'интервью.mp3', text: 'Добрый день, это первая запись для проверки списка расшифровок в галерее и она довольно длинная' },
      { sec: 61, ago: HOUR, name: null, text: 'Вторая запись коротко' },
    ];
    const seeded = [];
    for (const r of rows) {
      const tid = randomUUID();
      const txt = Buffer.from(`${r.text}\n`);
      const srt = Buffer.from(`1\n00:00:00,000 --> 00:00:05,000\n${r.text}\n`);
      await stack.storage.put('transcripts', `${user.id}/${tid}/transcript.txt`, txt, 'text/plain; charset=utf-8');
      await stack.storage.put('transcripts', `${user.id}/${tid}/transcript.srt`, srt, 'application/x-subrip; charset=utf-8');
      await stack.prisma.transcript.create({
        data: {
          id: tid, userId: user.id, status: 'COMPLETED', fileId: `f${tid}`, fileUniqueId: `u${tid}`, fileName: r.name, durationSec: r.sec, text: r.text,
          txtObjectKey: `${user.id}/${tid}/transcript.txt`, srtObjectKey: `${user.id}/${tid}/transcript.srt`, createdAt: new Date(now - r.ago * 1000),
          segments: [{ start: 0, end: 5, text: r.text }],
        },
      });
      seeded.push({ ...r, tid, txt, srt });
    }
    // a failed one is not listed
    await stack.prisma.transcript.create({ data: { userId: user.id, status: 'FAILED', fileId: 'x', fileUniqueId: 'x' } });

    // the first recording's summary is made already: its 📋 is free (shown again), the other's shows the price
    await stack.prisma.transcriptSummary.create({ data: { id: crypto.randomUUID(), transcriptId: seeded[0]!.tid, userId: user.id, price: 2, status: 'COMPLETED', title: 'Интервью', keyPoints: ['Пункт'], actionItems: [] } });

    const empty = await openGallery(id); // no images: the empty gallery still offers the transcripts
    await press(id, empty, 'glt');
    const list = await eventually(() => msgs(id).find((m) => m.text?.startsWith('🎧 Ваши последние расшифровки')));
    const date = (ago: number) => {
      const d = new Date(now - ago * 1000 + 3 * HOUR * 1000);
      return `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;
    };
    expect(list.text!.split('\n').slice(2)).toEqual([
      `1. ${date(HOUR)} · 1:01 — «Вторая запись коротко»`,
      `2. ${date(2 * DAY)} · 2:05 — «Добрый день, это первая запись для проверки списка…»`,
    ]);
    expect(rowTexts(list, 0)).toEqual(['📄 1 · .txt', '🎬 1 · .srt', '🌐 1 · .vtt', '📋 1 · кратко · 2 кр.']);
    expect(rowTexts(list, 1)).toEqual(['📄 2 · .txt', '🎬 2 · .srt', '🌐 2 · .vtt', '📋 2 · кратко']);

    const first = seeded[0]!;
    await press(id, list, `tf:${first.tid}:txt`);
    await press(id, list, `tf:${first.tid}:srt`);
    await press(id, list, `tf:${seeded[1]!.tid}:txt`);
    await press(id, list, `tf:${first.tid}:vtt`);
    const docs = msgs(id).filter((m) => m.document);
    expect(docs.map((m) => m.document!.file_name)).toEqual(['интервью.txt', 'интервью.srt', `transcript-${date(HOUR)}.txt`, 'интервью.vtt']);
    expect(tg().world.files.get(docs[3]!.document!.file_id)!.data.toString('utf8')).toBe(`WEBVTT\n\n1\n00:00:00.000 --> 00:00:05.000\n${first.text}\n`);
    expect(tg().world.files.get(docs[0]!.document!.file_id)!.data.equals(first.txt)).toBe(true);
    expect(tg().world.files.get(docs[1]!.document!.file_id)!.data.equals(first.srt)).toBe(true);
  });

  it('/profile shows the right figures; /lang switches to English and the next message is in English', async () => {
    const { id, user, images } = main;
    await stack.prisma.transcript.createMany({
      data: [
        { userId: user.id, status: 'COMPLETED', fileId: 'a', fileUniqueId: 'a', durationSec: 125 },
        { userId: user.id, status: 'COMPLETED', fileId: 'b', fileUniqueId: 'b', durationSec: 61 },
        { userId: user.id, status: 'FAILED', fileId: 'c', fileUniqueId: 'c', durationSec: 600 },
      ],
    });
    const balance = await getBalance(stack.prisma, user.id);
    const since = new Date(user.createdAt.getTime() + 3 * HOUR * 1000);
    const sinceText = `${String(since.getUTCDate()).padStart(2, '0')}.${String(since.getUTCMonth() + 1).padStart(2, '0')}.${since.getUTCFullYear()}`;
    const count = (kind: string) => images.filter((img) => img.kind === kind).length;
    const favorites = images.filter((img) => img.favorite).length;
    expect([count('AVATAR'), count('IMAGEN4'), favorites]).toEqual([12, 18, 7]);

    const before = msgs(id).length;
    await send(id, '/profile');
    const profile = await eventually(() => msgs(id).slice(before).find((m) => m.text?.startsWith('👤 Профиль')));
    expect(profile.text).toBe(
      [
        '👤 Профиль',
        `💰 Баланс: ${balance} кредитов`,
        '🧑‍🎨 Аватары: 1 · основной «Аня»',
        '🖼 Изображения: 30 (с аватаром — 12, Imagen 4 — 18) · ⭐ 7',
        '🎧 Расшифровки: 2 · 4 мин',
        `📅 С нами с ${sinceText}`,
        '🌐 Язык: русский',
        '🕒 Часовой пояс: Москва · UTC+3',
      ].join('\n'),
    );
    expect(rowTexts(profile, 0)).toEqual(['🖼 Галерея', '🌐 Язык · Language']);
    expect(rowTexts(profile, 1)).toEqual(['🕒 Часовой пояс']);

    await send(id, '/lang');
    const menu = await eventually(() => msgs(id).find((m) => m.text === '🌐 Выберите язык · Choose your language'));
    expect(rowTexts(menu, 0)).toEqual(['✓ 🇷🇺 Русский', '🇬🇧 English']);
    expect((await press(id, menu, 'ln:en')).text).toBe('✅ Language: English. Commands and messages are in English now.');
    expect(tg().world.find(id, menu.message_id)!.text).toBe('✅ Language: English. Commands and messages are in English now.');
    expect(rowTexts(tg().world.find(id, menu.message_id)!, 0)).toEqual(['🇷🇺 Русский', '✓ 🇬🇧 English']);
    expect((await stack.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).language).toBe('en');

    const after = msgs(id).length;
    await send(id, '/profile');
    const english = await eventually(() => msgs(id).slice(after).find((m) => m.text?.startsWith('👤 Profile')));
    expect(english.text).toContain(`💰 Balance: ${balance} credits`);
    expect(english.text).toContain('🖼 Images: 30 (with an avatar — 12, Imagen 4 — 18) · ⭐ 7');
    expect(english.text).toContain('🌐 Language: English');
    await press(id, english, 'glo');
    const gallery = await eventually(() => msgs(id).find((m) => m.caption?.startsWith('🖼 Gallery · 1 of 30')));
    expect(rowTexts(gallery, 1)).toEqual(['☆ Favourite', '📝 Prompt', '🗑 Delete']);

    // and back to Russian
    await press(id, tg().world.find(id, menu.message_id)!, 'ln:ru');
    expect((await stack.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).language).toBe('ru');
  });
});

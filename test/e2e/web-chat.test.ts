import { Bot, InlineKeyboard, InputFile } from 'grammy';
import type { Message } from 'grammy/types';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramSandbox } from '../../sandbox/telegram/server';
import { TEST_BOT_TOKEN, uniqueTelegramId } from '../helpers/config';
import { seedAvatar, seedGallery } from '../helpers/gallery-seed';
import { photo } from '../helpers/images';
import { eventually, startStack, type Stack } from '../helpers/stack';

/** The parts of an <img> the test reads (the project compiles without the DOM library). */
type LoadedImage = { decode(): Promise<void>; naturalWidth: number; naturalHeight: number };
/** The part of an element the test reads to tell whether it is on screen. */
type Boxed = { getBoundingClientRect(): { top: number; bottom: number } };

/** Debian's chromium, launched as REFERENCE.md says (root, closed network); playwright gives it a fresh empty profile. */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Whether an element is inside the chat's visible area. */
async function onScreen(page: Page, selector: string): Promise<boolean> {
  const [box, log] = await Promise.all([
    page.locator(selector).first().evaluate((e) => (e as unknown as Boxed).getBoundingClientRect()),
    page.locator('#log').evaluate((e) => (e as unknown as Boxed).getBoundingClientRect()),
  ]);
  return box.bottom > log.top && box.top < log.bottom;
}

describe('the web chat in a real browser', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a person sends /start and sees the greeting', async () => {
    const id = uniqueTelegramId();
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    await page.goto(`${stack.telegram.apiRoot}/chat?user=${id}&lang=ru`);
    await page.fill('#text', '/start');
    await page.click('button[type=submit]');
    const greeting = page.locator('.msg.bot').filter({ hasText: 'Привет' });
    await greeting.waitFor({ timeout: 30_000 });
    expect(await greeting.innerText()).toContain('20 кредитов');
    await expect(page.locator('.msg.me').first().innerText()).resolves.toContain('/start');
    await page.screenshot({ path: 'test-results/web-chat.png' });
  });

  it('the gallery: the photo with its paging, actions and filters; → shows the next image in the same message', async () => {
    const id = uniqueTelegramId();
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    await page.goto(`${stack.telegram.apiRoot}/chat?user=${id}&lang=ru`);
    await page.fill('#text', '/start');
    await page.click('button[type=submit]');
    await page.locator('.msg.bot').filter({ hasText: 'Привет' }).waitFor({ timeout: 30_000 });
    const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    const avatarId = await seedAvatar(stack.prisma, user.id, 'Аня');
    const day = 24 * 3600;
    await seedGallery(stack, user.id, [
      { kind: 'IMAGEN4', ageSeconds: 60 },
      { kind: 'AVATAR', ageSeconds: 3600, favorite: true },
      { kind: 'IMAGEN4', ageSeconds: 2 * day },
      { kind: 'AVATAR', ageSeconds: 9 * day },
      { kind: 'IMAGEN4', ageSeconds: 40 * day },
    ], { avatarId, seed: 42 });

    await page.fill('#text', '/gallery');
    await page.click('button[type=submit]');
    const gallery = page.locator('.msg.bot').filter({ has: page.locator('button', { hasText: '1/5' }) });
    await gallery.waitFor({ timeout: 30_000 });
    const photo = gallery.locator('img');
    await expect(photo.isVisible()).resolves.toBe(true);
    // the photo really loaded (the bytes the bot sent from MinIO), not a broken image
    await photo.evaluate((img) => (img as unknown as LoadedImage).decode());
    expect(await photo.evaluate((img) => [(img as unknown as LoadedImage).naturalWidth, (img as unknown as LoadedImage).naturalHeight])).toEqual([480, 360]);
    for (const label of ['←', '1/5', '→', '☆ В избранное', '📝 Промпт', '🗑 Удалить', '✓ 🖼 Все · 5', '🧑‍🎨 Аватар · 2', '🎨 Imagen 4 · 3', '⭐ Только избранное · 1']) {
      await expect(gallery.locator('button', { hasText: label }).first().isVisible(), label).resolves.toBe(true);
    }
    expect(await gallery.innerText()).toContain('🖼 Галерея · 1 из 5');
    await page.screenshot({ path: 'test-results/web-chat-gallery.png' });

    // → edits the same message: the next photo and "2/5"
    const firstSrc = await photo.getAttribute('src');
    await gallery.locator('button', { hasText: '→' }).click();
    const second = page.locator('.msg.bot').filter({ has: page.locator('button', { hasText: '2/5' }) });
    await second.waitFor({ timeout: 30_000 });
    expect(await second.innerText()).toContain('🧑‍🎨 Аватар «Аня»');
    expect(await second.locator('img').getAttribute('src')).not.toBe(firstSrc);
    expect(await page.locator('.msg.bot img').count()).toBe(1);
    await page.screenshot({ path: 'test-results/web-chat-gallery-2.png' });

    // "⭐ Убрать" on this favourite answers with a toast (answerCallbackQuery text), which goes away by itself
    await second.locator('button', { hasText: '⭐ Убрать' }).click();
    await page.locator('#toast.show', { hasText: 'Убрано из избранного' }).waitFor({ timeout: 30_000 });
    await page.locator('#toast.show').waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('the command menu lists the bot\'s commands in the chosen language; a click sends one', async () => {
    const id = uniqueTelegramId();
    const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
    await page.goto(`${stack.telegram.apiRoot}/chat?user=${id}&lang=en`);
    const menuButton = page.locator('#menu');
    await expect(menuButton.innerText()).resolves.toBe('☰ Menu');
    await menuButton.click();
    const items = page.locator('#commands button');
    await items.first().waitFor();
    expect(await items.locator('.command').allInnerTexts()).toEqual(['/start', '/help', '/avatar', '/generate', '/imagen', '/gallery', '/jobs', '/balance', '/topup', '/profile', '/lang', '/cancel']);
    await expect(items.filter({ hasText: '/gallery' }).innerText()).resolves.toContain('Your gallery');
    await page.screenshot({ path: 'test-results/web-chat-menu.png' });

    await items.filter({ hasText: '/start' }).click();
    await expect(page.locator('#commands').isHidden()).resolves.toBe(true);
    await page.locator('.msg.me', { hasText: '/start' }).waitFor();
    await page.locator('.msg.bot', { hasText: "Hi, Guest! I'm Aisha." }).waitFor({ timeout: 30_000 });

    // the same chat in Russian: the Russian menu
    await page.selectOption('#lang', 'ru');
    await page.locator('#menu', { hasText: '☰ Меню' }).waitFor();
    await page.locator('#menu').click();
    await page.locator('#commands button', { hasText: 'Ваша галерея' }).waitFor();
  });
});

/**
 * The page against the Telegram sandbox alone, driven by a grammY bot written
 * here: what each Bot API feature looks like in the chat.
 */
describe('the web chat shows what Telegram shows', () => {
  let sandbox: TelegramSandbox;
  let bot: Bot;
  /** Photo updates the bot received, by chat. */
  const photos = new Map<number, Message[]>();
  /** Set while the "slow" button's answer waits for the test to release it. */
  let release: (() => void) | undefined;

  beforeAll(async () => {
    sandbox = await new TelegramSandbox({ token: TEST_BOT_TOKEN }).start();
    bot = new Bot(TEST_BOT_TOKEN, { client: { apiRoot: sandbox.apiRoot } });
    bot.command('card', (ctx) =>
      ctx.reply('Тариф «Стандарт»', { reply_markup: new InlineKeyboard().text('Купить', 'buy').text('Сохранить', 'save').row().text('Медленно', 'slow') }),
    );
    bot.callbackQuery('buy', (ctx) => ctx.answerCallbackQuery({ text: 'Недостаточно кредитов: нужно 150, у вас 20.', show_alert: true }));
    bot.callbackQuery('save', (ctx) => ctx.answerCallbackQuery({ text: 'Сохранено' }));
    bot.callbackQuery('slow', async (ctx) => {
      await new Promise<void>((resolve) => (release = resolve));
      await ctx.answerCallbackQuery({ text: 'Готово' });
    });
    bot.on('message:photo', (ctx) => {
      photos.set(ctx.chat.id, [...(photos.get(ctx.chat.id) ?? []), ctx.message]);
    });
    await bot.init();
    void bot.start();
  });
  afterAll(async () => {
    await bot?.stop();
    await sandbox?.stop();
  });

  async function open(id: number, height = 800): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 900, height } });
    await page.goto(`${sandbox.apiRoot}/chat?user=${id}&lang=ru`);
    return page;
  }

  async function send(page: Page, text: string) {
    await page.fill('#text', text);
    await page.click('button[type=submit]');
  }

  it('callback answers: the pressed button spins until answered; a toast that goes away; an alert that waits for OK', async () => {
    const id = uniqueTelegramId();
    const page = await open(id);
    await send(page, '/card');
    const card = page.locator('.msg.bot', { hasText: 'Тариф «Стандарт»' });
    await card.waitFor({ timeout: 30_000 });

    await card.locator('button', { hasText: 'Медленно' }).click();
    await card.locator('button.pending', { hasText: 'Медленно' }).waitFor();
    (await eventually(() => release))();
    await page.locator('#toast.show', { hasText: 'Готово' }).waitFor({ timeout: 10_000 });
    await card.locator('button.pending').waitFor({ state: 'detached' });

    await card.locator('button', { hasText: 'Сохранить' }).click();
    const toast = page.locator('#toast.show', { hasText: 'Сохранено' });
    await toast.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: 'test-results/web-chat-toast.png' });
    await toast.waitFor({ state: 'detached', timeout: 10_000 }); // gone after a few seconds
    await expect(page.locator('#alert').isVisible()).resolves.toBe(false);

    await card.locator('button', { hasText: 'Купить' }).click();
    const alert = page.locator('#alert[open]');
    await alert.waitFor({ timeout: 10_000 });
    await expect(alert.innerText()).resolves.toContain('Недостаточно кредитов: нужно 150, у вас 20.');
    await page.waitForTimeout(4_000); // an alert stays until dismissed
    await expect(alert.isVisible()).resolves.toBe(true);
    await page.screenshot({ path: 'test-results/web-chat-alert.png' });
    await alert.locator('button', { hasText: 'OK' }).click();
    await alert.waitFor({ state: 'detached' });
  });

  it('three images through the file input: three updates with one media_group_id, one bubble with the typed caption; a reply to one of them quotes it and jumps to it', async () => {
    const id = uniqueTelegramId();
    const page = await open(id, 700);
    const files = await Promise.all([1, 2, 3].map(async (n) => ({ name: `p${n}.jpg`, mimeType: 'image/jpeg', buffer: await photo(700 + n, { width: 480, height: 360 }) })));
    await page.fill('#text', 'Мои фото');
    await page.setInputFiles('#attach', files);

    const received = await eventually(() => (photos.get(id)?.length === 3 ? photos.get(id) : null));
    const groups = new Set(received.map((m) => m.media_group_id));
    expect(groups.size).toBe(1);
    expect([...groups][0]).toMatch(/^\d+$/);
    expect(received.map((m) => m.caption)).toEqual(['Мои фото', undefined, undefined]);
    const mine = page.locator('.msg.me[data-media-group-id]');
    await mine.locator('.album img').nth(2).waitFor({ timeout: 10_000 });
    await expect(mine.locator('.album img').count()).resolves.toBe(3);
    await mine.locator('.album img').last().evaluate((img) => (img as unknown as LoadedImage).decode());
    await expect(mine.locator('.text').innerText()).resolves.toBe('Мои фото');
    expect(await page.locator('.msg.me').count()).toBe(1);

    // the bot's verdicts push the album off screen; the one about photo 2 replies to it
    for (let i = 1; i <= 14; i++) await bot.api.sendMessage(id, `Проверяю… ${i}`);
    const second = received[1]!;
    await bot.api.sendMessage(id, '✅ Лицо хорошо видно, фото принято', { reply_parameters: { message_id: second.message_id } });
    const verdict = page.locator('.msg.bot', { hasText: 'фото принято' });
    await verdict.waitFor({ timeout: 10_000 });
    const quote = verdict.locator('.quote');
    await expect(quote.locator('.author').innerText()).resolves.toBe('Гость');
    await expect(quote.locator('.line').innerText()).resolves.toBe('Фото');
    await expect(quote.locator('img').count()).resolves.toBe(1);
    await page.waitForTimeout(300);
    expect(await onScreen(page, `.album img[data-message-id="${second.message_id}"]`)).toBe(false);
    await page.screenshot({ path: 'test-results/web-chat-photo-reply.png' });

    await quote.click();
    await page.locator(`.album img[data-message-id="${second.message_id}"].flash`).waitFor();
    expect(await onScreen(page, `.album img[data-message-id="${second.message_id}"]`)).toBe(true);
    await page.screenshot({ path: 'test-results/web-chat-user-album.png' });
  });

  it('an album the bot sent is one bubble with its three images and the caption one of them has; its buttons come as a separate message', async () => {
    const id = uniqueTelegramId();
    sandbox.world.user(id);
    const page = await open(id, 800);
    const images = await Promise.all([11, 12, 13].map((n) => photo(n, { width: 400, height: 300 })));
    await bot.api.sendMediaGroup(id, images.map((data, i) => ({ type: 'photo' as const, media: new InputFile(data), caption: i === 1 ? 'Три варианта: «кот в шляпе»' : undefined })));
    await bot.api.sendMessage(id, 'Что дальше?', { reply_markup: new InlineKeyboard().text('🔁 Ещё', 'again') });

    const album = page.locator('.msg.bot[data-media-group-id]');
    await album.waitFor({ timeout: 10_000 });
    await expect(album.locator('.album img').count()).resolves.toBe(3);
    for (const img of await album.locator('.album img').all()) {
      await img.evaluate((i) => (i as unknown as LoadedImage).decode());
      expect(await img.evaluate((i) => (i as unknown as LoadedImage).naturalWidth)).toBe(400);
    }
    await expect(album.locator('.text').innerText()).resolves.toBe('Три варианта: «кот в шляпе»');
    await expect(album.locator('.kb').count()).resolves.toBe(0);
    await page.locator('.msg.bot', { hasText: 'Что дальше?' }).locator('button', { hasText: '🔁 Ещё' }).waitFor();
    expect(await page.locator('.msg.bot').count()).toBe(2);
    await page.screenshot({ path: 'test-results/web-chat-bot-album.png' });
  });

  it('a reply shows its quote (the first line), an edited message says «изменено», a deleted one disappears and its quotes say so', async () => {
    const id = uniqueTelegramId();
    const page = await open(id);
    await send(page, 'Нарисуй кота в шляпе\nв стиле Ван Гога');
    const request = await eventually(() => sandbox.world.chatMessages(id).find((m) => !m.from_bot));
    const answer = await bot.api.sendMessage(id, '⏳ Рисую…', { reply_parameters: { message_id: request.message_id } });
    const doc = await bot.api.sendDocument(id, new InputFile(Buffer.from('кот'), 'prompt.txt'), { caption: 'Промпт — в файле', reply_parameters: { message_id: request.message_id } });
    const reply = page.locator('.msg.bot', { hasText: 'Рисую' });
    await reply.waitFor({ timeout: 10_000 });
    await expect(reply.locator('.quote .line').innerText()).resolves.toBe('Нарисуй кота в шляпе');
    await expect(reply.locator('.quote .author').innerText()).resolves.toBe('Гость');
    // a document's caption under the file
    const docBubble = page.locator('.msg.bot', { hasText: 'prompt.txt' });
    await expect(docBubble.locator('.text').innerText()).resolves.toBe('Промпт — в файле');
    await expect(reply.locator('.meta').innerText()).resolves.not.toContain('изменено');

    await bot.api.editMessageText(id, answer.message_id, '✅ Готово: кот в шляпе');
    const edited = page.locator('.msg.bot', { hasText: 'Готово: кот в шляпе' });
    await edited.waitFor({ timeout: 10_000 });
    await expect(edited.locator('.meta').innerText()).resolves.toMatch(/^изменено \d\d:\d\d$/);
    await expect(edited.locator('.quote .line').innerText()).resolves.toBe('Нарисуй кота в шляпе');
    await page.screenshot({ path: 'test-results/web-chat-replies.png' });

    await bot.api.deleteMessage(id, request.message_id);
    await page.locator('.msg.me').waitFor({ state: 'detached', timeout: 10_000 });
    await expect(edited.locator('.quote .line').innerText()).resolves.toBe('Удалённое сообщение');
    await expect(page.locator(`.msg.bot[data-message-id="${doc.message_id}"] .quote.deleted`).count()).resolves.toBe(1);
    await page.screenshot({ path: 'test-results/web-chat-deleted.png' });
  });
});

import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTelegramId } from '../helpers/config';
import { seedAvatar, seedGallery } from '../helpers/gallery-seed';
import { startStack, type Stack } from '../helpers/stack';

/** The parts of an <img> the test reads (the project compiles without the DOM library). */
type LoadedImage = { decode(): Promise<void>; naturalWidth: number; naturalHeight: number };

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

describe('the web chat in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
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
  });
});

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBalance } from '../../lib/db/ledger';
import { uniqueTelegramId } from '../helpers/config';
import { photo } from '../helpers/images';
import { eventually, startStack, type Stack } from '../helpers/stack';

/**
 * Long jobs a person can follow, walked in the web chat as a newcomer does:
 * an avatar from 12 photos (rejected ones answered under each photo) whose
 * "ready" arrives as a new message at the bottom; /imagen without a prompt →
 * prompt → options → result → ⭐ state → 🔁 with its price; /cancel during a
 * generation. Screenshots in test-results/.
 */
describe('jobs people can follow, in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ env: { FAL_POLL_INTERVAL_SECONDS: '1', WELCOME_CREDITS: '200' } });
    Object.assign(stack.fal.knobs, { imageJobMs: 300, trainingJobMs: 4000 });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function open(id: number, height = 1000): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 900, height } });
    await page.goto(`${stack.telegram.apiRoot}/chat?user=${id}&lang=ru`);
    await send(page, '/start');
    await page.locator('.msg.bot').filter({ hasText: 'Привет' }).waitFor({ timeout: 30_000 });
    return page;
  }
  async function send(page: Page, text: string) {
    await page.fill('#text', text);
    await page.click('#send');
  }
  const bot = (page: Page, text: string) => page.locator('.msg.bot').filter({ hasText: text });
  const lastBubble = (page: Page) => page.locator('#log > .msg').last();

  it('an avatar from 12 photos: each rejected photo answered under it, then "ready" as a new message at the bottom', async () => {
    const id = uniqueTelegramId();
    const page = await open(id);
    await send(page, '/avatar');
    await page.locator('.msg.bot button', { hasText: 'Создать аватар' }).last().click();
    await bot(page, 'Обучение стоит 150 кредитов, на балансе 200').waitFor({ timeout: 30_000 });
    await page.locator('.msg.bot button', { hasText: 'Портрет' }).last().click();
    await bot(page, 'Как назовём').waitFor({ timeout: 30_000 });
    await send(page, 'Лена');
    await bot(page, 'Аватар «Лена» создан').waitFor({ timeout: 30_000 });

    // 12 files at once: the page sends albums of at most 10, as a Telegram client does (10 + 2)
    const files = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => ({
        name: `me-${i + 1}.jpg`,
        mimeType: 'image/jpeg',
        buffer: i === 3 ? await photo(41_000, { width: 100, height: 100 }) : i === 8 ? await photo(41_001, { marker: [0, 0, 255] }) : await photo(40_000 + i),
      })),
    );
    await page.setInputFiles('#attach', files);
    const status = bot(page, 'принято 10 из 10–20 · отклонено 2 (ответы под фото)');
    await status.waitFor({ timeout: 90_000 });
    // one answer under each rejected photo: a bubble that quotes a photo and says why
    const answers = page.locator('.msg.bot').filter({ has: page.locator('.quote') }).filter({ hasText: 'Это фото не подойдёт' });
    await eventually(async () => (await answers.count()) === 2);
    const reasons = await answers.allInnerTexts();
    expect(reasons.some((t) => t.includes('слишком маленькое'))).toBe(true);
    expect(reasons.some((t) => t.includes('несколько лиц'))).toBe(true);
    await page.screenshot({ path: 'test-results/followable-photo-answers.png' });

    await status.locator('button', { hasText: '🚀' }).click();
    const training = bot(page, '⏳ Обучение «Лена»');
    await training.waitFor({ timeout: 30_000 });
    expect(await training.innerText()).toMatch(/осталось ~\d+ мин/);
    const trainingId = await training.getAttribute('data-message-id');
    await page.screenshot({ path: 'test-results/followable-training.png' });
    const ready = bot(page, '✅ Аватар «Лена» готов');
    await ready.waitFor({ timeout: 60_000 });
    // the newest bubble at the bottom, quoting the status above (which kept its text)
    expect(await lastBubble(page).innerText()).toContain('✅ Аватар «Лена» готов');
    expect(await ready.locator('.quote').innerText()).toContain('Обучение «Лена»');
    expect(await ready.getAttribute('data-message-id')).not.toBe(trainingId);
    expect(await page.locator(`[data-message-id="${trainingId}"]`).innerText()).toContain('⏳ Обучение «Лена»'); // the status kept its text
    await page.screenshot({ path: 'test-results/followable-avatar-ready.png' });
  });

  it('/imagen without a prompt waits for it → options → the result under the prompt → ⭐ shows its state → 🔁 shows the price', async () => {
    const id = uniqueTelegramId();
    const page = await open(id);
    await send(page, '/imagen');
    await bot(page, 'Что нарисовать через Imagen 4?').waitFor({ timeout: 30_000 });
    await send(page, 'маяк в тумане на рассвете');
    const options = bot(page, 'Выберите формат и количество');
    await options.waitFor({ timeout: 30_000 });
    await options.locator('button', { hasText: '🎨 Создать — 4 кредита' }).click();
    const result = page.locator('.msg.bot').filter({ has: page.locator('img') }).filter({ hasText: 'маяк в тумане' });
    await result.waitFor({ timeout: 60_000 });
    expect(await result.locator('.quote').innerText()).toContain('маяк в тумане на рассвете');

    await result.locator('button', { hasText: '☆ В избранное' }).click();
    await result.locator('button', { hasText: '⭐ В избранном' }).waitFor({ timeout: 30_000 });
    await page.locator('#toast', { hasText: 'Добавлено в избранное' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: 'test-results/followable-favorite.png' });

    const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    const balance = await getBalance(stack.prisma, user.id);
    await result.locator('button', { hasText: '🔁 Ещё раз' }).click();
    const again = lastBubble(page);
    await eventually(async () => (await again.innerText()).includes('Выберите формат и количество'));
    expect(await again.locator('button', { hasText: '🎨 Создать — 4 кредита' }).count()).toBe(1);
    expect(await getBalance(stack.prisma, user.id)).toBe(balance); // nothing charged by 🔁 itself
    await page.screenshot({ path: 'test-results/followable-again-offer.png' });
  });

  it('/cancel during a generation: the progress goes, a new message says it was cancelled and refunded', async () => {
    const id = uniqueTelegramId();
    const page = await open(id);
    stack.fal.knobs.imageJobMs = 30_000;
    try {
      await send(page, '/imagen кит над облаками');
      const options = bot(page, 'Выберите формат и количество');
      await options.waitFor({ timeout: 30_000 });
      await options.locator('button', { hasText: 'Создать' }).click();
      const progress = bot(page, 'Создаю изображение');
      await progress.waitFor({ timeout: 30_000 });
      expect(await progress.locator('button', { hasText: '✖️' }).count()).toBe(1);
      await page.screenshot({ path: 'test-results/followable-generation-progress.png' });
      await send(page, '/cancel');
      const cancelled = bot(page, 'Генерация отменена. 4 кредита возвращены');
      await cancelled.waitFor({ timeout: 60_000 });
      expect(await lastBubble(page).innerText()).toContain('Генерация отменена');
      await eventually(async () => (await progress.count()) === 0);
      const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 200);
      await page.screenshot({ path: 'test-results/followable-cancelled.png' });
    } finally {
      stack.fal.knobs.imageJobMs = 300;
    }
  });
});

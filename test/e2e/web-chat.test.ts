import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTelegramId } from '../helpers/config';
import { startStack, type Stack } from '../helpers/stack';

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
});

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBalance } from '../../lib/db/ledger';
import { TEST_BOT_TOKEN, uniqueTelegramId } from '../helpers/config';
import { signInitData } from '../helpers/init-data';
import { makeSpeechAudio, type SpeechAudio } from '../helpers/speech-audio';
import { eventually, startStack, type Stack } from '../helpers/stack';

/**
 * A recording too large for the Bot API's 20 MB (issue 19): the upload page,
 * opened as a Mini App with initData signed for the sandbox bot, uploads it
 * with tus in 2 MiB requests; the connection drops once and the upload
 * resumes from the server's offset; the transcription is quoted, confirmed
 * and charged like any other.
 */
describe('the upload page (a Mini App) in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let dir: string;
  let big: SpeechAudio;
  let small: SpeechAudio;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisha-upload-test-'));
    stack = await startStack({ env: { WELCOME_CREDITS: '100', TRANSCRIPTION_PARALLEL_CHUNKS: '4' } });
    [big, small] = await Promise.all([
      // 45 minutes at 160 kbit/s (MPEG-2's most at 16 kHz): ~54 MB, far over what the Bot API lets a bot download
      makeSpeechAudio({ seconds: 45 * 60, dir, seed: 51, format: 'mp3', bitrate: '160k' }),
      makeSpeechAudio({ seconds: 20, dir, seed: 52 }),
    ]);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';
  const find = (id: number, part: string) => msgs(id).find((m) => textOf(m).includes(part));
  const base = () => stack.config.http.publicBaseUrl;

  async function onboard(id: number) {
    tg().sendText(id, '/start');
    await eventually(() => find(id, 'Привет'));
    return stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
  }

  /** A tus creation request, as the page's client makes it. */
  const create = (authorization: string, length = 1000) =>
    fetch(`${base()}/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': String(length), authorization } });

  it('a 45-minute, ~54 MB recording: uploaded in 2 MiB requests, the connection drops once and the upload resumes; quoted, confirmed, transcribed, charged 45', async () => {
    expect((await stat(big.path)).size).toBeGreaterThan(50 * 1024 * 1024);
    const id = uniqueTelegramId();
    const user = await onboard(id);
    const initData = signInitData({ id, first_name: 'Лена', language_code: 'ru' }, TEST_BOT_TOKEN);

    const page = await browser.newPage();
    const seen: string[] = [];
    let patches = 0;
    let dropped = false;
    await page.route('**/uploads/**', async (route) => {
      const method = route.request().method();
      seen.push(method);
      // the 8th piece never arrives: the connection is reset, as on a train entering a tunnel
      if (method === 'PATCH' && ++patches === 8 && !dropped) {
        dropped = true;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.goto(`${base()}/miniapp/upload#tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=8.0`);
    expect(await page.textContent('h1')).toBe('Загрузка записи');
    await page.setInputFiles('#file', big.path);
    await page.waitForFunction(() => (globalThis as unknown as { aishaUploadDone?: boolean }).aishaUploadDone === true, null, { timeout: 300_000 });
    expect(await page.textContent('#status')).toContain('Файл загружен');
    await page.close();

    // the drop was noticed and the client asked the server where to continue (HEAD), then went on from there
    expect(dropped).toBe(true);
    const afterDrop = seen.slice(seen.indexOf('PATCH') + 7);
    expect(afterDrop).toContain('HEAD');
    // every byte arrived once: the object in MinIO is the file
    const transcript = await eventually(() => stack.prisma.transcript.findFirst({ where: { userId: user.id } }), { timeoutMs: 60_000 });
    const stored = await stack.storage.get('audio', `${user.id}/${transcript.id}/source`);
    expect(stored.length).toBe((await stat(big.path)).size);

    const quote = await eventually(() => find(id, '45 мин'), { timeoutMs: 180_000 });
    expect(await getBalance(stack.prisma, user.id)).toBe(100); // nothing charged before the confirmation
    tg().pressButton(id, quote.message_id, `tc:${transcript.id}`);
    const done = await eventually(() => find(id, 'Расшифровка готова'), { timeoutMs: 300_000 });
    expect(textOf(done)).toContain('Списано 45');
    expect(await getBalance(stack.prisma, user.id)).toBe(55);
    expect((await stack.prisma.transcript.findUniqueOrThrow({ where: { id: transcript.id } })).durationSec).toBe(2700);
  }, 900_000);

  it('forged, another bot\'s and expired initData are refused (401); someone else\'s upload cannot be touched; without any, the page says to open it from the bot', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    const user = { id, first_name: 'Ира' };
    const good = signInitData(user, TEST_BOT_TOKEN);
    const created = await create(`tma ${good}`);
    expect(created.status).toBe(201);
    const forged = good.replace(/hash=[0-9a-f]+/, `hash=${'0'.repeat(64)}`);
    const otherUser = new URLSearchParams(good);
    otherUser.set('user', JSON.stringify({ id: id + 1, first_name: 'Чужой' })); // the signature was for someone else
    for (const [what, authorization] of [
      ['forged', `tma ${forged}`],
      ['another user in signed data', `tma ${otherUser.toString()}`],
      ['another bot', `tma ${signInitData(user, '123456:another-bots-token-AAAAAAAAAAAAAAAAAAA')}`],
      ['expired', `tma ${signInitData(user, TEST_BOT_TOKEN, new Date(Date.now() - 2 * 24 * 3600 * 1000))}`],
      ['none', ''],
      ['a made-up link', 'link 1.9999999999.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ] as const) {
      expect((await create(authorization)).status, what).toBe(401);
    }
    // someone else's upload cannot be continued or read, even with valid data of their own
    const stranger = uniqueTelegramId();
    await onboard(stranger);
    const location = created.headers.get('location')!;
    const head = await fetch(new URL(location, base()), { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', authorization: `tma ${signInitData({ id: stranger, first_name: 'B' }, TEST_BOT_TOKEN)}` } });
    expect(head.status).toBe(404);

    const page = await browser.newPage({ locale: 'ru-RU' });
    await page.goto(`${base()}/miniapp/upload`);
    expect(await page.textContent('#status')).toBe('Откройте эту страницу кнопкой в боте.');
    await page.close();
  });

  it('/upload: a Mini App button and a one-time link for a browser; the link uploads once, then it is spent', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    tg().sendText(id, '/upload');
    const offer = await eventually(() => find(id, 'страницу загрузки'));
    const button = offer.reply_markup!.inline_keyboard.flat()[0] as { text: string; web_app?: { url: string } };
    expect(button.text).toBe('📤 Загрузить файл до 2 ГБ');
    expect(button.web_app?.url).toBe(`${base()}/miniapp/upload`);
    const link = /(http\S+\?t=\S+)/.exec(textOf(offer))![1]!;

    const page = await browser.newPage();
    await page.goto(link);
    await page.setInputFiles('#file', small.path);
    await page.waitForFunction(() => (globalThis as unknown as { aishaUploadDone?: boolean }).aishaUploadDone === true, null, { timeout: 60_000 });
    await page.close();
    await eventually(() => find(id, 'Расшифровка готова'), { timeoutMs: 90_000 });
    expect(await getBalance(stack.prisma, user.id)).toBe(99);

    expect((await create(`link ${new URL(link).searchParams.get('t')}`)).status).toBe(410);
  });
});

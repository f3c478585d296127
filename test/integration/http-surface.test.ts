import type http from 'node:http';
import net from 'node:net';
import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../bot/context';
import { createHttpServer, HTTP_LIMITS, TELEGRAM_WEBHOOK_PATH } from '../../bot/http-server';
import { createBotMetrics } from '../../bot/metrics';
import { createLogger } from '../../lib/logger';
import { listen } from '../../sandbox/http-util';
import { TEST_BOT_INFO, testConfig } from '../helpers/config';

/**
 * The bot's public HTTP listener as an outside client meets it (webhook mode):
 * idle connections are closed, the Telegram webhook has a body limit that
 * holds without buffering, and metrics labels come from a closed set.
 */
const SECRET = 'http-surface-secret-0123456789';

describe('the bot HTTP surface', () => {
  const handled: Update[] = [];
  const metrics = createBotMetrics({ processMetrics: false });
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    const config = testConfig({ BOT_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, PUBLIC_BASE_URL: 'https://bot.example.test' });
    const bot = new Bot<AppContext>(config.telegram.token, { botInfo: TEST_BOT_INFO });
    bot.use(metrics.middleware);
    bot.use((ctx) => void handled.push(ctx.update));
    server = createHttpServer({ bot, config, logger: createLogger({ level: 'silent' }), metrics });
    port = await listen(server, 0);
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  const telegram = (body: string | ReadableStream<Uint8Array>, secret = SECRET) =>
    fetch(`http://127.0.0.1:${port}${TELEGRAM_WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body,
      duplex: 'half',
    } as RequestInit);

  it('closes a connection that sends nothing once the header timeout has passed', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const opened = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      socket.on('close', () => resolve(Date.now() - opened));
      socket.on('error', () => undefined);
      // Not later than just before the idle timeout: a loaded machine may run both timers in one turn of the loop.
      setTimeout(() => resolve(Infinity), HTTP_LIMITS.socketIdleMs - 1_000).unref();
    });
    socket.destroy();
    // Our check closed it, not the idle timeout (which closes any silent socket, later).
    expect(closedAfter).toBeGreaterThanOrEqual(HTTP_LIMITS.headersTimeoutMs - 100);
    expect(closedAfter).toBeLessThan(HTTP_LIMITS.socketIdleMs - 1_000);
  }, 40_000);

  it('closes a connection that sends its headers a byte at a time', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const request = `POST ${TELEGRAM_WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`;
    let i = 0;
    const drip = setInterval(() => (i < request.length ? socket.write(request[i++]!) : undefined), 1000);
    const closed = await new Promise<boolean>((resolve) => {
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
      setTimeout(() => resolve(false), HTTP_LIMITS.headersTimeoutMs + 10_000).unref();
    });
    clearInterval(drip);
    socket.destroy();
    expect(closed).toBe(true);
  }, 30_000);

  it('refuses a 50 MiB Telegram update with 413 without reading it into memory; a normal update is handled', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 50) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    global.gc?.();
    const before = process.memoryUsage().rss;
    const res = await telegram(body);
    expect(res.status).toBe(413);
    const grown = process.memoryUsage().rss - before;
    expect(grown).toBeLessThan(40 * 1024 * 1024);
    expect(handled).toHaveLength(0);

    // Declared up front: refused before a byte of the body is read.
    const declared = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write(`POST ${TELEGRAM_WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: ${SECRET}\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`),
      );
      let answer = '';
      socket.on('data', (d: Buffer) => {
        answer += d.toString('utf8');
        if (answer.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(answer.split('\r\n')[0]!);
        }
      });
    });
    expect(declared).toBe('HTTP/1.1 413 Payload Too Large');

    const ok = await telegram(JSON.stringify({ update_id: 10, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'A' }, text: 'hi' } }));
    expect(ok.status).toBe(200);
    expect(handled.map((u) => u.update_id)).toEqual([10]);
    expect((await telegram('{"update_id": 11', SECRET)).status).toBe(400);
    expect((await telegram('{}', 'wrong-secret')).status).toBe(401);
  });

  it('labels updates from a closed set: unknown update keys are counted as "other"', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await telegram(JSON.stringify({ update_id: 100 + i, [`invented_key_${i}`]: { x: 1 } }));
      expect(res.status).toBe(200);
    }
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('invented_key');
    expect(text).toContain('aisha_bot_updates_total{type="other",result="ok"} 20');
  });
});

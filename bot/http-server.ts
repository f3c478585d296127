import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { BotError, webhookCallback, type Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Config } from '../lib/config';
import { readLimited } from '../lib/http-body';
import type { Logger } from '../lib/logger';
import type { AppContext } from './context';
import { FAL_WEBHOOK_PATH_PREFIX, type FalWebhookHandler } from './fal-webhook';
import type { BotMetrics } from './metrics';
import { UpdateInProgressError } from './middleware';
import { isUploadsPath, type UploadsHandler } from './uploads';
import type { ReadinessCheck } from './readiness';

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';

/**
 * Limits of the public listener (README, "Production"): Telegram and FAL send
 * small JSON bodies from fast networks, so a client that is slower than these
 * is broken or hostile, and holding its socket only costs us.
 */
export const HTTP_LIMITS = {
  /** Complete request headers within 10 s (a connection that sends nothing is closed 10 s after it opens). */
  headersTimeoutMs: 10_000,
  /** The whole request, body included, within 30 s (1 MiB at ≥ 35 KB/s). */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after 5 s (shorter than a proxy's upstream keep-alive). */
  keepAliveTimeoutMs: 5_000,
  /** A socket with no traffic at all for 30 s is closed (covers stalled handlers' peers). */
  socketIdleMs: 30_000,
  /** How often the timeouts above are enforced (Node's default is 30 s). */
  checkIntervalMs: 1_000,
  /** Concurrent connections; Telegram opens at most 100 (`max_connections`), FAL a few. */
  maxConnections: 512,
  /** A Bot API update is a few KB (a 4096-character message with entities stays far below). */
  telegramMaxBodyBytes: 256 * 1024,
} as const;

export interface HttpServerOptions {
  bot: Bot<AppContext>;
  config: Config;
  logger: Logger;
  /** `POST /webhooks/fal/:workflowId` (bot/fal-webhook.ts); without it that path is 404. */
  falWebhook?: FalWebhookHandler;
  /** `GET /metrics` (bot/metrics.ts); without it that path is 404. */
  metrics?: BotMetrics;
  /** `GET /readyz` (bot/readiness.ts); without it that path is 404. */
  readiness?: ReadinessCheck;
  /** The upload page and tus uploads (bot/uploads.ts); without it those paths are 404. */
  uploads?: UploadsHandler;
}

/**
 * The bot's HTTP server: liveness (`/healthz`: the process answers), readiness
 * (`/readyz`: PostgreSQL, Redis, MinIO and Temporal answer), Prometheus
 * `/metrics`, FAL webhooks, and the Telegram webhook in webhook mode.
 */
export function createHttpServer({ bot, config, logger, falWebhook, metrics, readiness, uploads }: HttpServerOptions): http.Server {
  // grammY's own 'http' adapter reads any body whole: ours gets the update already read within the limit.
  const telegramWebhook =
    config.telegram.mode === 'webhook'
      ? webhookCallback(bot, (update: Update, res: http.ServerResponse) => ({
          update: Promise.resolve(update),
          header: config.telegram.webhookSecret,
          end: () => res.end(),
          respond: (json: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(json),
          unauthorized: () => res.writeHead(401).end(),
        }), { secretToken: config.telegram.webhookSecret, onTimeout: 'return' })
      : null;

  const server = http.createServer(
    {
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: HTTP_LIMITS.checkIntervalMs,
    },
    (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (req.method === 'GET' && path === '/readyz' && readiness) {
      readiness()
        .then((r) => {
          if (!r.ok) logger.warn({ failing: r.failing, checks: r.checks }, 'not ready');
          res.writeHead(r.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(r));
        })
        .catch((err: unknown) => {
          logger.error({ err }, 'readiness check failed');
          if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json' }).end('{"ok":false}');
        });
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && metrics) {
      metrics.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text))
        .catch((err: unknown) => {
          logger.error({ err }, 'metrics failed');
          if (!res.headersSent) res.writeHead(500).end();
        });
      return;
    }
    if (uploads && isUploadsPath(path)) {
      uploads(req, res).catch((err: unknown) => {
        logger.error({ err }, 'upload failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    if (req.method === 'POST' && path.startsWith(FAL_WEBHOOK_PATH_PREFIX) && falWebhook) {
      falWebhook(req, res).catch((err: unknown) => {
        logger.error({ err }, 'fal webhook failed');
        metrics?.falWebhook('error');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"ok":false}');
      });
      return;
    }
    if (req.method === 'POST' && path === TELEGRAM_WEBHOOK_PATH && telegramWebhook) {
      if (metrics) res.once('finish', () => metrics.telegramWebhook(res.statusCode));
      handleTelegramWebhook(req, res, config.telegram.webhookSecret ?? '', telegramWebhook as (update: Update, res: http.ServerResponse) => Promise<unknown>).catch((err: unknown) => {
        // Another delivery holds this update (bot/middleware.ts): 503, and Telegram tries again later.
        const busy = (err instanceof BotError ? err.error : err) instanceof UpdateInProgressError;
        if (!busy) logger.error({ err }, 'telegram webhook failed');
        if (!res.headersSent) res.writeHead(busy ? 503 : 500).end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    },
  );
  server.timeout = HTTP_LIMITS.socketIdleMs;
  server.maxConnections = HTTP_LIMITS.maxConnections;
  // Node's header timeout starts with the first byte: a connection that sends nothing is closed here.
  server.on('connection', (socket) => {
    const silent = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, HTTP_LIMITS.headersTimeoutMs).unref();
    socket.once('close', () => clearTimeout(silent));
  });
  return server;
}

/**
 * The Telegram webhook: the secret token is checked before anything is read,
 * the body is read up to its limit (413 beyond, without buffering it), and
 * only valid JSON reaches grammY (400 otherwise: redelivering cannot fix it).
 */
async function handleTelegramWebhook(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  secret: string,
  handle: (update: Update, res: http.ServerResponse) => Promise<unknown>,
): Promise<void> {
  const given = Buffer.from(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''));
  const expected = Buffer.from(secret);
  if (!secret || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    res.writeHead(401, { connection: 'close' }).end();
    req.resume();
    return;
  }
  const raw = await readLimited(req, HTTP_LIMITS.telegramMaxBodyBytes);
  if (!raw) {
    res.writeHead(413, { connection: 'close' }).end();
    req.resume();
    return;
  }
  let update: Update;
  try {
    update = JSON.parse(raw.toString('utf8')) as Update;
  } catch {
    res.writeHead(400).end();
    return;
  }
  if (!update || typeof update !== 'object' || !Number.isSafeInteger(update.update_id)) {
    res.writeHead(400).end();
    return;
  }
  await handle(update, res);
}

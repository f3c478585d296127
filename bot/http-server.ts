import http from 'node:http';
import { webhookCallback, type Bot } from 'grammy';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { AppContext } from './context';
import { FAL_WEBHOOK_PATH_PREFIX, type FalWebhookHandler } from './fal-webhook';
import type { BotMetrics } from './metrics';
import type { ReadinessCheck } from './readiness';

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';

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
}

/**
 * The bot's HTTP server: liveness (`/healthz`: the process answers), readiness
 * (`/readyz`: PostgreSQL, Redis, MinIO and Temporal answer), Prometheus
 * `/metrics`, FAL webhooks, and the Telegram webhook in webhook mode.
 */
export function createHttpServer({ bot, config, logger, falWebhook, metrics, readiness }: HttpServerOptions): http.Server {
  const telegramWebhook =
    config.telegram.mode === 'webhook'
      ? webhookCallback(bot, 'http', { secretToken: config.telegram.webhookSecret, onTimeout: 'return' })
      : null;

  return http.createServer((req, res) => {
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
      telegramWebhook(req, res).catch((err: unknown) => {
        logger.error({ err }, 'telegram webhook failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
}

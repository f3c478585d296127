import http from 'node:http';
import { webhookCallback, type Bot } from 'grammy';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { AppContext } from './context';
import { FAL_WEBHOOK_PATH_PREFIX, type FalWebhookHandler } from './fal-webhook';

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';

export interface HttpServerOptions {
  bot: Bot<AppContext>;
  config: Config;
  logger: Logger;
  /** `POST /webhooks/fal/:workflowId` (bot/fal-webhook.ts); without it that path is 404. */
  falWebhook?: FalWebhookHandler;
}

/** The bot's HTTP server: health, FAL webhooks, and the Telegram webhook in webhook mode. */
export function createHttpServer({ bot, config, logger, falWebhook }: HttpServerOptions): http.Server {
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
    if (req.method === 'POST' && path.startsWith(FAL_WEBHOOK_PATH_PREFIX) && falWebhook) {
      falWebhook(req, res).catch((err: unknown) => {
        logger.error({ err }, 'fal webhook failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"ok":false}');
      });
      return;
    }
    if (req.method === 'POST' && path === TELEGRAM_WEBHOOK_PATH && telegramWebhook) {
      telegramWebhook(req, res).catch((err: unknown) => {
        logger.error({ err }, 'telegram webhook failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
}

import type { Context, MiddlewareFn } from 'grammy';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { FalWebhookRejection } from '../lib/fal-webhook';

/** How a FAL webhook delivery ended (bot/fal-webhook.ts decides). */
export type FalWebhookResult =
  | 'ok'
  | 'ignored'
  | 'duplicate'
  | 'too_large'
  | FalWebhookRejection
  | 'bad_body'
  | 'bad_workflow_id'
  | 'request_mismatch'
  | 'unknown_request'
  | 'wrong_workflow'
  | 'unconvertible'
  | 'unavailable';

/**
 * The bot's Prometheus series, served at `GET /metrics` on HTTP_PORT:
 *   aisha_bot_updates_total{type,result}       updates handled, by update type (message, callback_query…, `other` for
 *                                              any key the Bot API does not define), result ok|error
 *   aisha_bot_update_duration_seconds{type}    time from receiving an update to the end of its handlers
 *   aisha_bot_fal_webhooks_total{result}       FAL webhook deliveries: ok (forwarded), ignored (workflow not running),
 *                                              duplicate (request already signalled: replay or redelivery), stale,
 *                                              bad_signature, malformed, missing_headers, jwks_unavailable, error,
 *                                              too_large, bad_body (not JSON, not FAL's shape, nested too deep),
 *                                              bad_workflow_id, request_mismatch (body ≠ signed request id),
 *                                              unknown_request (no workflow of ours submitted it), wrong_workflow
 *                                              (submitted by another workflow), unconvertible (the signal's payload
 *                                              could not be encoded), unavailable (Temporal unreachable: alert on this)
 *   aisha_bot_telegram_webhooks_total{result}  Telegram webhook requests (webhook mode): ok, unauthorized (wrong
 *                                              secret token), rejected (other 4xx), error (5xx)
 * Plus prom-client's default process metrics (CPU, memory, event loop lag, GC).
 */
export interface BotMetrics {
  registry: Registry;
  /** grammY middleware (first in the chain): counts and times every update. */
  middleware: MiddlewareFn<Context>;
  falWebhook(result: FalWebhookResult): void;
  /** The HTTP status the Telegram webhook answered. */
  telegramWebhook(status: number): void;
}

/** The update types of the Bot API: the only values the `type` label takes (anything else is `other`). */
const UPDATE_TYPES = new Set([
  'message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_connection', 'business_message',
  'edited_business_message', 'deleted_business_messages', 'message_reaction', 'message_reaction_count', 'inline_query',
  'chosen_inline_result', 'callback_query', 'shipping_query', 'pre_checkout_query', 'purchased_paid_media', 'poll',
  'poll_answer', 'my_chat_member', 'chat_member', 'chat_join_request', 'chat_boost', 'removed_chat_boost',
]);

/** The metric label of an update: its Bot API type, from a closed set. */
export function updateType(update: object): string {
  const key = Object.keys(update).find((k) => k !== 'update_id');
  return key && UPDATE_TYPES.has(key) ? key : 'other';
}

/** A fresh registry with the series above; `processMetrics: false` leaves out prom-client's process metrics. */
export function createBotMetrics({ processMetrics = true }: { processMetrics?: boolean } = {}): BotMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const updates = new Counter({ name: 'aisha_bot_updates_total', help: 'Telegram updates handled, by update type and result', labelNames: ['type', 'result'], registers });
  const duration = new Histogram({
    name: 'aisha_bot_update_duration_seconds',
    help: 'Time to handle one update (all middleware and handlers), by update type',
    labelNames: ['type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const falWebhooks = new Counter({ name: 'aisha_bot_fal_webhooks_total', help: 'FAL webhook deliveries, by verification result', labelNames: ['result'], registers });
  const telegramWebhooks = new Counter({ name: 'aisha_bot_telegram_webhooks_total', help: 'Telegram webhook requests, by result', labelNames: ['result'], registers });
  // Results worth alerting on exist from the start (at 0).
  for (const result of ['ok', 'stale', 'bad_signature'] as const) falWebhooks.inc({ result }, 0);

  return {
    registry,
    async middleware(ctx, next) {
      const type = updateType(ctx.update);
      const stop = duration.startTimer({ type });
      try {
        await next();
        updates.inc({ type, result: 'ok' });
      } catch (err) {
        updates.inc({ type, result: 'error' });
        throw err;
      } finally {
        stop();
      }
    },
    falWebhook: (result) => falWebhooks.inc({ result }),
    telegramWebhook(status) {
      const result = status < 400 ? 'ok' : status === 401 ? 'unauthorized' : status < 500 ? 'rejected' : 'error';
      telegramWebhooks.inc({ result });
    },
  };
}

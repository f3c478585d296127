import type { MiddlewareFn } from 'grammy';
import { noteChatMessage } from '../lib/chat-position';
import { preparedRows, type PrismaClient } from '../lib/prisma';
import type { Redis } from '../lib/redis';
import type { AppContext } from './context';

/** Another delivery of this update is being handled (or its handler died holding the claim): Telegram should try again later. */
export class UpdateInProgressError extends Error {
  constructor(readonly updateId: number) {
    super(`update ${updateId} is being handled by another delivery`);
    this.name = 'UpdateInProgressError';
  }
}

/**
 * Telegram redelivers an update when it got no 2xx (webhook) or when a poller
 * restarts before confirming an offset; with several bot instances either may
 * reach another instance. The first instance to claim `update_id` in Redis
 * handles it. The claim is "processing" for a short while and "done" once the
 * handlers succeeded; a handler that throws releases it, so Telegram's
 * redelivery of that update is handled again. A delivery that finds the claim
 * "done" is dropped; one that finds it "processing" throws
 * UpdateInProgressError, answered non-2xx in webhook mode so Telegram tries
 * again: once the first handler finishes that retry is dropped, and if the
 * instance holding the claim was killed, the claim lapses after
 * `processingSeconds` and the retry is handled — the update is late, not lost
 * (the chaos drill: a bot killed mid-update used to lose it, a paid Stars
 * payment included). Paid actions are idempotent by workflow id as well.
 */
export function handleUpdatesOnce(redis: Redis, { prefix = 'aisha:update:', processingSeconds = 15, doneSeconds = 24 * 3600 } = {}): MiddlewareFn<AppContext> {
  return async (ctx, next) => {
    const key = `${prefix}${ctx.me.id}:${ctx.update.update_id}`;
    if ((await redis.set(key, 'processing', 'EX', processingSeconds, 'NX')) !== 'OK') {
      if ((await redis.get(key)) !== 'done') throw new UpdateInProgressError(ctx.update.update_id);
      ctx.logger.info({ updateId: ctx.update.update_id }, 'redelivered update dropped');
      return;
    }
    try {
      await next();
    } catch (err) {
      await redis.del(key).catch(() => undefined);
      throw err;
    }
    await redis.set(key, 'done', 'EX', doneSeconds);
  };
}

export interface RateLimit {
  /** Updates one user may send per window. */
  limit: number;
  windowSeconds: number;
}

/**
 * Messages: 12 per 10 s (an album counts once) — more than a person types,
 * fewer than a script floods. Button presses have their own, looser budget
 * (30 per 10 s): browsing the gallery or setting options is fast clicking.
 * Photos too (30 per 10 s): an avatar takes up to 20, and people send them
 * one by one as fast as the client lets them — none of those may be dropped.
 */
export const RATE_LIMITS: { messages: RateLimit; buttons: RateLimit; photos: RateLimit } = {
  messages: { limit: 12, windowSeconds: 10 },
  buttons: { limit: 30, windowSeconds: 10 },
  photos: { limit: 30, windowSeconds: 10 },
};

/**
 * Per-user rate limits in Redis (fixed windows, shared by all bot instances).
 * Over a limit: one short notice per window for messages, a toast for button
 * presses; the update is dropped. Other users are not affected; payments and
 * pre-checkout answers are never limited (Telegram waits for them).
 */
export function rateLimitPerUser(redis: Redis, limits: typeof RATE_LIMITS = RATE_LIMITS, prefix = 'aisha:rate:'): MiddlewareFn<AppContext> {
  return async (ctx, next) => {
    const userId = ctx.from?.id;
    if (!userId || ctx.preCheckoutQuery || ctx.message?.successful_payment) return next();
    const group = ctx.message?.media_group_id;
    if (group && (await redis.set(`${prefix}album:${group}`, '1', 'EX', 60, 'NX')) !== 'OK') return next();
    const photo = Boolean(ctx.message?.photo || ctx.message?.document?.mime_type?.startsWith('image/'));
    const kind = ctx.callbackQuery ? 'buttons' : photo ? 'photos' : 'messages';
    const { limit, windowSeconds } = limits[kind];
    const key = `${prefix}${kind}:${userId}:${Math.floor(Date.now() / 1000 / windowSeconds)}`;
    const [[, count]] = (await redis.multi().incr(key).expire(key, windowSeconds * 2).exec()) as [[null, number], [null, number]];
    if (count <= limit) return next();
    ctx.logger.warn({ count, limit, kind }, 'user rate limited');
    if (ctx.callbackQuery) return void (await ctx.answerCallbackQuery({ text: ctx.t('rate-limited') }).catch(() => undefined));
    if (count === limit + 1 && ctx.chat) await ctx.reply(ctx.t('rate-limited'));
  };
}

/**
 * Records that a known user was active today (UTC), for "active" and
 * retention in `/admin`: at most once per user and day, Redis
 * `SET aisha:seen:<telegramId>:<yyyy-mm-dd> 1 NX EX 172800` decides; only the
 * update that sets it writes `users.last_seen_at` and `user_activity_days`
 * (ON CONFLICT DO NOTHING), in one statement. A user not yet in the DB (before /start) is not
 * recorded and the key is released, so a later update that day counts.
 * Never fails the update: an error is logged and the update goes on.
 */
export function recordActivity(
  { redis, prisma }: { redis: Redis; prisma: PrismaClient },
  { prefix = 'aisha:seen:', ttlSeconds = 2 * 24 * 3600, now = () => new Date() }: { prefix?: string; ttlSeconds?: number; now?: () => Date } = {},
): MiddlewareFn<AppContext> {
  return async (ctx, next) => {
    const telegramId = ctx.from?.id;
    if (telegramId && !ctx.from?.is_bot) {
      const day = now().toISOString().slice(0, 10);
      const key = `${prefix}${telegramId}:${day}`;
      try {
        if ((await redis.set(key, '1', 'EX', ttlSeconds, 'NX')) === 'OK') {
          const [{ known }] = (await preparedRows<{ known: number }>(
            prisma,
            'record-activity',
            `WITH seen AS (UPDATE users SET last_seen_at = now() AT TIME ZONE 'UTC' WHERE telegram_id = $1 RETURNING id),
                  counted AS (INSERT INTO user_activity_days (user_id, day) SELECT id, $2::date FROM seen ON CONFLICT DO NOTHING)
             SELECT count(*)::int AS known FROM seen`,
            [String(telegramId), day],
          )) as [{ known: number }];
          if (known === 0) await redis.del(key);
        }
      } catch (err) {
        ctx.logger.warn({ err }, 'activity not recorded');
        await redis.del(key).catch(() => undefined);
      }
    }
    await next();
  };
}

/**
 * Keeps each private chat's newest message id (lib/chat-position.ts): the
 * user's messages here, the bot's own sends in `noteSentMessages`. Workflows'
 * status messages use it to notice they scrolled out of sight.
 */
export function noteChatBottom(redis: Redis): MiddlewareFn<AppContext> {
  return async (ctx, next) => {
    const m = ctx.msg;
    if (m && ctx.chat?.type === 'private') await noteChatMessage(redis, ctx.chat.id, m.message_id).catch((err: unknown) => ctx.logger.warn({ err }, 'chat position not noted'));
    await next();
  };
}

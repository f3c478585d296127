import { randomUUID } from 'node:crypto';
import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Bot, HttpError, session, type BotConfig } from 'grammy';
import { findUserByTelegramId } from '../lib/db/users';
import { pickLanguage } from '../lib/i18n';
import { userTimeZone } from '../lib/time-zone';
import type { AppContext, BotServices } from './context';
import { adminFeature } from './features/admin';
import { avatarFeature } from './features/avatar';
import { avatarManageFeature } from './features/avatar-manage';
import { balanceFeature } from './features/balance';
import { cancelFeature } from './features/cancel';
import { createChoiceFeature } from './features/create-choice';
import { galleryFeature } from './features/gallery';
import { generateFeature } from './features/generate';
import { helpFeature } from './features/help';
import { imageActionsFeature } from './features/image-actions';
import { jobsFeature } from './features/jobs';
import { menuFeature } from './features/menu';
import { privateOnlyFeature } from './features/private-only';
import { profileFeature } from './features/profile';
import { startFeature } from './features/start';
import { topupFeature } from './features/topup';
import { summaryFeature } from './features/summary';
import { transcribeFeature } from './features/transcribe';
import { unhandledFeature } from './features/unhandled';
import { waitingFeature } from './features/waiting';
import { noteSentMessages } from '../lib/chat-position';
import { resendOnBrokenConnection } from '../lib/telegram-connection';
import { isServiceOutage } from '../lib/outage';
import { handleUpdatesOnce, noteChatBottom, rateLimitPerUser, recordActivity, UpdateInProgressError } from './middleware';
import { redisSessionStorage } from './session';

export interface CreateBotOptions {
  /** Skip getMe (tests and the sandbox pass a known bot). */
  botInfo?: BotConfig<AppContext>['botInfo'];
}

/** Builds the bot: services on the context, language and time zone, features in a fixed order, an error boundary. */
export function createBot(services: BotServices, opts: CreateBotOptions = {}): Bot<AppContext> {
  const { config } = services;
  const bot = new Bot<AppContext>(config.telegram.token, {
    botInfo: opts.botInfo,
    client: { apiRoot: config.telegram.apiRoot },
  });

  // One update at a time per chat (a sender's own updates when there is no chat), all chats at once: the
  // runner (bot/polling.ts) and Telegram's webhook connections deliver concurrently, a chat's flow must not interleave.
  bot.use(sequentialize((ctx) => String(ctx.chat?.id ?? ctx.from?.id ?? '')));

  /** The user's language, also for an update that failed before it was known. */
  const translate = (ctx: AppContext) => ctx.t ?? services.i18n.forLanguage(pickLanguage(ctx.from?.language_code));
  /** The error boundary: the user gets a short apology with an error id, the log the id and the stack; the update counts as handled. */
  const apologize = async (ctx: AppContext, error: unknown) => {
    const errorId = randomUUID().slice(0, 8);
    // A network failure's own reason (reset, timeout, refused) is in its `error`, which the log would not show.
    const cause = error instanceof HttpError ? String(error.error) : undefined;
    (ctx.logger ?? services.logger).error({ err: error, cause, errorId, updateId: ctx.update.update_id }, 'update handler failed');
    try {
      const t = translate(ctx);
      if (ctx.chat) await ctx.reply(t('error-generic', { errorId }));
      else if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: t('error-generic', { errorId }) });
    } catch {
      // the apology itself failed (e.g. Telegram unreachable): the log line above is what remains
    }
  };
  bot.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof UpdateInProgressError) {
        // Not a failure to apologise for: in webhook mode Telegram gets a 500 and tries again later; a poller has nothing to retry.
        (ctx.logger ?? services.logger).info({ updateId: err.updateId }, 'update already being handled');
        if (config.telegram.mode === 'webhook') throw err;
        return;
      }
      // A service that is down for a moment (PostgreSQL or Temporal restarting, Redis gone): in webhook mode
      // Telegram gets a 500 and delivers the update again later — late, not lost; a poller can only apologise.
      if (config.telegram.mode === 'webhook' && isServiceOutage(err)) {
        (ctx.logger ?? services.logger).warn({ err, updateId: ctx.update.update_id }, 'a service is unreachable; Telegram will deliver this update again');
        throw err;
      }
      // A Stars payment must not be lost: in webhook mode the error reaches Telegram (HTTP 500), which redelivers it.
      if (ctx.message?.successful_payment && config.telegram.mode === 'webhook') {
        (ctx.logger ?? services.logger).error({ err, updateId: ctx.update.update_id }, 'payment update failed; Telegram will redeliver it');
        throw err;
      }
      // A job that ended between a check and its signal, or that an operator ended: nothing failed, it is gone.
      if (err instanceof WorkflowNotFoundError) {
        (ctx.logger ?? services.logger).info({ err: err.message, workflowId: err.workflowId, updateId: ctx.update.update_id }, 'the job had already ended');
        const t = translate(ctx);
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: t('job-not-found') }).catch(() => undefined);
        else if (ctx.chat) await ctx.reply(t('job-not-found')).catch(() => undefined);
        return;
      }
      await apologize(ctx, err);
    }
  });
  // Inside the boundary, so failed updates are counted as errors.
  if (services.metrics) bot.use(services.metrics.middleware);
  bot.use(async (ctx, next) => {
    ctx.services = services;
    ctx.logger = services.logger.child({ updateId: ctx.update.update_id, userId: ctx.from?.id });
    ctx.user = ctx.from ? await findUserByTelegramId(services.prisma, ctx.from.id) : null;
    ctx.language = ctx.user?.language ?? pickLanguage(ctx.from?.language_code);
    ctx.timeZone = userTimeZone(ctx.user, ctx.language);
    ctx.t = services.i18n.forLanguage(ctx.language);
    await next();
  });
  // Telegram's flood limit (429 with retry_after; about 30 messages a second across chats) is waited out, as grammY
  // advises, when it asks for at most 3 s, 3 times at most: users who all write at once are answered a little
  // later, not with an apology. A longer wait is not made in front of a person: the handler's own answer to a
  // refused call stands (an options edit is undone and the user told). Only 429: a network error is resent once
  // by resendOnBrokenConnection, a 5xx is the error boundary's.
  bot.api.config.use(
    autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 3, rethrowInternalServerErrors: true, rethrowHttpErrors: true }),
    resendOnBrokenConnection(),
    noteSentMessages(services.redis),
  );
  bot.use(handleUpdatesOnce(services.redis));
  bot.use(noteChatBottom(services.redis));
  bot.use(rateLimitPerUser(services.redis));
  bot.use(recordActivity(services));

  bot.use(
    session({
      initial: () => ({}),
      storage: redisSessionStorage(services.redis),
      getSessionKey: (ctx) => (ctx.from ? String(ctx.from.id) : undefined),
    }),
  );
  bot.use(privateOnlyFeature, startFeature, helpFeature, jobsFeature, balanceFeature, topupFeature, waitingFeature, generateFeature, imageActionsFeature, avatarFeature, cancelFeature, avatarManageFeature, transcribeFeature, summaryFeature, adminFeature, galleryFeature, profileFeature, menuFeature, createChoiceFeature, unhandledFeature);

  // Polling reports errors here; webhook mode relies on the boundary above (grammY's bot.catch is polling-only).
  bot.catch((err) => apologize(err.ctx, err.error));
  return bot;
}

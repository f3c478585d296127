import { randomUUID } from 'node:crypto';
import { Bot, session, type BotConfig } from 'grammy';
import { findUserByTelegramId } from '../lib/db/users';
import { pickLanguage } from '../lib/i18n';
import type { AppContext, BotServices } from './context';
import { adminFeature } from './features/admin';
import { avatarFeature } from './features/avatar';
import { avatarManageFeature } from './features/avatar-manage';
import { balanceFeature } from './features/balance';
import { generateFeature } from './features/generate';
import { imageActionsFeature } from './features/image-actions';
import { startFeature } from './features/start';
import { topupFeature } from './features/topup';
import { transcribeFeature } from './features/transcribe';
import { unhandledFeature } from './features/unhandled';
import { redisSessionStorage } from './session';

export interface CreateBotOptions {
  /** Skip getMe (tests and the sandbox pass a known bot). */
  botInfo?: BotConfig<AppContext>['botInfo'];
}

/** Builds the bot: services on the context, language, features in a fixed order, an error boundary. */
export function createBot(services: BotServices, opts: CreateBotOptions = {}): Bot<AppContext> {
  const { config } = services;
  const bot = new Bot<AppContext>(config.telegram.token, {
    botInfo: opts.botInfo,
    client: { apiRoot: config.telegram.apiRoot },
  });

  bot.use(async (ctx, next) => {
    ctx.services = services;
    ctx.logger = services.logger.child({ updateId: ctx.update.update_id, userId: ctx.from?.id });
    const user = ctx.from ? await findUserByTelegramId(services.prisma, ctx.from.id) : null;
    ctx.language = user?.language ?? pickLanguage(ctx.from?.language_code);
    ctx.t = services.i18n.forLanguage(ctx.language);
    await next();
  });

  bot.use(
    session({
      initial: () => ({}),
      storage: redisSessionStorage(services.redis),
      getSessionKey: (ctx) => (ctx.from ? String(ctx.from.id) : undefined),
    }),
  );
  bot.use(startFeature, balanceFeature, topupFeature, generateFeature, imageActionsFeature, avatarFeature, avatarManageFeature, transcribeFeature, adminFeature, unhandledFeature);

  bot.catch(async (err) => {
    const errorId = randomUUID().slice(0, 8);
    const ctx = err.ctx;
    (ctx.logger ?? services.logger).error({ err: err.error, errorId, updateId: ctx.update.update_id }, 'update handler failed');
    try {
      if (ctx.chat && ctx.t) await ctx.reply(ctx.t('error-generic', { errorId }));
    } catch {
      // the apology itself failed (e.g. Telegram unreachable): the log line above is what remains
    }
  });
  return bot;
}

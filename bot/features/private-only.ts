import { Composer, InlineKeyboard } from 'grammy';
import { replyTo } from '../../lib/telegram-reply';
import type { AppContext } from '../context';

/**
 * The bot is personal: balances, payments, avatars, images and transcripts
 * are only ever shown in the user's private chat with it. In a group (or a
 * channel) no feature runs: a command addressed to this bot gets one line and
 * a link to the private chat, a button press a popup, everything else silence.
 * Registered before every feature, so a new feature is private by construction.
 */
export const privateOnlyFeature = new Composer<AppContext>();

const COMMAND = /^\/\w+(?:@(\w+))?(?:\s|$)/;

privateOnlyFeature.use(async (ctx, next) => {
  if (!ctx.chat || ctx.chat.type === 'private') return next();
  if (ctx.callbackQuery) return ctx.answerCallbackQuery({ text: ctx.t('private-only'), show_alert: true });
  const command = COMMAND.exec(ctx.message?.text ?? ctx.message?.caption ?? '');
  if (!command) return;
  const addressee = command[1];
  if (addressee && addressee.toLowerCase() !== ctx.me.username.toLowerCase()) return; // another bot's command
  await ctx.reply(ctx.t('private-only'), {
    reply_markup: new InlineKeyboard().url(ctx.t('button-open-private'), `https://t.me/${ctx.me.username}`),
    ...replyTo(ctx.message?.message_id),
  });
});

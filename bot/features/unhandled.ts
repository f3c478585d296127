import { Composer, InlineKeyboard } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import { replyTo } from '../../lib/telegram-reply';
import type { AppContext } from '../context';

/**
 * Registered last: nothing is silently dropped, and every answer says what
 * the bot is waiting for. Text outside any flow is offered as a prompt;
 * files and messages the bot cannot use get an answer naming what it takes.
 */
export const unhandledFeature = new Composer<AppContext>();

unhandledFeature.on('callback_query', (ctx) => ctx.answerCallbackQuery({ text: ctx.t('unhandled-callback') }));

/** Only private chats get answers (groups get the private-only notice earlier). */
const privateChat = unhandledFeature.chatType('private');

privateChat.on('message:text', async (ctx) => {
  const text = ctx.message.text.trim();
  if (text.startsWith('/')) return ctx.reply(ctx.t('unknown-command'));
  if (ctx.session.step === 'avatar-photos') return ctx.reply(ctx.t('waiting-avatar-photos'));
  // Anything else is probably something to draw: offer it, priced, nothing starts unseen.
  ctx.session = { ...ctx.session, loose: { text: text.slice(0, 4000) } };
  const { imagenImage, avatarImage } = ctx.services.config.tariffs;
  return ctx.reply(ctx.t('text-outside-flow'), {
    ...replyTo(ctx.message.message_id),
    reply_markup: new InlineKeyboard()
      .text(ctx.t('text-use-imagen', { price: imagenImage }), callbacks.promptUse.pack({ m: 'imagen' }))
      .row()
      .text(ctx.t('text-use-avatar', { price: avatarImage }), callbacks.promptUse.pack({ m: 'avatar' })),
  });
});

privateChat.on('message:document', (ctx) =>
  ctx.reply(ctx.t('unsupported-document', { name: ctx.message.document.file_name ?? ctx.message.document.mime_type ?? '—' }), {
    ...replyTo(ctx.message.message_id),
  }),
);

privateChat.on('message', (ctx) =>
  ctx.reply(ctx.t(ctx.session.step === 'avatar-photos' ? 'waiting-avatar-photos' : 'unsupported-message'), {
    ...replyTo(ctx.message.message_id),
  }),
);

import { Composer } from 'grammy';
import type { AppContext } from '../context';

/** Registered last: answers stray buttons and text so nothing is silently dropped. */
export const unhandledFeature = new Composer<AppContext>();

unhandledFeature.on('callback_query', (ctx) => ctx.answerCallbackQuery({ text: ctx.t('unhandled-callback') }));
unhandledFeature.on('message', (ctx) => (ctx.chat.type === 'private' ? ctx.reply(ctx.t('unhandled-text')) : undefined));

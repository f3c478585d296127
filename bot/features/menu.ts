import { Composer } from 'grammy';
import { mainMenuItem, type MainMenuItem } from '../../vocabulary/main-menu';
import { callbacks } from '../../vocabulary/callback-data';
import type { AppContext } from '../context';
import { showAvatars } from './avatar-manage';
import { showBalance } from './balance';
import { askForImageMode } from './create-choice';
import { openGallery } from './gallery';

/**
 * The main menu's buttons (vocabulary/main-menu.ts; under the /start greeting and
 * /help): each opens what its command shows, through the same function.
 */
export const menuFeature = new Composer<AppContext>();

/** "🎧 Transcribe": what to send, the price per started minute and the longest recording. */
function explainTranscription(ctx: AppContext) {
  const { tariffs, transcription } = ctx.services.config;
  return ctx.reply(ctx.t('transcribe-help', { price: tariffs.transcriptionMinute, max: transcription.maxMinutes }));
}

const DESTINATIONS: Record<MainMenuItem, (ctx: AppContext) => Promise<unknown>> = {
  avatars: showAvatars,
  create: askForImageMode,
  transcribe: explainTranscription,
  gallery: openGallery,
  balance: showBalance,
};

menuFeature.callbackQuery(callbacks.menu.filter, async (ctx) => {
  const item = mainMenuItem(ctx.callbackQuery.data);
  if (!item) return ctx.answerCallbackQuery({ text: ctx.t('unhandled-callback') });
  await DESTINATIONS[item](ctx);
  await ctx.answerCallbackQuery();
});

import { Composer, InlineKeyboard } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import type { Translate } from '../../lib/i18n';
import type { GenerationMode } from '../../workflows/generation-api';
import type { AppContext } from '../context';
import { askForPrompt } from './generate';

/**
 * "🎨 Create an image" (the main menu, the gallery): with an avatar or with
 * Imagen 4, each with its price. A choice asks for the prompt
 * (bot/features/generate.ts `askForPrompt`); the next text becomes it.
 */
export const createChoiceFeature = new Composer<AppContext>();

const MODES: GenerationMode[] = ['AVATAR', 'IMAGEN4'];

function createChoiceKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard([
    [
      InlineKeyboard.text(t('button-create-avatar'), callbacks.createMode.pack({ mode: 'AVATAR' })),
      InlineKeyboard.text(t('button-create-imagen'), callbacks.createMode.pack({ mode: 'IMAGEN4' })),
    ],
  ]);
}

export function askForImageMode(ctx: AppContext) {
  const { tariffs } = ctx.services.config;
  return ctx.reply(ctx.t('create-choose', { avatarImagePrice: tariffs.avatarImage, imagenPrice: tariffs.imagenImage }), { reply_markup: createChoiceKeyboard(ctx.t) });
}

createChoiceFeature.callbackQuery(callbacks.createMode.filter, async (ctx) => {
  const mode = MODES.find((m) => m === callbacks.createMode.unpack(ctx.callbackQuery.data)?.mode);
  if (!mode) return ctx.answerCallbackQuery({ text: ctx.t('unhandled-callback') });
  await ctx.answerCallbackQuery();
  return askForPrompt(ctx, mode);
});

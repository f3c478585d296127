import { Composer, type Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { I18n, Language } from '../../lib/i18n';
import type { AppContext } from '../context';
import { mainMenuKeyboard } from '../keyboards';

/** `/help`: every feature and its price, in the user's language, and the main menu. */
export const helpFeature = new Composer<AppContext>();

helpFeature.command('help', async (ctx) => {
  const { tariffs, transcription } = ctx.services.config;
  await ctx.reply(
    ctx.t('help', {
      avatarPrice: tariffs.avatarTraining,
      avatarImagePrice: tariffs.avatarImage,
      imagenPrice: tariffs.imagenImage,
      minutePrice: tariffs.transcriptionMinute,
      maxMinutes: transcription.maxMinutes,
    }),
    { reply_markup: mainMenuKeyboard(ctx.t) },
  );
});

/** The command menu, in the order users see it. */
export const MENU_COMMANDS = ['start', 'help', 'avatar', 'generate', 'imagen', 'gallery', 'jobs', 'balance', 'topup', 'profile', 'lang', 'cancel'] as const;

export function commandMenu(i18n: I18n, language: Language): BotCommand[] {
  return MENU_COMMANDS.map((command) => ({ command, description: i18n.t(language, `menu-${command}`) }));
}

/**
 * Sets the command menus: Russian for everyone (no language code), English
 * for clients set to English. Run at bot start; a failure is logged, not fatal.
 */
export async function setCommandMenus(api: Api, i18n: I18n): Promise<void> {
  await api.setMyCommands(commandMenu(i18n, 'ru'));
  await api.setMyCommands(commandMenu(i18n, 'en'), { language_code: 'en' });
}

import { InlineKeyboard } from 'grammy';
import { callbacks } from '../vocabulary/callback-data';
import type { Config } from '../lib/config';
import type { Translate } from '../lib/i18n';
import { mainMenuButtons } from '../vocabulary/main-menu';

export function topupButtonKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t('balance-topup-button'), callbacks.topupMenu.pack({}));
}

/** One button per Stars pack of the configuration. */
export function topupPacksKeyboard(t: Translate, packs: Config['tariffs']['starsPacks']): InlineKeyboard {
  return new InlineKeyboard(packs.map((p) => [InlineKeyboard.text(t('topup-pack', { stars: p.stars, credits: p.credits }), callbacks.topupPack.pack({ pack: p.id }))]));
}

/** The main menu (vocabulary/main-menu.ts), as /help shows it; the /start greeting carries the same buttons. */
export function mainMenuKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard(mainMenuButtons().map((row) => row.map((b) => InlineKeyboard.text(t(b.label.key), b.data))));
}

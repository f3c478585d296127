import { InlineKeyboard } from 'grammy';
import { callbacks } from '../lib/callback-data';
import type { Config } from '../lib/config';
import type { Translate } from '../lib/i18n';

export function topupButtonKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t('balance-topup-button'), callbacks.topupMenu.pack({}));
}

/** One button per Stars pack of the configuration. */
export function topupPacksKeyboard(t: Translate, packs: Config['tariffs']['starsPacks']): InlineKeyboard {
  return new InlineKeyboard(packs.map((p) => [InlineKeyboard.text(t('topup-pack', { stars: p.stars, credits: p.credits }), callbacks.topupPack.pack({ pack: p.id }))]));
}

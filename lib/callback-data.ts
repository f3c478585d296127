/**
 * Inline-button payloads, typed and packed by one helper (≤ 64 bytes, as
 * Telegram requires). Pure: the bot and workflows both use it. Data coming
 * back from Telegram is untrusted: `unpack` validates shape and types, and
 * handlers still check ownership of whatever an id points at.
 */
type FieldType = 'str' | 'int';
type Values<F extends Record<string, FieldType>> = { [K in keyof F]: F[K] extends 'int' ? number : string };

const MAX_BYTES = 64;
const SAFE_STR = /^[\w.-]{1,40}$/;

export function defineCallback<F extends Record<string, FieldType>>(prefix: string, fields: F) {
  const names = Object.keys(fields) as (keyof F & string)[];
  return {
    prefix,
    /** Matches this button's data (for `bot.callbackQuery`). */
    filter: new RegExp(`^${prefix}(?::|$)`),
    pack(values: Values<F>): string {
      const parts = names.map((n) => {
        const v = values[n];
        if (fields[n] === 'int' ? !Number.isSafeInteger(v) : !SAFE_STR.test(String(v))) throw new RangeError(`bad callback field ${n}=${String(v)}`);
        return String(v);
      });
      const data = [prefix, ...parts].join(':');
      if (new TextEncoder().encode(data).length > MAX_BYTES) throw new RangeError(`callback data over ${MAX_BYTES} bytes: ${data}`);
      return data;
    },
    unpack(data: string | undefined): Values<F> | null {
      if (!data) return null;
      const [head, ...parts] = data.split(':');
      if (head !== prefix || parts.length !== names.length) return null;
      const out: Record<string, string | number> = {};
      for (const [i, n] of names.entries()) {
        const raw = parts[i]!;
        if (fields[n] === 'int') {
          if (!/^-?\d{1,15}$/.test(raw)) return null;
          out[n] = Number(raw);
        } else {
          if (!SAFE_STR.test(raw)) return null;
          out[n] = raw;
        }
      }
      return out as Values<F>;
    },
  };
}

/** Every button of the bot. */
export const callbacks = {
  topupMenu: defineCallback('tu', {}),
  topupPack: defineCallback('tp', { pack: 'str' }),
  avatarCreate: defineCallback('ac', {}),
  avatarType: defineCallback('at', { type: 'str' }),
  avatarStart: defineCallback('as', { id: 'str' }),
  avatarCancel: defineCallback('ax', { id: 'str' }),
  avatarMain: defineCallback('am', { id: 'str' }),
  avatarRename: defineCallback('ar', { id: 'str' }),
  avatarDelete: defineCallback('ad', { id: 'str' }),
  avatarDeleteConfirm: defineCallback('ay', { id: 'str' }),
  genAspect: defineCallback('ga', { r: 'int' }),
  genCount: defineCallback('gn', { n: 'int' }),
  genGo: defineCallback('gg', {}),
  genAsk: defineCallback('gq', {}),
  imageFavorite: defineCallback('if', { id: 'str' }),
  imageAgain: defineCallback('ig', { id: 'str' }),
  imagePrompt: defineCallback('ip', { id: 'str' }),
  transcriptConfirm: defineCallback('tc', { id: 'str' }),
  transcriptCancel: defineCallback('tx', { id: 'str' }),
  jobCancel: defineCallback('jc', { id: 'str' }),
  // Gallery (bot/features/gallery.ts): the filter and page live in Redis; buttons carry only targets and image ids.
  galleryPage: defineCallback('glp', { p: 'int' }),
  galleryCounter: defineCallback('glc', {}),
  galleryKind: defineCallback('glk', { k: 'str' }),
  galleryPeriod: defineCallback('gld', { d: 'str' }),
  galleryFavorites: defineCallback('glf', {}),
  galleryReset: defineCallback('glr', {}),
  galleryStar: defineCallback('gls', { id: 'str' }),
  galleryDelete: defineCallback('glx', { id: 'str' }),
  galleryDeleteConfirm: defineCallback('gly', { id: 'str' }),
  galleryDeleteCancel: defineCallback('gln', {}),
  galleryCreate: defineCallback('glw', {}),
  galleryOpen: defineCallback('glo', {}),
  galleryTranscripts: defineCallback('glt', {}),
  transcriptFile: defineCallback('tf', { id: 'str', f: 'str' }),
  // Profile and language (bot/features/profile.ts).
  languageMenu: defineCallback('lm', {}),
  language: defineCallback('ln', { lang: 'str' }),
};

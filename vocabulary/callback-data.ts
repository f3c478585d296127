/**
 * Inline-button payloads, typed and packed by one helper (≤ 64 bytes, as
 * Telegram requires). Pure: the bot and workflows both use it. Data coming
 * back from Telegram is untrusted: `unpack` validates shape and types, and
 * handlers still check ownership of whatever an id points at.
 */
/**
 * Field kinds, each with a bounded length, so a button's size is known when it
 * is defined: `defineCallback` refuses (at module load) a button whose longest
 * possible data exceeds Telegram's 64 bytes. Long identifiers (workflow ids)
 * never go into a button: it carries the job kind and the UUID instead.
 *   int  — a safe integer (≤ 16 characters)
 *   num  — a small non-negative integer, up to 999 999 (counts, indexes, prices)
 *   uuid — a UUID, 36 characters (lower case)
 *   key  — a short word: [A-Za-z0-9_.-], 1–16 characters
 */
type FieldType = 'int' | 'num' | 'uuid' | 'key';
type Values<F extends Record<string, FieldType>> = { [K in keyof F]: F[K] extends 'int' | 'num' ? number : string };

export const CALLBACK_MAX_BYTES = 64;
const FIELD: Record<FieldType, { maxLength: number; valid: (raw: string) => boolean }> = {
  int: { maxLength: 16, valid: (raw) => /^-?\d{1,15}$/.test(raw) },
  num: { maxLength: 6, valid: (raw) => /^\d{1,6}$/.test(raw) },
  uuid: { maxLength: 36, valid: (raw) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(raw) },
  key: { maxLength: 16, valid: (raw) => /^[\w.-]{1,16}$/.test(raw) },
};

export function defineCallback<F extends Record<string, FieldType>>(prefix: string, fields: F) {
  const names = Object.keys(fields) as (keyof F & string)[];
  const kind = (n: keyof F & string) => FIELD[fields[n] as FieldType];
  /** The longest data this button can carry: prefix, separators, each field at its maximum. */
  const maxBytes = prefix.length + names.reduce((sum, n) => sum + 1 + kind(n).maxLength, 0);
  if (maxBytes > CALLBACK_MAX_BYTES) throw new RangeError(`callback ${prefix} can reach ${maxBytes} bytes (limit ${CALLBACK_MAX_BYTES})`);
  return {
    prefix,
    maxBytes,
    /** Matches this button's data (for `bot.callbackQuery`). */
    filter: new RegExp(`^${prefix}(?::|$)`),
    pack(values: Values<F>): string {
      const parts = names.map((n) => {
        const raw = String(values[n]);
        if (!kind(n).valid(raw)) throw new RangeError(`bad callback field ${n}=${raw.slice(0, 64)}`);
        return raw;
      });
      return [prefix, ...parts].join(':');
    },
    unpack(data: string | undefined): Values<F> | null {
      if (!data) return null;
      const [head, ...parts] = data.split(':');
      if (head !== prefix || parts.length !== names.length) return null;
      const out: Record<string, string | number> = {};
      for (const [i, n] of names.entries()) {
        const raw = parts[i]!;
        if (!kind(n).valid(raw)) return null;
        out[n] = fields[n] === 'int' || fields[n] === 'num' ? Number(raw) : raw;
      }
      return out as Values<F>;
    },
  };
}

/** Every button of the bot. */
export const callbacks = {
  topupMenu: defineCallback('tu', {}),
  topupPack: defineCallback('tp', { pack: 'key' }),
  avatarCreate: defineCallback('ac', {}),
  avatarType: defineCallback('at', { type: 'key' }),
  avatarStart: defineCallback('as', { id: 'uuid' }),
  avatarCancel: defineCallback('ax', { id: 'uuid' }),
  avatarMain: defineCallback('am', { id: 'uuid' }),
  avatarRename: defineCallback('ar', { id: 'uuid' }),
  avatarDelete: defineCallback('ad', { id: 'uuid' }),
  avatarDeleteConfirm: defineCallback('ay', { id: 'uuid' }),
  genAspect: defineCallback('ga', { r: 'int' }),
  genCount: defineCallback('gn', { n: 'int' }),
  /** The offer the user saw: draft, images, aspect ratio and total (bot/features/generate.ts charges exactly that, or refuses). */
  genGo: defineCallback('gg', { d: 'key', n: 'num', r: 'num', total: 'num' }),
  genAsk: defineCallback('gq', {}),
  /** A photo sent outside any flow: make an avatar (`avatar`) or draw like it (`imagen`, `avatar-gen`); the photo is in the session. */
  photoUse: defineCallback('pu', { m: 'key' }),
  /** Text sent outside any flow: draw it (`imagen` or `avatar`); the text is in the session. */
  promptUse: defineCallback('pt', { m: 'key' }),
  /** After a top-up that covers it: continue the action that lacked credits (kept in the session). */
  continueWaiting: defineCallback('cw', {}),
  imageFavorite: defineCallback('if', { id: 'uuid' }),
  imageAgain: defineCallback('ig', { id: 'uuid' }),
  imagePrompt: defineCallback('ip', { id: 'uuid' }),
  transcriptConfirm: defineCallback('tc', { id: 'uuid' }),
  transcriptCancel: defineCallback('tx', { id: 'uuid' }),
  /** A running job: its kind (`JOB_KEYS`) and id, not the workflow id (up to 43 characters). */
  jobCancel: defineCallback('jc', { k: 'key', id: 'uuid' }),
  // Gallery (bot/features/gallery.ts): the filter and page live in Redis; buttons carry only targets and image ids.
  galleryPage: defineCallback('glp', { p: 'int' }),
  galleryCounter: defineCallback('glc', {}),
  galleryKind: defineCallback('glk', { k: 'key' }),
  galleryPeriod: defineCallback('gld', { d: 'key' }),
  galleryFavorites: defineCallback('glf', {}),
  galleryReset: defineCallback('glr', {}),
  galleryStar: defineCallback('gls', { id: 'uuid' }),
  galleryDelete: defineCallback('glx', { id: 'uuid' }),
  galleryDeleteConfirm: defineCallback('gly', { id: 'uuid' }),
  galleryDeleteCancel: defineCallback('gln', {}),
  galleryCreate: defineCallback('glw', {}),
  galleryOpen: defineCallback('glo', {}),
  galleryTranscripts: defineCallback('glt', {}),
  transcriptFile: defineCallback('tf', { id: 'uuid', f: 'key' }),
  /** "📋 Кратко": the transcript and the price shown on the button (the offer the user saw is the one charged). */
  transcriptSummary: defineCallback('ts', { id: 'uuid', p: 'num' }),
  // Profile and language (bot/features/profile.ts).
  languageMenu: defineCallback('lm', {}),
  language: defineCallback('ln', { lang: 'key' }),
  timeZoneMenu: defineCallback('zm', {}),
  /** One of lib/time-zone.ts TIME_ZONES by its id (an IANA name can be longer than a field). */
  timeZone: defineCallback('zn', { id: 'key' }),
  /** Speaker labels in transcripts: the state the press switches to (`on` | `off`). */
  speakerLabels: defineCallback('sl', { to: 'key' }),
  // Main menu (bot/features/menu.ts): a destination of vocabulary/main-menu.ts; the image mode (AVATAR | IMAGEN4).
  menu: defineCallback('mn', { to: 'key' }),
  createMode: defineCallback('cm', { mode: 'key' }),
  jobsRefresh: defineCallback('jr', {}),
};

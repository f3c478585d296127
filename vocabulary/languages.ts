/** Russian is the default; English is the second language. */
export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'ru';

/** Maps a Telegram `language_code` (e.g. "en-US") to one of ours; anything else is Russian. */
export function pickLanguage(code: string | undefined | null): Language {
  const base = (code ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Language) : DEFAULT_LANGUAGE;
}

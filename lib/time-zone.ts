import type { Language } from './i18n';

/**
 * The user's local time. A user may choose a zone in /profile (stored as its
 * IANA name in `users.time_zone`); until then it follows the language:
 * Russian → Moscow, English → UTC (docs/decisions.md). Telegram does not tell
 * a bot the user's zone. Every date a user sees is formatted here with
 * `Intl.DateTimeFormat` in that zone, daylight saving included.
 */

/** The zones /profile offers, west to east; `id` is what a button carries (an IANA name can exceed a button field). */
export const TIME_ZONES = [
  { id: 'new_york', zone: 'America/New_York' },
  { id: 'utc', zone: 'UTC' },
  { id: 'london', zone: 'Europe/London' },
  { id: 'berlin', zone: 'Europe/Berlin' },
  { id: 'kaliningrad', zone: 'Europe/Kaliningrad' },
  { id: 'moscow', zone: 'Europe/Moscow' },
  { id: 'samara', zone: 'Europe/Samara' },
  { id: 'yekaterinburg', zone: 'Asia/Yekaterinburg' },
  { id: 'omsk', zone: 'Asia/Omsk' },
  { id: 'novosibirsk', zone: 'Asia/Novosibirsk' },
  { id: 'irkutsk', zone: 'Asia/Irkutsk' },
  { id: 'vladivostok', zone: 'Asia/Vladivostok' },
] as const;
export type TimeZoneChoice = (typeof TIME_ZONES)[number];

export const DEFAULT_TIME_ZONES: Record<Language, string> = { ru: 'Europe/Moscow', en: 'UTC' };

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone dates are shown in: the user's own when it is valid, else the default of their language. */
export function userTimeZone(user: { timeZone?: string | null } | null | undefined, language: Language): string {
  const own = user?.timeZone;
  return own && isValidTimeZone(own) ? own : DEFAULT_TIME_ZONES[language];
}

/** The offered zone with this IANA name (null: not one of the list). */
export const timeZoneChoice = (zone: string): TimeZoneChoice | null => TIME_ZONES.find((z) => z.zone === zone) ?? null;

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(d: Date, zone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute! };
}

/** "06.12 14:05" in `zone` (the history's lines). */
export function formatDayTime(d: Date, zone: string): string {
  const p = partsIn(d, zone);
  return `${p.day}.${p.month} ${p.hour}:${p.minute}`;
}

/** "06.12.2026" in `zone`. */
export function formatDate(d: Date, zone: string): string {
  const p = partsIn(d, zone);
  return `${p.day}.${p.month}.${p.year}`;
}

/** The zone's offset from UTC at `at`, in minutes (Moscow: 180; New York in winter: −300). */
export function utcOffsetMinutes(zone: string, at: Date): number {
  const p = partsIn(at, zone);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** "UTC+3", "UTC−5", "UTC+5:30", "UTC" at `at`. */
export function formatUtcOffset(zone: string, at: Date): string {
  const minutes = utcOffsetMinutes(zone, at);
  if (minutes === 0) return 'UTC';
  const abs = Math.abs(minutes);
  const rest = abs % 60;
  return `UTC${minutes > 0 ? '+' : '−'}${Math.floor(abs / 60)}${rest ? `:${String(rest).padStart(2, '0')}` : ''}`;
}

/** The start of `now`'s day in `zone` (the gallery's "today"). */
export function startOfDay(now: Date, zone: string): Date {
  const p = partsIn(now, zone);
  const midnightAsUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day));
  // The offset at midnight can differ from now's (a daylight-saving change during the day).
  const guess = new Date(midnightAsUtc - utcOffsetMinutes(zone, now) * 60_000);
  return new Date(midnightAsUtc - utcOffsetMinutes(zone, guess) * 60_000);
}

/** Whole hours and minutes between `since` and `now` (never negative). */
export function elapsed(since: Date, now: Date): { hours: number; minutes: number } {
  const total = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  return { hours: Math.floor(total / 60), minutes: total % 60 };
}

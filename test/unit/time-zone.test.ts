import { describe, expect, it } from 'vitest';
import { historyLine } from '../../bot/features/balance';
import { JOB_STAGES } from '../../bot/features/jobs';
import type { HistoryEntry } from '../../lib/db/history';
import { parseJobId } from '../../lib/db/history';
import { createI18n } from '../../lib/i18n';
import { elapsed, formatDate, formatDayTime, formatUtcOffset, startOfDay, TIME_ZONES, userTimeZone } from '../../lib/time-zone';

const i18n = createI18n();
/** 06.12.2026 11:05 UTC. */
const AT = new Date(Date.UTC(2026, 11, 6, 11, 5));

describe('lib/time-zone: local time for a user', () => {
  it('the zone: the user’s own, else Moscow for Russian and UTC for English; an invalid name falls back', () => {
    expect(userTimeZone(null, 'ru')).toBe('Europe/Moscow');
    expect(userTimeZone({ timeZone: null }, 'en')).toBe('UTC');
    expect(userTimeZone({ timeZone: 'Asia/Vladivostok' }, 'en')).toBe('Asia/Vladivostok');
    expect(userTimeZone({ timeZone: 'Mars/Olympus' }, 'ru')).toBe('Europe/Moscow');
  });

  it('formats a moment in the zone, daylight saving included', () => {
    expect(formatDayTime(AT, 'Europe/Moscow')).toBe('06.12 14:05');
    expect(formatDayTime(AT, 'Asia/Vladivostok')).toBe('06.12 21:05');
    expect(formatDayTime(AT, 'America/New_York')).toBe('06.12 06:05');
    expect(formatDayTime(new Date(Date.UTC(2026, 6, 6, 11, 5)), 'America/New_York')).toBe('06.07 07:05');
    expect(formatDate(new Date(Date.UTC(2026, 11, 31, 22, 0)), 'Europe/Moscow')).toBe('01.01.2027');
    expect(formatDate(new Date(Date.UTC(2026, 11, 31, 22, 0)), 'UTC')).toBe('31.12.2026');
    expect(formatUtcOffset('Europe/Moscow', AT)).toBe('UTC+3');
    expect(formatUtcOffset('America/New_York', AT)).toBe('UTC−5');
    expect(formatUtcOffset('Asia/Kolkata', AT)).toBe('UTC+5:30');
    expect(formatUtcOffset('UTC', AT)).toBe('UTC');
  });

  it('"today" begins at the zone’s midnight, also on a daylight-saving day', () => {
    expect(startOfDay(AT, 'Europe/Moscow').toISOString()).toBe('2026-12-05T21:00:00.000Z');
    expect(startOfDay(AT, 'UTC').toISOString()).toBe('2026-12-06T00:00:00.000Z');
    // 8 March 2026, New York: clocks go from −5 to −4 at 02:00; midnight was still at −5.
    expect(startOfDay(new Date(Date.UTC(2026, 2, 8, 20)), 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
  });

  it('every offered zone is a valid IANA zone with a name in both languages', () => {
    for (const { id, zone } of TIME_ZONES) {
      expect(userTimeZone({ timeZone: zone }, 'ru')).toBe(zone);
      for (const lang of ['ru', 'en'] as const) expect(i18n.t(lang, 'time-zone-city', { id, zone })).not.toBe(zone);
    }
  });

  it('elapsed time in words: "меньше минуты", "12 мин", "1 ч 5 мин" / "12 min", "1 h 5 min"', () => {
    const since = new Date(AT.getTime() - 65 * 60_000 - 30_000);
    expect(elapsed(since, AT)).toEqual({ hours: 1, minutes: 5 });
    expect(i18n.t('ru', 'elapsed', elapsed(since, AT))).toBe('1 ч 5 мин');
    expect(i18n.t('en', 'elapsed', elapsed(since, AT))).toBe('1 h 5 min');
    expect(i18n.t('ru', 'elapsed', { hours: 0, minutes: 12 })).toBe('12 мин');
    expect(i18n.t('ru', 'elapsed', { hours: 2, minutes: 0 })).toBe('2 ч');
    expect(i18n.t('ru', 'elapsed', elapsed(new Date(AT.getTime() + 5000), AT))).toBe('меньше минуты');
  });
});

describe('/jobs stages and /balance lines in words', () => {
  it('every stage a job workflow sets has its own words in both languages; an unknown one a fallback', () => {
    for (const lang of ['ru', 'en'] as const) {
      const fallback = i18n.t(lang, 'job-stage', { stage: 'something_new', kind: 'generation' });
      expect(fallback).toBe(lang === 'ru' ? 'в работе' : 'in progress');
      const names = JOB_STAGES.map((stage) => i18n.t(lang, 'job-stage', { stage, kind: 'generation' }));
      for (const name of names) expect(name).not.toBe(fallback);
      expect(new Set(names).size).toBe(JOB_STAGES.length);
      expect(i18n.t(lang, 'job-stage', { stage: 'checking', kind: 'transcription' })).not.toBe(i18n.t(lang, 'job-stage', { stage: 'checking', kind: 'generation' }));
      // an avatar's workflow keeps the bot's "running" while it collects photos
      expect(i18n.t(lang, 'job-stage', { stage: 'running', kind: 'avatar_training' })).toBe(i18n.t(lang, 'job-stage', { stage: 'collecting_photos', kind: 'avatar_training' }));
    }
    expect(JOB_STAGES).toEqual(expect.arrayContaining(['collecting_photos', 'ready', 'charged', 'training', 'charging', 'preparing', 'generating', 'checking', 'delivering', 'awaiting_confirmation', 'transcribing']));
  });

  it('a ledger row names its job by kind and UUID only', () => {
    const id = '5fee0f2c-1b1e-4c6f-9d53-1a2b3c4d5e6f';
    expect(parseJobId(`gen-${id}`)).toEqual({ kind: 'generation', id });
    expect(parseJobId(`avatar-${id}`)).toEqual({ kind: 'avatar', id });
    expect(parseJobId(`tr-${id}`)).toEqual({ kind: 'transcription', id });
    expect(parseJobId(`avatar-delete-${id}`)).toBeNull();
    expect(parseJobId('gen-test-ee90d9cf')).toBeNull();
    expect(parseJobId(null)).toBeNull();
  });

  it('history lines: what, how much, the balance after, the time in the zone', () => {
    const base = { createdAt: AT, source: 'other', reason: null, job: null } as const;
    const line = (lang: 'ru' | 'en', e: Partial<HistoryEntry> & Pick<HistoryEntry, 'kind' | 'amount' | 'balanceAfter'>) => historyLine(i18n.forLanguage(lang), { ...base, ...e }, 'Europe/Moscow');
    const imagen = { kind: 'generation', found: true, mode: 'IMAGEN4', numImages: 2, unitPrice: 4, avatarName: null } as const;
    expect(line('ru', { kind: 'CHARGE', amount: -8, balanceAfter: 12, job: imagen })).toBe('06.12 14:05  🎨 Imagen 4 · 2 изображения  −8 → 12');
    expect(line('ru', { kind: 'REFUND', amount: 4, balanceAfter: 16, job: imagen })).toBe('06.12 14:05  ↩️ Возврат · Imagen 4 · 1 изображение  +4 → 16');
    expect(line('en', { kind: 'REFUND', amount: 4, balanceAfter: 16, job: imagen })).toBe('06.12 14:05  ↩️ Refund · Imagen 4 · 1 image  +4 → 16');
    expect(line('ru', { kind: 'CHARGE', amount: -150, balanceAfter: 0, job: { kind: 'avatar', found: true, name: 'Аня' } })).toBe('06.12 14:05  🧑‍🎨 Аватар «Аня» · обучение  −150 → 0');
    expect(line('ru', { kind: 'CHARGE', amount: -12, balanceAfter: 3, job: { kind: 'transcription', found: true, durationSec: 700 } })).toBe('06.12 14:05  🎧 Расшифровка · 12 мин  −12 → 3');
    expect(line('ru', { kind: 'CHARGE', amount: -5, balanceAfter: 3, job: { kind: 'generation', found: false } })).toBe('06.12 14:05  🎨 Изображения  −5 → 3');
    expect(line('ru', { kind: 'TOPUP', amount: 100, balanceAfter: 120 })).toBe('06.12 14:05  ⭐ Пополнение  +100 → 120');
    expect(line('ru', { kind: 'GRANT', amount: 20, balanceAfter: 20, source: 'welcome' })).toBe('06.12 14:05  🎁 Подарок при регистрации  +20 → 20');
    expect(line('en', { kind: 'GRANT', amount: 20, balanceAfter: 20, source: 'welcome' })).toBe('06.12 14:05  🎁 Welcome gift  +20 → 20');
    expect(line('ru', { kind: 'GRANT', amount: 50, balanceAfter: 70, reason: 'за отзыв' })).toBe('06.12 14:05  🎁 Начисление · за отзыв  +50 → 70');
    expect(line('ru', { kind: 'ADJUST', amount: -100, balanceAfter: 20, source: 'stars-refund' })).toBe('06.12 14:05  ⭐ Возврат звёзд  −100 → 20');
  });
});

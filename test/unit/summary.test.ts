import { describe, expect, it } from 'vitest';
import { PURPOSES } from '../../sandbox/openai/purposes';
import { clipLine, normalizeSummary, splitTranscript, summaryMessages, SUMMARY_LIMITS } from '../../vocabulary/summary';

describe('transcript summaries (vocabulary/summary.ts)', () => {
  it('splits a long transcript at paragraphs, then sentences, then spaces; a short one stays whole', () => {
    expect(splitTranscript('  Один абзац.  ', 100)).toEqual(['Один абзац.']);
    const text = ['А'.repeat(60) + '.', 'Б'.repeat(60) + '. ' + 'В'.repeat(30) + '.', 'Г'.repeat(40)].join('\n\n');
    const parts = splitTranscript(text, 100);
    expect(parts.every((p) => p.length <= 100)).toBe(true);
    expect(parts.join(' ').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    expect(parts[0]).toBe('А'.repeat(60) + '.');
    // no space anywhere: hard cuts at the limit, nothing lost
    expect(splitTranscript('x'.repeat(250), 100)).toEqual(['x'.repeat(100), 'x'.repeat(100), 'x'.repeat(50)]);
  });

  it('keeps an answer within its limits: a title and 1–7 points, ≤ 8 action items, each one line; nothing usable is null', () => {
    const long = 'слово '.repeat(100);
    const s = normalizeSummary({ title: ` ${long} `, key_points: Array.from({ length: 9 }, (_, i) => `- пункт ${i}\nдальше`), action_items: ['', '• сделать', ...Array(10).fill('ещё')], language: ' RU ' });
    expect(s).not.toBeNull();
    expect(Array.from(s!.title).length).toBeLessThanOrEqual(SUMMARY_LIMITS.titleChars);
    expect(s!.title.endsWith('…')).toBe(true);
    expect(s!.keyPoints).toHaveLength(7);
    expect(s!.keyPoints[0]).toBe('пункт 0 дальше');
    expect(s!.actionItems[0]).toBe('сделать');
    expect(s!.actionItems).toHaveLength(8);
    expect(s!.language).toBe('ru');
    expect(normalizeSummary({ title: 'Тема', key_points: ['  '], action_items: [], language: 'ru' })).toBeNull();
    expect(normalizeSummary({ title: ' ', key_points: ['пункт'], action_items: [], language: 'ru' })).toBeNull();
    // an emoji is never cut in half
    expect(clipLine('😀'.repeat(10), 5)).toBe('😀😀😀😀…');
  });

  it('the longest summary fits one Telegram message (4096 characters)', () => {
    const item = 'ж'.repeat(1000);
    const s = normalizeSummary({ title: item, key_points: Array(20).fill(item), action_items: Array(20).fill(item), language: 'ru' })!;
    const text = summaryMessages(s)
      .map((m) => Object.values(m.params).join('\n'))
      .join('\n\n');
    expect(text.length + 200).toBeLessThanOrEqual(4096); // 200: the headers around the placeholders
  });
});

describe('the OpenAI stand-in\'s transcript_summary purpose', () => {
  const summarize = (user: string) => PURPOSES.transcript_summary!({ system: '', user, all: user, images: [] });

  it('derives the summary from the text: title from the first sentence, points spread over sentences, tasks from task words, gaps left out', () => {
    const text = 'Сегодня обсуждали план запуска нового продукта на весну. Бюджет утвердили. [не распознано: 10:02 – 19:58] Нужно подготовить макеты к пятнице. Дизайн покажет Аня.';
    const f = summarize(text);
    expect(f.title).toBe('Сегодня обсуждали план запуска нового продукта на весну');
    expect(f.key_points).toEqual(['Сегодня обсуждали план запуска нового продукта на весну.', 'Бюджет утвердили.', 'Нужно подготовить макеты к пятнице.', 'Дизайн покажет Аня.']);
    expect(f.action_items).toEqual(['Нужно подготовить макеты к пятнице.']);
    expect(f.language).toBe('ru');
    expect(summarize('We met today. We should ship on Monday.').action_items).toEqual(['We should ship on Monday.']);
  });

  it('merges part summaries: points spread over all parts, action items united', () => {
    const parts = [1, 2, 3].map((n) => ({ title: `Часть ${n}`, key_points: [`п${n}а`, `п${n}б`, `п${n}в`], action_items: [`задача ${n}`, 'общая'], language: 'ru' }));
    const f = summarize(JSON.stringify(parts));
    expect(f.title).toBe('Часть 1');
    expect(f.key_points).toHaveLength(7);
    expect(f.action_items).toEqual(['задача 1', 'общая', 'задача 2', 'задача 3']);
  });
});

import { describe, expect, it } from 'vitest';
import { mergeChunks, splitForMessage, toSrt, toTxt, toVtt, voiceClips, type ChunkTranscript, type TimedWord, type TranscriptSegment } from '../../lib/transcript';

const OVERLAP = 1.5;

/** What a recording says: unique words `w0, w1, …`, 0.4 s long, one every 0.5 s from 0.3 s. */
function spoken(seconds: number): TimedWord[] {
  const words: TimedWord[] = [];
  for (let i = 0, t = 0.3; t + 0.4 <= seconds; i++, t += 0.5) words.push({ word: `w${i}`, start: t, end: t + 0.4 });
  return words;
}

/**
 * What Whisper returns for one chunk: the words wholly inside its audio, with
 * times relative to the chunk shifted by `jitter`, grouped four to a segment
 * (counted from the chunk's own first word, so the chunks disagree on where
 * segments start), each segment capitalised with a full stop.
 */
function transcribe(all: TimedWord[], cuts: number[], duration: number, index: number, opts: { jitter?: number; words?: boolean } = {}): ChunkTranscript {
  const bounds = [0, ...cuts, duration];
  const ownStart = bounds[index]!;
  const ownEnd = bounds[index + 1]!;
  const offset = Math.max(0, ownStart - OVERLAP);
  const end = Math.min(duration, ownEnd + OVERLAP);
  const jitter = opts.jitter ?? 0;
  const heard = all.filter((w) => w.start >= offset && w.end <= end).map((w) => ({ word: w.word, start: w.start - offset + jitter, end: w.end - offset + jitter }));
  const segments: TranscriptSegment[] = [];
  for (let i = 0; i < heard.length; i += 4) {
    const group = heard.slice(i, i + 4);
    const sentence = group.map((w) => w.word).join(' ');
    segments.push({ start: group[0]!.start, end: group.at(-1)!.end, text: ` ${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.` });
  }
  return {
    index,
    offset,
    ownStart,
    ownEnd,
    text: segments.map((s) => s.text).join(''),
    segments,
    ...(opts.words === false ? {} : { words: heard }),
  };
}

const bare = (text: string) => text.toLowerCase().replace(/[.,]/g, '').split(/\s+/).filter(Boolean);

describe('lib/transcript mergeChunks', () => {
  it('keeps every word of two overlapping chunks once, in order', () => {
    const all = spoken(20);
    // the cut at 10.1 falls inside w19 (9.8–10.2, midpoint 10.0): chunk 0 owns it
    const chunks = [transcribe(all, [10.1], 20, 0, { jitter: 0.03 }), transcribe(all, [10.1], 20, 1, { jitter: -0.03 })];
    const merged = mergeChunks(chunks);
    expect(bare(merged.text)).toEqual(all.map((w) => w.word));
    expect(merged.text).not.toMatch(/\s{2}|^\s|\s$/);
    for (const [i, s] of merged.segments.entries()) {
      expect(s.text).toBe(s.text.trim());
      if (i > 0) expect(s.start).toBeGreaterThanOrEqual(merged.segments[i - 1]!.end);
    }
  });

  it('keeps every word of three chunks once, in order, whatever order the chunks arrive in', () => {
    const all = spoken(30);
    const cuts = [9.9, 20.2];
    const chunks = [0, 1, 2].map((i) => transcribe(all, cuts, 30, i, { jitter: [0.02, -0.04, 0.04][i] }));
    const merged = mergeChunks([chunks[2]!, chunks[0]!, chunks[1]!]);
    expect(bare(merged.text)).toEqual(all.map((w) => w.word));
    expect(merged.segments[0]!.start).toBeCloseTo(0.32, 9);
    expect(merged.segments.at(-1)!.end).toBeCloseTo(all.at(-1)!.end + 0.04, 9);
  });

  it('keeps whole segments with their punctuation and rebuilds the ones crossing a cut from words', () => {
    const all = spoken(12);
    // chunk 0 hears w0–w13 (audio to 7.6), chunk 1 w9–w22 (from 4.6); the cut at 6.1 falls inside w11 (5.8–6.2)
    const merged = mergeChunks([transcribe(all, [6.1], 12, 0), transcribe(all, [6.1], 12, 1)]);
    expect(merged.segments.map((s) => s.text)).toEqual([
      'W0 w1 w2 w3.',
      'W4 w5 w6 w7.',
      'w8 w9 w10 w11', // crosses the cut: rebuilt from chunk 0's owned words, without punctuation
      'w12', // chunk 1's w9–w12 crosses it too: only w12 is chunk 1's
      'W13 w14 w15 w16.',
      'W17 w18 w19 w20.',
      'W21 w22.',
    ]);
    const rebuilt = merged.segments[2]!;
    expect([rebuilt.start, rebuilt.end]).toEqual([expect.closeTo(4.3, 9), expect.closeTo(6.2, 9)]);
    expect(merged.segments[4]!.start).toBeCloseTo(6.8, 9);
  });

  it('without words, keeps a segment crossing a cut only in the chunk that owns its midpoint', () => {
    const segment = (start: number, end: number, text: string) => ({ start, end, text });
    // absolute: "One two." 1–3, "Three four." 9.5–11 (midpoint 10.25), "Five." 13–14; cut at 10
    const chunks: ChunkTranscript[] = [
      { index: 0, offset: 0, ownStart: 0, ownEnd: 10, text: 'One two. Three four.', segments: [segment(1, 3, ' One two.'), segment(9.5, 11, ' Three four.')] },
      { index: 1, offset: 8.5, ownStart: 10, ownEnd: 20, text: 'Three four. Five.', segments: [segment(1, 2.5, ' Three four.'), segment(4.5, 5.5, ' Five.')] },
    ];
    expect(mergeChunks(chunks)).toEqual({
      text: 'One two. Three four. Five.',
      segments: [segment(1, 3, 'One two.'), segment(9.5, 11, 'Three four.'), segment(13, 14, 'Five.')],
    });
    // moved so that chunk 0 owns the midpoint (9.75), it comes from chunk 0 instead, still once
    chunks[0]!.segments![1] = segment(9, 10.5, ' Three four.');
    chunks[1]!.segments![0] = segment(0.5, 2, ' Three four.');
    expect(mergeChunks(chunks).segments.map((s) => s.start)).toEqual([1, 9, 13]);
  });

  it('lets a chunk without segments contribute its text or its owned words', () => {
    const merged = mergeChunks([
      { index: 0, offset: 0, ownStart: 0, ownEnd: 10, text: ' Plain text only. ' },
      {
        index: 1,
        offset: 8.5,
        ownStart: 10,
        ownEnd: 20,
        text: 'x y z',
        // absolute midpoints 9.7 (chunk 0's), 11 and 20.1 (chunk 2's)
        words: [{ word: 'x', start: 1, end: 1.4 }, { word: ' y', start: 2, end: 3 }, { word: 'z', start: 11.3, end: 11.9 }],
      },
      { index: 2, offset: 18.5, ownStart: 20, ownEnd: 30, text: 'End.', segments: [{ start: 10, end: 11, text: ' End.' }] },
    ]);
    expect(merged).toEqual({
      text: 'Plain text only. y End.',
      segments: [
        { start: 0, end: 10, text: 'Plain text only.' },
        { start: 10.5, end: 11.5, text: 'y' },
        { start: 28.5, end: 29.5, text: 'End.' },
      ],
    });
  });

  it('lets the last chunk, and only the last, own its end', () => {
    const first: ChunkTranscript = { index: 0, offset: 0, ownStart: 0, ownEnd: 10, text: '' };
    const edge: ChunkTranscript = { index: 1, offset: 8.5, ownStart: 10, ownEnd: 20, text: 'edge', words: [{ word: 'edge', start: 11, end: 12 }] }; // midpoint 20
    expect(mergeChunks([first, edge]).text).toBe('edge');
    expect(mergeChunks([first, edge, { index: 2, offset: 18.5, ownStart: 20, ownEnd: 30, text: '' }]).text).toBe('');
    // a segment running past the end (Whisper overshooting the audio) is kept by its midpoint
    const overshoot: ChunkTranscript = { index: 1, offset: 8.5, ownStart: 10, ownEnd: 20, text: 'Tail.', segments: [{ start: 10.5, end: 12, text: ' Tail.' }] };
    expect(mergeChunks([first, overshoot]).segments).toEqual([{ start: 19, end: 20.5, text: 'Tail.' }]);
  });

  it('adds nothing for empty chunks', () => {
    const merged = mergeChunks([
      { index: 0, offset: 0, ownStart: 0, ownEnd: 10, text: '', segments: [] },
      { index: 1, offset: 8.5, ownStart: 10, ownEnd: 20, text: '  ' },
      { index: 2, offset: 18.5, ownStart: 20, ownEnd: 25, text: 'Hi.', segments: [{ start: 2, end: 3, text: ' Hi.' }, { start: 3.5, end: 4, text: '  ' }] },
    ]);
    expect(merged).toEqual({ text: 'Hi.', segments: [{ start: 20.5, end: 21.5, text: 'Hi.' }] });
    expect(mergeChunks([])).toEqual({ text: '', segments: [] });
  });
});

describe('lib/transcript toSrt', () => {
  it('numbers cues, writes hours past one and pads them, rounds to the millisecond', () => {
    expect(
      toSrt([
        { start: 1, end: 2.5, text: ' Hello there.' },
        { start: 3723.456, end: 3725.0004, text: 'An hour in.' },
        { start: 3726, end: 3727, text: '   ' },
        { start: 59.9996, end: 61.2344, text: 'Rounded\n\nup.' },
        { start: 360_000, end: 360_001.5, text: 'A hundred hours.' },
      ]),
    ).toBe(
      [
        '1\n00:00:01,000 --> 00:00:02,500\nHello there.\n',
        '2\n01:02:03,456 --> 01:02:05,000\nAn hour in.\n',
        '3\n00:01:00,000 --> 00:01:01,234\nRounded\nup.\n',
        '4\n100:00:00,000 --> 100:00:01,500\nA hundred hours.\n',
      ].join('\n'),
    );
    expect(toSrt([])).toBe('');
  });
});

describe('lib/transcript toTxt', () => {
  it('starts a paragraph after a pause of two seconds or more and ends with a newline', () => {
    const segments = [
      { start: 0, end: 1, text: ' One.' },
      { start: 1.5, end: 3, text: 'Two.' },
      { start: 5, end: 6, text: 'Three.' }, // a 2.0 s pause
      { start: 7.9, end: 9, text: 'Four.' }, // 1.9 s
      { start: 9.5, end: 9.6, text: ' ' },
      { start: 20, end: 21, text: 'Five.' },
    ];
    expect(toTxt('ignored', segments)).toBe('One. Two.\n\nThree. Four.\n\nFive.\n');
  });

  it('falls back to the text without segments, and is empty for nothing', () => {
    expect(toTxt('  Just text. ', [])).toBe('Just text.\n');
    expect(toTxt('', [])).toBe('');
  });
});

describe('lib/transcript splitForMessage', () => {
  it('leaves a short text alone', () => {
    expect(splitForMessage('Short.', 4096)).toEqual({ head: 'Short.', rest: false });
    expect(splitForMessage('x'.repeat(10), 10)).toEqual({ head: 'x'.repeat(10), rest: false });
  });

  it('cuts a long text after a sentence, else at a space, else anywhere, and marks the cut', () => {
    const text = 'First sentence here. Second sentence is longer than that. Third.';
    expect(splitForMessage(text, 40)).toEqual({ head: 'First sentence here.…', rest: true });
    // a sentence end in the first half of the room is too early: cut at the last space instead
    expect(splitForMessage('Hi. alpha beta gamma delta epsilon', 20)).toEqual({ head: 'Hi. alpha beta…', rest: true });
    expect(splitForMessage('alpha beta gamma delta epsilon', 20)).toEqual({ head: 'alpha beta gamma…', rest: true });
    expect(splitForMessage('x'.repeat(50), 10)).toEqual({ head: `${'x'.repeat(9)}…`, rest: true });
    // never half an emoji (two UTF-16 units)
    expect(splitForMessage('😀'.repeat(10), 6)).toEqual({ head: '😀😀…', rest: true });
    const long = `${'Lorem ipsum dolor sit amet. '.repeat(400)}`;
    const { head } = splitForMessage(long, 4096);
    expect(head.length).toBeLessThanOrEqual(4096);
    expect(head.endsWith('amet.…')).toBe(true);
    expect(() => splitForMessage(text, 0)).toThrow(RangeError);
  });
});

describe('lib/transcript toVtt', () => {
  it('a WEBVTT header, then the SubRip cues with "." before the milliseconds; empty texts left out, "-->" kept out of a text', () => {
    expect(
      toVtt([
        { start: 1, end: 2.5, text: ' Hello there.' },
        { start: 3, end: 4, text: '  ' },
        { start: 3723.456, end: 3725.0004, text: 'A --> B\n\nnext line' },
      ]),
    ).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nHello there.\n\n2\n01:02:03.456 --> 01:02:05.000\nA → B\nnext line\n');
  });

  it('no segments: only the header (a valid, empty file)', () => {
    expect(toVtt([])).toBe('WEBVTT\n');
  });
});

describe('lib/transcript with speaker labels', () => {
  const name = (n: number) => `Спикер ${n}`;
  const dialogue: TranscriptSegment[] = [
    { start: 0, end: 3, text: 'Привет.', speaker: 1 },
    { start: 3.5, end: 5, text: 'Как дела?', speaker: 1 },
    { start: 5.5, end: 9, text: 'Хорошо, спасибо.', speaker: 2 },
    { start: 20, end: 22, text: 'А у тебя?', speaker: 2 },
    { start: 22.5, end: 24, text: 'Тоже.', speaker: 1 },
  ];

  it('a turn is a paragraph that starts with its speaker; a long pause inside a turn starts a paragraph without repeating the name', () => {
    expect(toTxt('', dialogue, name)).toBe('Спикер 1: Привет. Как дела?\n\nСпикер 2: Хорошо, спасибо.\n\nА у тебя?\n\nСпикер 1: Тоже.\n');
    // without names (labels off, or older transcripts): as before
    expect(toTxt('', dialogue)).toBe('Привет. Как дела? Хорошо, спасибо.\n\nА у тебя? Тоже.\n');
  });

  it('SubRip names the speaker in the cue; WebVTT as a voice span, with <, > and & escaped', () => {
    expect(toSrt(dialogue.slice(2, 3), name)).toBe('1\n00:00:05,500 --> 00:00:09,000\nСпикер 2: Хорошо, спасибо.\n');
    expect(toVtt(dialogue.slice(0, 1), name)).toBe('WEBVTT\n\n1\n00:00:00.000 --> 00:00:03.000\n<v Спикер 1>Привет.\n');
    expect(toVtt(dialogue.slice(0, 1), () => 'A<b>&c')).toContain('<v A&lt;b&gt;&amp;c>Привет.');
  });

  it('the merge keeps each segment\'s speaker', () => {
    const chunk: ChunkTranscript = { index: 0, offset: 0, ownStart: 0, ownEnd: 30, text: '', segments: dialogue };
    expect(mergeChunks([chunk]).segments.map((s) => s.speaker)).toEqual([1, 1, 2, 2, 1]);
  });

  it('reference clips: each speaker\'s longest segment (at most 10 s), in order of first appearance, at most 4, none under 2 s', () => {
    const segments: TranscriptSegment[] = [
      { start: 0, end: 1.5, text: 'a', speaker: 3 },
      { start: 2, end: 4, text: 'b', speaker: 1 },
      { start: 5, end: 20, text: 'c', speaker: 1 },
      { start: 21, end: 24, text: 'd', speaker: 2 },
      ...[4, 5, 6].map((n, i) => ({ start: 30 + i * 5, end: 33 + i * 5, text: 'e', speaker: n })),
    ];
    expect(voiceClips(segments)).toEqual([
      { speaker: 1, start: 5, end: 15 },
      { speaker: 2, start: 21, end: 24 },
      { speaker: 4, start: 30, end: 33 },
      { speaker: 5, start: 35, end: 38 },
    ]);
  });
});

/**
 * Turning the transcripts of a recording's chunks (see `lib/audio-plan.ts`)
 * into one transcript, and that transcript into what the user receives: an
 * SRT file, a plain-text file and a preview short enough for one Telegram
 * message. Pure: no I/O.
 *
 * Chunks overlap, so the words near a cut are heard twice. Each word is kept
 * by the one chunk that owns the moment it is spoken (its midpoint): a word is
 * never repeated and, as long as the two chunks agree on its time, never lost.
 */
export interface TimedWord {
  word: string;
  start: number;
  end: number;
}

export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
  /** Who speaks (1, 2, …), with a diarizing model; the same number is the same person across the recording. */
  speaker?: number;
}

/** A speaker's name as the user reads it ("Спикер 2"). */
export type SpeakerName = (speaker: number) => string;

export interface ChunkTranscript {
  index: number;
  /** Absolute time (s) where this chunk's audio starts (`PlannedChunk.start`). */
  offset: number;
  /** Absolute, from `PlannedChunk`. */
  ownStart: number;
  ownEnd: number;
  text: string;
  /** Times relative to the chunk's audio, as Whisper returns them. */
  segments?: TranscriptSegment[];
  /** Relative too; only with whisper-1 and `timestamp_granularities: ['word']`. */
  words?: TimedWord[];
  /** With speaker labels, the first chunk's: a clip (relative times) of each speaker, the other chunks' known references. */
  voices?: VoiceClip[];
}

export interface VoiceClip {
  speaker: number;
  start: number;
  end: number;
}

/** OpenAI takes up to 4 known speakers, each a clip of 2–10 s. */
export const VOICE_CLIPS = { max: 4, minSeconds: 2, maxSeconds: 10 } as const;

/**
 * Each speaker's longest segment (its first 10 s), in the order speakers are
 * first heard, at most 4; a speaker whose every segment is under 2 s has no
 * clip (the model would refuse it), and is then numbered per chunk.
 */
export function voiceClips(segments: TranscriptSegment[]): VoiceClip[] {
  const longest = new Map<number, TranscriptSegment>();
  for (const s of segments) {
    if (s.speaker === undefined) continue;
    const best = longest.get(s.speaker);
    if (!best || s.end - s.start > best.end - best.start) longest.set(s.speaker, s);
  }
  return [...longest.entries()]
    .filter(([, s]) => s.end - s.start >= VOICE_CLIPS.minSeconds)
    .slice(0, VOICE_CLIPS.max)
    .map(([speaker, s]) => ({ speaker, start: s.start, end: Math.min(s.end, s.start + VOICE_CLIPS.maxSeconds) }));
}

export interface MergedTranscript {
  /** The segment texts joined by single spaces. */
  text: string;
  /** Absolute times, in chunk order. */
  segments: TranscriptSegment[];
}

/** A pause at least this long between two segments starts a new paragraph in {@link toTxt}. */
export const PARAGRAPH_PAUSE_SECONDS = 2;
const ELLIPSIS = '…';

const midpoint = (t: { start: number; end: number }) => (t.start + t.end) / 2;

/**
 * One chunk's share of the transcript, in absolute times. A segment wholly
 * inside the owned part is kept as Whisper wrote it (with its punctuation).
 * One that crosses a boundary is rebuilt from the owned words inside it, or,
 * without words, kept only if its midpoint is owned. A chunk without segments
 * gives its owned words as one segment, or else its whole text over the owned part.
 */
function chunkSegments(chunk: ChunkTranscript, isLast: boolean): TranscriptSegment[] {
  const { offset, ownStart, ownEnd } = chunk;
  const owns = (t: number) => t >= ownStart && (t < ownEnd || (isLast && t === ownEnd));
  const words = (chunk.words ?? [])
    .map((w) => ({ word: w.word.trim(), start: w.start + offset, end: w.end + offset }))
    .filter((w) => w.word !== '');
  const taken = new Set<number>();
  /** The owned, not yet taken words whose midpoint lies in [start, end], as one segment. */
  const fromWords = (start: number, end: number): TranscriptSegment[] => {
    const picked: TimedWord[] = [];
    words.forEach((w, i) => {
      const m = midpoint(w);
      if (taken.has(i) || !owns(m) || m < start || m > end) return;
      taken.add(i);
      picked.push(w);
    });
    if (picked.length === 0) return [];
    return [{ start: picked[0]!.start, end: picked[picked.length - 1]!.end, text: picked.map((w) => w.word).join(' ') }];
  };

  if (!chunk.segments?.length) {
    if (words.length > 0) return fromWords(-Infinity, Infinity);
    const text = chunk.text.trim();
    return text ? [{ start: ownStart, end: ownEnd, text }] : [];
  }

  const out: TranscriptSegment[] = [];
  for (const s of chunk.segments) {
    const segment: TranscriptSegment = { start: s.start + offset, end: s.end + offset, text: s.text.trim(), ...(s.speaker === undefined ? {} : { speaker: s.speaker }) };
    if (segment.start >= ownStart && segment.end <= ownEnd) {
      // its words are accounted for by its own text
      words.forEach((w, i) => {
        if (midpoint(w) >= segment.start && midpoint(w) <= segment.end) taken.add(i);
      });
      if (segment.text) out.push(segment);
    } else if (words.length > 0) {
      out.push(...fromWords(segment.start, segment.end));
    } else if (segment.text && owns(midpoint(segment))) {
      out.push(segment);
    }
  }
  return out;
}

/**
 * Merges the transcripts of a recording's chunks (in any order; sorted by
 * index) into one with absolute times. The last chunk also owns its end.
 */
export function mergeChunks(chunks: ChunkTranscript[]): MergedTranscript {
  const ordered = [...chunks].sort((a, b) => a.index - b.index);
  const segments = ordered.flatMap((chunk, i) => chunkSegments(chunk, i === ordered.length - 1));
  return { text: segments.map((s) => s.text).join(' '), segments };
}

/** `HH:MM:SS<sep>mmm` for a whole number of milliseconds (SubRip: `,`, WebVTT: `.`); hours take more digits past 99. */
function timestamp(ms: number, separator: ',' | '.'): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

const toMilliseconds = (seconds: number) => (Number.isFinite(seconds) ? Math.max(0, Math.round(seconds * 1000)) : 0);

/**
 * SubRip subtitles: numbered cues `1\n00:00:01,000 --> 00:00:02,500\ntext\n`
 * separated by a blank line, times rounded to the millisecond. Segments
 * without text are left out (and not numbered); blank lines inside a text are
 * removed, since a blank line ends a cue.
 */
export function toSrt(segments: TranscriptSegment[], speakerName?: SpeakerName): string {
  return cues(segments)
    .map((c, i) => `${i + 1}\n${timestamp(c.start, ',')} --> ${timestamp(c.end, ',')}\n${c.speaker !== undefined && speakerName ? `${speakerName(c.speaker)}: ` : ''}${c.text}\n`)
    .join('\n');
}

/**
 * WebVTT subtitles (what browsers and most players read): the `WEBVTT`
 * header, then the same cues as {@link toSrt} with `.` before the
 * milliseconds. `-->` inside a text would end the cue's timing line early, so
 * it becomes `→`.
 */
export function toVtt(segments: TranscriptSegment[], speakerName?: SpeakerName): string {
  // a speaker is WebVTT's voice span `<v Name>` (players show or style it); `<`, `>` and `&` in a name are escaped
  const voice = (n: number | undefined) => (n !== undefined && speakerName ? `<v ${speakerName(n).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}>` : '');
  const body = cues(segments).map((c, i) => `${i + 1}\n${timestamp(c.start, '.')} --> ${timestamp(c.end, '.')}\n${voice(c.speaker)}${c.text.replace(/-->/g, '→')}\n`);
  return ['WEBVTT\n', ...body].join('\n');
}

/** Subtitle cues: text trimmed, no blank lines inside (a blank line ends a cue), empty ones left out, times in whole milliseconds. */
function cues(segments: TranscriptSegment[]): { start: number; end: number; text: string; speaker?: number }[] {
  return segments
    .map((s) => ({ ...s, text: s.text.trim().replace(/\r\n?/g, '\n').replace(/\n\s*\n/g, '\n') }))
    .filter((s) => s.text !== '')
    .map((s) => {
      const start = toMilliseconds(s.start);
      return { start, end: Math.max(start, toMilliseconds(s.end)), text: s.text, ...(s.speaker === undefined ? {} : { speaker: s.speaker }) };
    });
}

/**
 * Readable plain text: the segments joined by spaces, a new paragraph (blank
 * line) after a pause of at least {@link PARAGRAPH_PAUSE_SECONDS}, ending with
 * a newline. Without segments with text, `text` itself; empty when there is
 * nothing at all.
 */
export function toTxt(text: string, segments: TranscriptSegment[], speakerName?: SpeakerName): string {
  const paragraphs: string[][] = [];
  let previousEnd = -Infinity;
  let previousSpeaker: number | undefined;
  for (const s of segments) {
    const t = s.text.trim();
    if (!t) continue;
    const current = paragraphs[paragraphs.length - 1];
    // with speaker labels, each turn is a paragraph that starts with its speaker's name
    const turn = speakerName && s.speaker !== undefined && s.speaker !== previousSpeaker;
    if (current && !turn && s.start - previousEnd < PARAGRAPH_PAUSE_SECONDS) current.push(t);
    else paragraphs.push([turn ? `${speakerName(s.speaker!)}: ${t}` : t]);
    previousEnd = s.end;
    previousSpeaker = s.speaker;
  }
  const body = paragraphs.length > 0 ? paragraphs.map((p) => p.join(' ')).join('\n\n') : text.trim();
  return body ? `${body}\n` : '';
}

/** Whether the UTF-16 unit at `i` is the second half of a surrogate pair (an emoji cut in two). */
function isLowSurrogate(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  const before = text.charCodeAt(i - 1);
  return code >= 0xdc00 && code <= 0xdfff && before >= 0xd800 && before <= 0xdbff;
}

/**
 * The start of `text` for one message of at most `limit` characters (UTF-16
 * units, as Telegram counts them). A longer text is cut after the last
 * sentence end that keeps at least half of the room, else at the last
 * whitespace, else anywhere (never inside a surrogate pair), and "…" is
 * appended; `rest` tells whether anything was left out.
 */
export function splitForMessage(text: string, limit: number): { head: string; rest: boolean } {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  if (text.length <= limit) return { head: text, rest: false };

  const room = limit - ELLIPSIS.length;
  const window = text.slice(0, room + 1); // one more, to see whether a space follows the last character that fits
  let sentenceEnd = -1;
  for (const m of window.matchAll(/[.!?…]["'»”’)\]]*(?=\s)/g)) sentenceEnd = m.index + m[0].length;
  let cut: number;
  if (sentenceEnd >= room / 2) cut = sentenceEnd;
  else {
    const space = window.search(/\s\S*$/);
    cut = space > 0 ? space : room;
  }
  if (isLowSurrogate(text, cut)) cut--;
  return { head: `${text.slice(0, cut).trimEnd()}${ELLIPSIS}`, rest: true };
}

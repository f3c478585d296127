import { execFile, spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { VOCABULARY } from '../../sandbox/openai/audio';
import { prng } from '../../sandbox/openai/random';

/**
 * A long "speech-like" recording in the OpenAI stand-in's convention
 * (sandbox/openai/audio.ts): each word is a 0.3 s tone at (k+1)·220 Hz, which
 * the stand-in transcribes as word k of `VOCABULARY.en`. Words are 0.25 s
 * apart inside a sentence, sentences of 4–9 words end with a 1.0 s pause (a
 * new Whisper segment) and every 5–8 sentences there is a 2.5 s pause (a new
 * paragraph). Everything comes from a seeded PRNG, so a seed always gives the
 * same words at the same times. The 16 kHz mono PCM is rendered piece by piece
 * and streamed into ffmpeg, so an hour never sits in memory.
 */
export interface SpeechAudio {
  path: string;
  durationSeconds: number;
  /** The words in order, as the stand-in transcribes them. */
  words: string[];
  /** Every silent gap between words, absolute seconds. */
  silences: Array<{ start: number; end: number }>;
  /** Who says each word (with `voices` > 1): 0, 1, 2 — one speaker per sentence. */
  speakers: number[];
}

export interface SpeechAudioOptions {
  seconds: number;
  /** Directory for the file (created if missing). */
  dir: string;
  seed?: number;
  format?: 'ogg' | 'mp3';
  /** MP3 bitrate (default 32k): a high one makes a file as large as a real recording of that length (e.g. 192k: ~1.4 MB a minute). */
  bitrate?: string;
  /**
   * Speakers (1–3, default 1), each sentence said by one of them at random. A
   * speaker's tones sit on the band's centre, a quarter band above or a quarter
   * band below it (sandbox/openai/audio.ts `voiceOf`): the same words, told
   * apart by a diarizing stand-in.
   */
  voices?: number;
}
/** Where each speaker's tones sit, in bands (220 Hz), relative to the word's own frequency. */
const VOICE_OFFSETS = [0, 0.25, -0.25];

const SAMPLE_RATE = 16_000;
const samples = (seconds: number) => Math.round(seconds * SAMPLE_RATE);
const WORD = samples(0.3);
const FADE = samples(0.01);
const AMPLITUDE = 0.5;
const WORD_GAP = samples(0.25);
const SENTENCE_PAUSE = samples(1.0);
const PARAGRAPH_PAUSE = samples(2.5);
/** Silence before the first word and at least this much after the last one. */
const MARGIN = samples(0.5);
/** Words are drawn from the first dozen vocabulary entries (220–2640 Hz). */
const WORD_CHOICES = 12;

const CODECS = {
  ogg: ['-c:a', 'libopus', '-b:a', '24k'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '32k'],
} as const;

interface TimedTone {
  k: number;
  /** The speaker (an index into VOICE_OFFSETS). */
  v: number;
  /** First sample of the word. */
  at: number;
}

/** Where each word goes (in samples) in a recording of `total` samples. */
function planWords(total: number, seed: number, voices = 1): TimedTone[] {
  const random = prng(seed);
  // one draw per sentence only with several voices: a single voice keeps every seed's recording as it was
  const speakerRandom = prng(seed + 7919);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const words: TimedTone[] = [];
  let at = MARGIN;
  let sentencesLeft = between(5, 8);
  for (;;) {
    const length = between(4, 9);
    const v = voices > 1 ? Math.floor(speakerRandom() * voices) : 0;
    for (let i = 0; i < length; i++) {
      if (at + WORD + MARGIN > total) return words;
      words.push({ k: between(0, WORD_CHOICES - 1), v, at });
      at += WORD + (i < length - 1 ? WORD_GAP : 0);
    }
    if (--sentencesLeft === 0) {
      at += PARAGRAPH_PAUSE;
      sentencesLeft = between(5, 8);
    } else {
      at += SENTENCE_PAUSE;
    }
  }
}

/** 16-bit little-endian PCM of one word: a sine at (k+1)·220 Hz (shifted by the speaker's offset) with 10 ms linear fades. */
function tone(k: number, v = 0): Buffer {
  const hz = (k + 1 + VOICE_OFFSETS[v]!) * 220;
  const pcm = Buffer.alloc(WORD * 2);
  for (let i = 0; i < WORD; i++) {
    const fade = Math.min(1, i / FADE, (WORD - 1 - i) / FADE);
    pcm.writeInt16LE(Math.round(32767 * AMPLITUDE * fade * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE)), i * 2);
  }
  return pcm;
}

/** The recording as PCM pieces: silence, word, silence, … up to `total` samples. */
function* renderPcm(words: TimedTone[], total: number): Generator<Buffer> {
  const tones = VOICE_OFFSETS.map((_, v) => Array.from({ length: WORD_CHOICES }, (_, k) => tone(k, v)));
  const silence = Buffer.alloc(SAMPLE_RATE * 2); // one second
  function* quiet(count: number): Generator<Buffer> {
    for (let left = count; left > 0; left -= SAMPLE_RATE) yield silence.subarray(0, Math.min(left, SAMPLE_RATE) * 2);
  }
  let at = 0;
  for (const w of words) {
    yield* quiet(w.at - at);
    yield tones[w.v]![w.k]!;
    at = w.at + WORD;
  }
  yield* quiet(total - at);
}

let encoders: Promise<string> | undefined;

/** Throws a clear error when this ffmpeg cannot encode `codec` (the list is read once). */
async function requireEncoder(codec: string): Promise<void> {
  encoders ??= promisify(execFile)('ffmpeg', ['-hide_banner', '-encoders'], { maxBuffer: 1 << 22 }).then((r) => r.stdout);
  if (!new RegExp(`^\\s*A\\S*\\s+${codec}\\s`, 'm').test(await encoders)) throw new Error(`ffmpeg has no ${codec} encoder (see ffmpeg -encoders)`);
}

/** Encodes the PCM pieces with ffmpeg into `path`, streaming with backpressure. */
async function encode(pcm: Iterable<Buffer>, path: string, codec: readonly string[]): Promise<void> {
  const ff = spawn(
    'ffmpeg',
    // bitexact: no random Ogg serial number and no encoder version tag, so a seed always gives the same bytes
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', 'pipe:0', ...codec, '-fflags', '+bitexact', '-flags:a', '+bitexact', path],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  ff.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    ff.on('error', (error) => resolve({ code: null, error }));
    ff.on('close', (code) => resolve({ code }));
  });
  let writeError: unknown;
  try {
    await pipeline(Readable.from(pcm), ff.stdin);
  } catch (err) {
    writeError = err;
  }
  const { code, error } = await exited;
  if (error || code !== 0 || writeError) {
    await rm(path, { force: true });
    throw new Error(`ffmpeg could not encode ${path} (exit ${code}): ${stderr.trim()}`, { cause: error ?? writeError });
  }
}

/** Makes `seconds` of speech-like audio (default seed 1, OGG/Opus) in `dir`. */
export async function makeSpeechAudio(opts: SpeechAudioOptions): Promise<SpeechAudio> {
  const { seconds, dir, seed = 1, format = 'ogg', voices = 1, bitrate } = opts;
  if (!(Number.isFinite(seconds) && seconds > 0)) throw new RangeError(`seconds must be positive, got ${seconds}`);
  if (!(Number.isInteger(voices) && voices >= 1 && voices <= VOICE_OFFSETS.length)) throw new RangeError(`voices must be 1–${VOICE_OFFSETS.length}, got ${voices}`);
  const codec: readonly string[] = format === 'mp3' && bitrate ? ['-c:a', 'libmp3lame', '-b:a', bitrate] : CODECS[format];
  await requireEncoder(codec[1]!);
  await mkdir(dir, { recursive: true });

  const total = samples(seconds);
  const planned = planWords(total, seed, voices);
  const path = join(dir, `speech-${seconds}s-seed${seed}${voices > 1 ? `-${voices}voices` : ''}${bitrate ? `-${bitrate}` : ''}.${format}`);
  await encode(renderPcm(planned, total), path, codec);

  const toSeconds = (n: number) => n / SAMPLE_RATE;
  return {
    path,
    durationSeconds: toSeconds(total),
    words: planned.map((w) => VOCABULARY.en[w.k]!),
    silences: planned.slice(1).map((w, i) => ({ start: toSeconds(planned[i]!.at + WORD), end: toSeconds(w.at) })),
    speakers: planned.map((w) => w.v),
  };
}

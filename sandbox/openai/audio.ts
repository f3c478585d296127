import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badRequest } from './errors';

/**
 * Turns real audio into deterministic "speech": decode with ffmpeg to 16 kHz
 * mono, find the non-silent bursts, estimate each burst's dominant frequency
 * (zero-crossing rate) and name it with a word. A tone at f Hz is word number
 * round(f / 220) − 1 of the vocabulary (clamped): 220 Hz → the first word,
 * 440 Hz → the second, 880 Hz → the fourth, 1320 Hz → the sixth.
 */
export const SAMPLE_RATE = 16_000;
const FRAME = SAMPLE_RATE / 50; // 20 ms
/** Bursts closer than this are one word (stop consonants inside a spoken word). */
const MERGE_GAP_S = 0.08;
const MIN_BURST_S = 0.06;
/** Words further apart than this start a new segment. */
export const SEGMENT_PAUSE_S = 0.7;
export const BAND_HZ = 220;

export const VOCABULARY = {
  en: ['hello', 'world', 'today', 'weather', 'music', 'garden', 'river', 'coffee', 'window', 'morning',
    'friend', 'summer', 'city', 'light', 'dream', 'voice', 'ocean', 'forest', 'story', 'evening'],
  ru: ['привет', 'мир', 'сегодня', 'погода', 'музыка', 'сад', 'река', 'кофе', 'окно', 'утро',
    'друг', 'лето', 'город', 'свет', 'мечта', 'голос', 'океан', 'лес', 'история', 'вечер'],
} as const;

export function wordForFrequency(hz: number, language: 'en' | 'ru' = 'en'): string {
  const words = VOCABULARY[language];
  return words[Math.min(words.length - 1, Math.max(0, Math.round(hz / BAND_HZ) - 1))]!;
}

export interface Burst {
  start: number;
  end: number;
  hz: number;
}

const undecodable = () => badRequest('The audio file could not be decoded or its format is not supported.', 'file', 'invalid_value');

/** Decodes any container/codec ffmpeg knows into mono 16 kHz samples in [-1, 1]. */
export async function decodeAudio(data: Buffer, extension: string): Promise<Float32Array> {
  const dir = await mkdtemp(join(tmpdir(), 'openai-sandbox-'));
  try {
    const path = join(dir, `input.${extension}`);
    await writeFile(path, data);
    const pcm = await new Promise<Buffer>((resolve, reject) => {
      const ff = spawn('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', path, '-vn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', '-acodec', 'pcm_s16le', 'pipe:1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      ff.stdout.on('data', (c: Buffer) => out.push(c));
      ff.stderr.resume();
      ff.on('error', reject);
      ff.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(undecodable())));
    });
    const samples = new Float32Array(Math.floor(pcm.length / 2));
    for (let i = 0; i < samples.length; i++) samples[i] = pcm.readInt16LE(i * 2) / 32768;
    return samples;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function zeroCrossingHz(samples: Float32Array, from: number, to: number, eps: number): number {
  let crossings = 0;
  let sign = 0;
  for (let i = from; i < to; i++) {
    const s = samples[i]! > eps ? 1 : samples[i]! < -eps ? -1 : 0;
    if (s !== 0 && sign !== 0 && s !== sign) crossings++;
    if (s !== 0) sign = s;
  }
  return (crossings / 2) * (SAMPLE_RATE / Math.max(1, to - from));
}

/** Non-silent stretches: RMS over 20 ms frames against a threshold above the noise floor. */
export function findBursts(samples: Float32Array): Burst[] {
  const frames = Math.floor(samples.length / FRAME);
  const rms = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) sum += samples[i]! ** 2;
    rms[f] = Math.sqrt(sum / FRAME);
  }
  const sorted = [...rms].sort((a, b) => a - b);
  const noise = sorted[Math.floor(sorted.length * 0.2)] ?? 0;
  const peak = sorted[sorted.length - 1] ?? 0;
  const threshold = Math.max(0.01, noise * 4, peak * 0.1);

  const runs: [number, number][] = [];
  for (let f = 0; f < frames; f++) {
    if (rms[f]! < threshold) continue;
    const last = runs[runs.length - 1];
    if (last && (f - last[1]) * FRAME <= MERGE_GAP_S * SAMPLE_RATE) last[1] = f + 1;
    else runs.push([f, f + 1]);
  }
  const bursts: Burst[] = [];
  for (const [a, b] of runs) {
    if ((b - a) * FRAME < MIN_BURST_S * SAMPLE_RATE) continue;
    // refine the start to the first loud sample (frames are 20 ms)
    let start = Math.max(0, (a - 1) * FRAME);
    while (start < a * FRAME + FRAME && Math.abs(samples[start]!) < threshold) start++;
    const end = b * FRAME;
    const margin = Math.floor((end - start) * 0.1);
    bursts.push({ start: start / SAMPLE_RATE, end: end / SAMPLE_RATE, hz: zeroCrossingHz(samples, start + margin, end - margin, threshold * 0.2) });
  }
  return bursts;
}

export interface Word {
  word: string;
  start: number;
  end: number;
}

export interface Segment {
  start: number;
  end: number;
  words: Word[];
  text: string;
  /** The voice most of its words were spoken in (see {@link voiceOf}). */
  voice: Voice;
}

/**
 * A "voice" in this convention is where a speaker's tones sit inside their
 * word's band: on the band's centre (k+1)·220 Hz, a quarter band above it
 * (+55 Hz) or a quarter band below (−55 Hz). The word is the same either way
 * (the nearest band), so two speakers can say the same words and still be
 * told apart — what diarization does with real voices.
 */
export type Voice = -1 | 0 | 1;
export function voiceOf(hz: number): Voice {
  const offset = hz / BAND_HZ - Math.round(hz / BAND_HZ);
  return offset >= 0.125 ? 1 : offset <= -0.125 ? -1 : 0;
}

/** The voice most of these bursts were spoken in (ties: the first one's). */
export function dominantVoice(bursts: Pick<Burst, 'hz'>[]): Voice {
  const counts = new Map<Voice, number>();
  for (const b of bursts) counts.set(voiceOf(b.hz), (counts.get(voiceOf(b.hz)) ?? 0) + 1);
  let best: Voice = bursts[0] ? voiceOf(bursts[0].hz) : 0;
  for (const [v, n] of counts) if (n > (counts.get(best) ?? 0)) best = v;
  return best;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Words from bursts; segments split at pauses longer than SEGMENT_PAUSE_S. */
export function toSegments(bursts: Burst[], language: 'en' | 'ru'): Segment[] {
  const segments: Segment[] = [];
  const voices: Burst[][] = [];
  let prevEnd = -Infinity;
  for (const b of bursts) {
    const word: Word = { word: wordForFrequency(b.hz, language), start: round2(b.start), end: round2(b.end) };
    const current = segments[segments.length - 1];
    if (current && b.start - prevEnd <= SEGMENT_PAUSE_S) {
      current.words.push(word);
      current.end = word.end;
      voices.at(-1)!.push(b);
    } else {
      segments.push({ start: word.start, end: word.end, words: [word], text: '', voice: 0 });
      voices.push([b]);
    }
    prevEnd = b.end;
  }
  segments.forEach((s, i) => (s.voice = dominantVoice(voices[i]!)));
  for (const s of segments) {
    const sentence = s.words.map((w) => w.word).join(' ');
    s.text = `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
  }
  return segments;
}

/**
 * Seconds of an Ogg/Opus file read from its container alone (no decoding):
 * the last page's granule position (48 kHz samples) less the OpusHead
 * pre-skip. Null when the data is not Ogg/Opus.
 */
export function oggOpusSeconds(data: Buffer): number | null {
  if (data.subarray(0, 4).toString('latin1') !== 'OggS') return null;
  const head = data.indexOf('OpusHead', 0, 'latin1');
  if (head < 0 || head > 200) return null;
  const preSkip = data.readUInt16LE(head + 10);
  const last = data.lastIndexOf('OggS', data.length - 27, 'latin1');
  if (last < 0) return null;
  const granule = Number(data.readBigUInt64LE(last + 6));
  return Math.max(0, granule - preSkip) / 48_000;
}

/** Words every 2 s over `seconds` of audio, as if one steady voice spoke (for a stand-in that does not decode). */
export function steadyBursts(seconds: number): Burst[] {
  const bursts: Burst[] = [];
  for (let t = 0; t + 1 <= seconds; t += 2) bursts.push({ start: t, end: t + 1, hz: BAND_HZ * (1 + ((t / 2) % 8)) });
  return bursts;
}

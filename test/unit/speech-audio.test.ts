import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planChunks, rmsToDb } from '../../lib/audio-plan';
import { decodeAudio, findBursts, oggOpusSeconds, SAMPLE_RATE, SEGMENT_PAUSE_S, toSegments } from '../../sandbox/openai/audio';
import { makeSpeechAudio, type SpeechAudio } from '../helpers/speech-audio';

const probeDuration = (path: string) =>
  Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim());

/** What the OpenAI stand-in hears in the file: its segments, as it would return them. */
async function transcribe(audio: SpeechAudio, extension: string) {
  const samples = await decodeAudio(readFileSync(audio.path), extension);
  return { samples, segments: toSegments(findBursts(samples), 'en') };
}

/** dBFS per 50 ms frame, as the chunk planner takes it. */
function loudness(samples: Float32Array, frameSeconds: number): Float64Array {
  const size = Math.round(frameSeconds * SAMPLE_RATE);
  const frames = new Float64Array(Math.ceil(samples.length / size));
  for (let f = 0; f < frames.length; f++) {
    const frame = samples.subarray(f * size, (f + 1) * size);
    frames[f] = rmsToDb(Math.sqrt(frame.reduce((sum, s) => sum + s * s, 0) / frame.length));
  }
  return frames;
}

describe('test/helpers makeSpeechAudio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisha-speech-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a minute of OGG/Opus that the stand-in transcribes as exactly the expected words', async () => {
    const audio = await makeSpeechAudio({ seconds: 60, dir, seed: 42 });
    expect(audio.path.endsWith('.ogg')).toBe(true);
    expect(audio.durationSeconds).toBe(60);
    expect(Math.abs(probeDuration(audio.path) - 60)).toBeLessThanOrEqual(0.1);
    expect(audio.words.length).toBeGreaterThan(60);

    const { segments } = await transcribe(audio, 'ogg');
    expect(segments.flatMap((s) => s.words.map((w) => w.word))).toEqual(audio.words);
    // a new segment after every pause longer than the stand-in's limit (the ends of sentences), and only there
    expect(segments).toHaveLength(1 + audio.silences.filter((g) => g.end - g.start > SEGMENT_PAUSE_S).length);
    expect(audio.silences).toHaveLength(audio.words.length - 1);
  });

  it('makes MP3 too', async () => {
    const audio = await makeSpeechAudio({ seconds: 60, dir, seed: 42, format: 'mp3' });
    expect(audio.path.endsWith('.mp3')).toBe(true);
    expect(Math.abs(probeDuration(audio.path) - 60)).toBeLessThanOrEqual(0.1);
    const { segments } = await transcribe(audio, 'mp3');
    expect(segments.flatMap((s) => s.words.map((w) => w.word))).toEqual(audio.words);
  });

  it('the stand-in can read an Ogg/Opus length from the container alone (its no-decoding bench mode); MP3 is not Ogg', async () => {
    const ogg = await makeSpeechAudio({ seconds: 37, dir: join(dir, 'len'), seed: 3 });
    expect(Math.abs(oggOpusSeconds(readFileSync(ogg.path))! - probeDuration(ogg.path))).toBeLessThanOrEqual(0.05);
    const mp3 = await makeSpeechAudio({ seconds: 5, dir: join(dir, 'len-mp3'), seed: 3, format: 'mp3' });
    expect(oggOpusSeconds(readFileSync(mp3.path))).toBeNull();
  });

  it('gives the same file for the same seed and other words for another', async () => {
    const a = await makeSpeechAudio({ seconds: 20, dir: join(dir, 'a'), seed: 5 });
    const b = await makeSpeechAudio({ seconds: 20, dir: join(dir, 'b'), seed: 5 });
    const c = await makeSpeechAudio({ seconds: 20, dir: join(dir, 'c'), seed: 6 });
    expect(readFileSync(a.path).equals(readFileSync(b.path))).toBe(true);
    expect(b.words).toEqual(a.words);
    expect(c.words).not.toEqual(a.words);
  });

  it('has real silences where it says, so the chunk planner cuts at the ends of sentences', async () => {
    const audio = await makeSpeechAudio({ seconds: 60, dir, seed: 42 });
    const { samples } = await transcribe(audio, 'ogg');
    const { cuts } = planChunks(loudness(samples, 0.05), audio.durationSeconds, { frameSeconds: 0.05, maxChunkSeconds: 20, searchWindowSeconds: 4, overlapSeconds: 1.5 });
    expect(cuts.length).toBeGreaterThanOrEqual(2);
    for (const cut of cuts) {
      // every 8 s window holds a whole sentence pause, which beats the 0.25 s gaps between words
      const gap = audio.silences.find((g) => g.start < cut && cut < g.end);
      expect(gap, `cut at ${cut}`).toBeDefined();
      expect(gap!.end - gap!.start).toBeGreaterThan(SEGMENT_PAUSE_S);
    }
  });
});

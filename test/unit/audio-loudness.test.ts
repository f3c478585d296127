import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_PLAN, chunkPlanForLanes, FRAME_SECONDS, measureLoudness } from '../../activities/audio';
import { planChunks } from '../../lib/audio-plan';
import { makeSpeechAudio, type SpeechAudio } from '../helpers/speech-audio';

/**
 * A long Ogg Opus recording is decoded in parts at once (activities/audio.ts):
 * the duration (what is charged) is the same to the sample as one decode, and
 * so is the plan made from the loudness.
 */
describe('activities/audio measureLoudness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisha-loudness-'));
  let audio: SpeechAudio;
  beforeAll(async () => {
    audio = await makeSpeechAudio({ seconds: 307, dir, seed: 5 });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** ffmpeg runs under an activity's cancellation signal, as in the worker. */
  const measure = (path: string, parts: number): ReturnType<typeof measureLoudness> => new MockActivityEnvironment().run(measureLoudness, path, parts);

  it('in 1, 2 and 3 parts: the same duration, frames and chunk plan', async () => {
    const whole = (await measure(audio.path, 1))!;
    expect(whole.durationSeconds).toBeCloseTo(307, 1);
    const plan = (m: { frameDb: number[]; durationSeconds: number }) => planChunks(m.frameDb, m.durationSeconds, { ...CHUNK_PLAN, maxChunkSeconds: 60, searchWindowSeconds: 15 }).chunks;
    for (const parts of [2, 3]) {
      const split = (await measure(audio.path, parts))!;
      expect(split.durationSeconds, `${parts} parts`).toBe(whole.durationSeconds);
      expect(split.frameDb.length, `${parts} parts`).toBe(whole.frameDb.length);
      const worst = Math.max(...split.frameDb.map((db, i) => Math.abs(db - whole.frameDb[i]!)));
      expect(worst, `${parts} parts: the largest difference of a frame, dB`).toBeLessThan(1);
      expect(plan(split), `${parts} parts`).toEqual(plan(whole));
    }
  }, 60_000);

  it('a container that claims three times its length: decoded whole, the duration is what it holds', async () => {
    const whole = (await measure(audio.path, 1))!;
    const liar = join(dir, 'liar.ogg');
    writeFileSync(liar, withLastGranule(readFileSync(audio.path), (granule) => granule * 3n));
    const claimed = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', liar], { encoding: 'utf8' }));
    expect(claimed).toBeGreaterThan(2.5 * whole.durationSeconds);
    const measured = (await measure(liar, 3))!;
    // Its last page is no longer trimmed to the end (the granule says where the audio ends): a few ms more than the original.
    expect(measured.durationSeconds).toBe((await measure(liar, 1))!.durationSeconds);
    expect(measured.durationSeconds).toBeCloseTo(whole.durationSeconds, 1);
  }, 60_000);

  it('timestamps that jump 50 s forward or back part way: decoded whole, the duration is what it holds', async () => {
    const whole = (await measure(audio.path, 1))!;
    for (const jump of [50, -50]) {
      const odd = join(dir, `jump${jump}.ogg`);
      writeFileSync(odd, withGranulesShifted(readFileSync(audio.path), 0.6, BigInt(jump * 48_000)));
      const measured = (await measure(odd, 4))!;
      expect(measured.durationSeconds, `${jump} s`).toBe((await measure(odd, 1))!.durationSeconds);
      expect(measured.durationSeconds, `${jump} s`).toBeCloseTo(whole.durationSeconds, 0);
    }
  }, 60_000);

  it('a WAV is measured to its length; a file that is not audio is null', async () => {
    const wav = join(dir, 'speech.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-i', audio.path, '-t', '150', '-y', wav]);
    const measured = (await measure(wav, 2))!;
    expect(measured.durationSeconds).toBeCloseTo(150, 2);
    const junk = join(dir, 'junk.ogg');
    copyFileSync(new URL(import.meta.url).pathname, junk);
    expect(await measure(junk, 2)).toBeNull();
  }, 60_000);
});

/** Ogg's page checksum: CRC-32, polynomial 0x04c11db7, not reflected, initial 0 (RFC 3533). */
function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

/** The file with the granule position of every Ogg page from `fraction` of its bytes on moved by `delta` samples (a jump in time). */
function withGranulesShifted(file: Buffer, fraction: number, delta: bigint): Buffer {
  const out = Buffer.from(file);
  for (let at = 0; at < out.length; ) {
    const segments = out[at + 26]!;
    const length = 27 + segments + [...out.subarray(at + 27, at + 27 + segments)].reduce((a, b) => a + b, 0);
    const granule = out.readBigInt64LE(at + 6);
    if (at >= out.length * fraction && granule > 0n) {
      out.writeBigInt64LE(granule + delta, at + 6);
      out.writeUInt32LE(0, at + 22);
      out.writeUInt32LE(oggCrc(out.subarray(at, at + length)), at + 22);
    }
    at += length;
  }
  return out;
}

/** The file with its last Ogg page's granule position changed (what a container's length is read from), checksum fixed. */
function withLastGranule(file: Buffer, change: (granule: bigint) => bigint): Buffer {
  const out = Buffer.from(file);
  const at = out.lastIndexOf('OggS');
  const segments = out[at + 26]!;
  const length = 27 + segments + [...out.subarray(at + 27, at + 27 + segments)].reduce((a, b) => a + b, 0);
  out.writeBigInt64LE(change(out.readBigInt64LE(at + 6)), at + 6);
  out.writeUInt32LE(0, at + 22);
  out.writeUInt32LE(oggCrc(out.subarray(at, at + length)), at + 22);
  return out;
}

describe('activities/audio chunkPlanForLanes', () => {
  /** The chunks planned for a recording that is loud throughout (every cut falls on its nominal place). */
  const planned = (seconds: number, maxChunkSeconds: number, lanes: number) => {
    const frames = new Array<number>(Math.round(seconds / FRAME_SECONDS)).fill(-20);
    return planChunks(frames, seconds, chunkPlanForLanes(seconds, maxChunkSeconds, lanes)).chunks.map((c) => c.ownEnd - c.ownStart);
  };

  it('fills whole rounds of the lanes with chunks of about equal length, never longer than the maximum', () => {
    expect(planned(3600, 600, 1)).toHaveLength(7); // one lane: the plain plan, six of 570 s and the rest
    const hour = planned(3600, 600, 4);
    expect(hour).toHaveLength(8);
    for (const length of hour) expect(length).toBeCloseTo(450, 0);
    const three = planned(3 * 3600, 600, 4);
    expect(three.length % 4).toBe(0);
    expect(Math.max(...three)).toBeLessThanOrEqual(600);
    expect(planned(600, 600, 4)).toHaveLength(4); // ten minutes: four chunks heard at once instead of one
    expect(planned(150, 600, 4)).toHaveLength(2); // not below a minute each
    expect(planned(90, 600, 4)).toHaveLength(1);
    expect(planned(3600, 60, 4).length % 4).toBe(0); // a small maximum still fills the rounds
  });

  it('speech with pauses anywhere: still whole rounds, every chunk within the maximum', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (const seconds of [3600, 2.5 * 3600, 3 * 3600, 1234]) {
      // Loud speech with a pause of 0.3–2 s every 3–15 s.
      const frames = new Array<number>(Math.round(seconds / FRAME_SECONDS)).fill(-20);
      for (let t = 3 + random() * 12; t < seconds; t += 3 + random() * 12) {
        const pause = 0.3 + random() * 1.7;
        for (let f = Math.round(t / FRAME_SECONDS); f < Math.round((t + pause) / FRAME_SECONDS) && f < frames.length; f++) frames[f] = -60;
      }
      const chunks = planChunks(frames, seconds, chunkPlanForLanes(seconds, 600, 4)).chunks.map((c) => c.ownEnd - c.ownStart);
      expect(chunks.length % 4, `${seconds} s: ${chunks.length} chunks`).toBe(0);
      expect(Math.max(...chunks), `${seconds} s`).toBeLessThanOrEqual(600);
      expect(Math.min(...chunks), `${seconds} s`).toBeGreaterThan(0.8 * (seconds / chunks.length));
    }
  });
});

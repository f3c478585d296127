import { describe, expect, it } from 'vitest';
import { planChunks, rmsToDb, type ChunkPlanOptions } from '../../lib/audio-plan';

const FRAME = 0.05;
const SPEECH_DB = -20;
const SILENT_DB = -60;

/** A loudness profile: speech everywhere except the given stretches (seconds), which are silent unless a level is given. */
function profile(seconds: number, quiet: Array<[start: number, end: number, db?: number]> = []): Float64Array {
  const frames = new Float64Array(Math.round(seconds / FRAME)).fill(SPEECH_DB);
  for (const [start, end, db = SILENT_DB] of quiet) frames.fill(db, Math.round(start / FRAME), Math.round(end / FRAME));
  return frames;
}

// nominal boundaries 50 s after each cut, searched within ±10 s: the first window is [40, 60]
const opts: ChunkPlanOptions = { frameSeconds: FRAME, maxChunkSeconds: 60, searchWindowSeconds: 10, overlapSeconds: 1.5 };

describe('lib/audio-plan planChunks', () => {
  it('cuts in the middle of the silent gaps', () => {
    const { cuts, chunks } = planChunks(profile(200, [[48, 49], [100, 100.6], [145, 146]]), 200, opts);
    expect(cuts).toHaveLength(3);
    expect(cuts[0]).toBeCloseTo(48.5, 9);
    expect(cuts[1]).toBeCloseTo(100.3, 9); // window [88.5, 108.5]
    expect(cuts[2]).toBeCloseTo(145.5, 9); // window [140.3, 160.3]; then 54.5 s are left, one last chunk
    expect(chunks.map((c) => [c.ownStart, c.ownEnd])).toEqual([
      [0, cuts[0]],
      [cuts[0], cuts[1]],
      [cuts[1], cuts[2]],
      [cuts[2], 200],
    ]);
  });

  it('prefers the longest gap in the window, then the one nearest the nominal boundary', () => {
    // a 1.5 s pause far from 50 beats a 0.5 s one on it; the 4 s pause after 60 is outside the window
    const longest = planChunks(profile(100, [[42, 43.5], [49.75, 50.25], [62, 66]]), 100, opts);
    expect(longest.cuts[0]).toBeCloseTo(42.75, 9);
    // two 1 s pauses: the one whose middle is nearer 50 wins
    const tie = planChunks(profile(100, [[44, 45], [53, 54]]), 100, opts);
    expect(tie.cuts[0]).toBeCloseTo(53.5, 9);
    // a pause running over the window's end counts only its part inside, and the cut stays inside
    const edge = planChunks(profile(100, [[58, 64], [45, 46]]), 100, opts);
    expect(edge.cuts[0]).toBeCloseTo(59, 9);
  });

  it('without silence, cuts in the middle of the quietest frame (ties: nearest the nominal boundary)', () => {
    const frames = profile(100, [[45, 48, -30], [41, 41.05, -35], [57, 57.05, -35], [61, 62, -50]]);
    expect(planChunks(frames, 100, opts).cuts[0]).toBeCloseTo(57.025, 9);
  });

  it('counts frames at the silence threshold as silent and honours a custom threshold', () => {
    const frames = profile(100, [[44, 45, -40], [52, 52.5, -39.9]]);
    expect(planChunks(frames, 100, opts).cuts[0]).toBeCloseTo(44.5, 9);
    expect(planChunks(frames, 100, { ...opts, silenceDb: -39.9 }).cuts[0]).toBeCloseTo(44.5, 9);
    // nothing is silent at -45: the quietest frames are the -40 ones, and the last of them is nearest 50
    expect(planChunks(frames, 100, { ...opts, silenceDb: -45 }).cuts[0]).toBeCloseTo(44.975, 9);
  });

  it('owned parts tile the recording exactly and none is longer than the maximum', () => {
    // three hours of "speech" with a seeded scatter of pauses of 0.1–3 s, cut for real-size chunks
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 4_294_967_296);
    const gaps: Array<[number, number]> = [];
    for (let t = 5; t < 3 * 3600; t += 2 + random() * 20) gaps.push([t, t + 0.1 + random() * 2.9]);
    const duration = 3 * 3600 + 0.37;
    const frames = profile(duration, gaps);
    const real = { frameSeconds: FRAME, maxChunkSeconds: 600, searchWindowSeconds: 30, overlapSeconds: 1.5 };
    const { cuts, chunks } = planChunks(frames, duration, real);

    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(duration / 600));
    expect(chunks[0]!.ownStart).toBe(0);
    expect(chunks.at(-1)!.ownEnd).toBe(duration);
    expect(cuts).toEqual(chunks.slice(1).map((c) => c.ownStart));
    for (const [i, c] of chunks.entries()) {
      expect(c.index).toBe(i);
      expect(c.ownEnd - c.ownStart).toBeLessThanOrEqual(600);
      if (i < chunks.length - 1) expect(c.ownEnd - c.ownStart).toBeGreaterThanOrEqual(600 - 2 * 30);
      if (i > 0) expect(c.ownStart).toBe(chunks[i - 1]!.ownEnd);
    }
    for (const cut of cuts) expect(frames[Math.floor(cut / FRAME)]).toBe(SILENT_DB);
  });

  it('widens each chunk by the overlap, clipped to the recording', () => {
    const { chunks } = planChunks(profile(150, [[48, 49], [99, 100]]), 150, opts);
    expect(chunks).toHaveLength(3);
    expect(chunks.map((c) => [c.start, c.end])).toEqual([
      [0, 48.5 + 1.5],
      [48.5 - 1.5, 99.5 + 1.5],
      [99.5 - 1.5, 150],
    ]);
    // an overlap longer than a whole chunk is clipped at both ends
    const wide = planChunks(profile(70, [[48, 49]]), 70, { ...opts, overlapSeconds: 100 }).chunks;
    expect(wide.map((c) => [c.start, c.end])).toEqual([
      [0, 70],
      [0, 70],
    ]);
  });

  it('keeps a recording no longer than the maximum in one chunk', () => {
    for (const duration of [0, 12.3, 60]) {
      expect(planChunks(profile(duration), duration, opts)).toEqual({
        cuts: [],
        chunks: [{ index: 0, ownStart: 0, ownEnd: duration, start: 0, end: duration }],
      });
    }
  });

  it('cuts on the nominal boundary where the profile has no frames', () => {
    expect(planChunks(profile(30), 130, opts).cuts).toEqual([50, 100]);
  });

  it('refuses options that could not make progress', () => {
    expect(() => planChunks([], 100, { ...opts, searchWindowSeconds: 30 })).toThrow(RangeError);
    expect(() => planChunks([], 100, { ...opts, frameSeconds: 0 })).toThrow(/frameSeconds/);
    expect(() => planChunks([], Number.NaN, opts)).toThrow(/durationSeconds/);
  });
});

describe('lib/audio-plan rmsToDb', () => {
  it('is 20·log10(rms) with a floor of -120 dBFS', () => {
    expect(rmsToDb(1)).toBe(0);
    expect(rmsToDb(0.1)).toBeCloseTo(-20, 9);
    expect(rmsToDb(0.5)).toBeCloseTo(-6.0206, 4);
    expect(rmsToDb(1e-9)).toBe(-120);
    expect(rmsToDb(0)).toBe(-120);
    expect(rmsToDb(Number.NaN)).toBe(-120);
  });
});

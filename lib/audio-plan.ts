/**
 * Where to cut a long recording into chunks for transcription. The input is a
 * loudness profile (one dBFS value per short frame); the output is a list of
 * cuts and, per chunk, the part it *owns* (consecutive chunks share a cut, so
 * the owned parts tile the recording) and the slightly wider part that is
 * actually sent, so a word cut in two at a boundary is still heard whole by
 * one of the two chunks.
 *
 * Greedy from 0: each cut is placed in a search window that ends exactly
 * `maxChunkSeconds` after the previous cut, at the middle of the longest run of
 * silent frames there (a pause between sentences rather than between words),
 * or, when nothing is silent, at the middle of the quietest frame. Pure: no I/O.
 */
export interface ChunkPlanOptions {
  /** Length of one analysis frame in seconds, e.g. 0.05. */
  frameSeconds: number;
  /** Hard maximum length of the owned part of a chunk, e.g. 600. */
  maxChunkSeconds: number;
  /** How far a cut may move from its nominal boundary, e.g. 30; less than half of `maxChunkSeconds`. */
  searchWindowSeconds: number;
  /** Audio added on both sides of each chunk's owned part, e.g. 1.5. */
  overlapSeconds: number;
  /** Frames at or below this loudness (dBFS) are silent; default {@link DEFAULT_SILENCE_DB}. */
  silenceDb?: number;
  /**
   * Aim for this many chunks of about equal length: each cut is searched
   * around an equal share of what is left, so a cut that landed early or
   * late does not add a chunk. `maxChunkSeconds` still holds (a chunk more
   * if it must). Without it, chunks are as long as the maximum allows.
   */
  chunks?: number;
}

export interface PlannedChunk {
  index: number;
  /** The part whose words belong to this chunk; `ownEnd` is the next chunk's `ownStart`. */
  ownStart: number;
  ownEnd: number;
  /** The audio actually sent: the owned part ± the overlap, clipped to [0, duration]. */
  start: number;
  end: number;
}

export interface ChunkPlan {
  /** The cut positions in seconds, ascending; one fewer than the chunks. */
  cuts: number[];
  chunks: PlannedChunk[];
}

export const DEFAULT_SILENCE_DB = -40;
/** The loudness given to digital silence (an RMS of 0), and the lowest {@link rmsToDb} returns. */
export const FLOOR_DB = -120;
/** Slack for frame-boundary arithmetic in floating point (570 / 0.05 is 11399.999…). */
const EPSILON = 1e-9;

/** Loudness in dBFS of an RMS amplitude (full scale 1): 20·log10(rms), never below {@link FLOOR_DB}. */
export function rmsToDb(rms: number): number {
  if (!(rms > 0)) return FLOOR_DB; // 0, negative and NaN
  return Math.max(FLOOR_DB, 20 * Math.log10(rms));
}

function checkOptions(durationSeconds: number, opts: ChunkPlanOptions): void {
  const positive = (name: string, value: number) => {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  };
  positive('frameSeconds', opts.frameSeconds);
  positive('maxChunkSeconds', opts.maxChunkSeconds);
  if (!(Number.isFinite(opts.searchWindowSeconds) && opts.searchWindowSeconds >= 0 && 2 * opts.searchWindowSeconds < opts.maxChunkSeconds)) {
    throw new RangeError(`searchWindowSeconds must be at least 0 and less than half of maxChunkSeconds, got ${opts.searchWindowSeconds}`);
  }
  if (!(Number.isFinite(opts.overlapSeconds) && opts.overlapSeconds >= 0)) {
    throw new RangeError(`overlapSeconds must be at least 0, got ${opts.overlapSeconds}`);
  }
  if (opts.silenceDb !== undefined && !Number.isFinite(opts.silenceDb)) throw new RangeError(`silenceDb must be a number, got ${opts.silenceDb}`);
  if (!(Number.isFinite(durationSeconds) && durationSeconds >= 0)) throw new RangeError(`durationSeconds must be at least 0, got ${durationSeconds}`);
}

/** Frames [first, last) lying entirely inside [from, to] seconds and present in the profile. */
function framesWithin(from: number, to: number, frameSeconds: number, frameCount: number): { first: number; last: number } {
  return {
    first: Math.max(0, Math.ceil(from / frameSeconds - EPSILON)),
    last: Math.min(frameCount, Math.floor(to / frameSeconds + EPSILON)),
  };
}

/**
 * The middle (seconds) of the longest run of silent frames in [first, last),
 * ties to the run whose middle is closest to `nominal` (then the earlier one);
 * undefined when no frame is silent.
 */
function longestSilenceMiddle(frameDb: ArrayLike<number>, first: number, last: number, frameSeconds: number, silenceDb: number, nominal: number): number | undefined {
  let best: { length: number; middle: number } | undefined;
  let runStart = -1;
  for (let i = first; i <= last; i++) {
    const silent = i < last && (frameDb[i] ?? Number.NaN) <= silenceDb;
    if (silent) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart < 0) continue;
    const length = i - runStart;
    const middle = ((runStart + i) * frameSeconds) / 2;
    if (!best || length > best.length || (length === best.length && Math.abs(middle - nominal) < Math.abs(best.middle - nominal))) {
      best = { length, middle };
    }
    runStart = -1;
  }
  return best?.middle;
}

/** The middle (seconds) of the quietest frame in [first, last), ties to the one closest to `nominal`; undefined when there is none. */
function quietestFrameMiddle(frameDb: ArrayLike<number>, first: number, last: number, frameSeconds: number, nominal: number): number | undefined {
  let best: { db: number; middle: number } | undefined;
  for (let i = first; i < last; i++) {
    const db = frameDb[i] ?? Number.NaN;
    if (Number.isNaN(db)) continue;
    const middle = (i + 0.5) * frameSeconds;
    if (!best || db < best.db || (db === best.db && Math.abs(middle - nominal) < Math.abs(best.middle - nominal))) best = { db, middle };
  }
  return best?.middle;
}

/**
 * Plans the chunks of a recording of `durationSeconds` whose loudness profile
 * is `frameDb` (frame i covers [i·frameSeconds, (i+1)·frameSeconds)). Every
 * owned part is at most `maxChunkSeconds` long; a recording no longer than
 * that is one chunk. Where the profile has no frames inside a search window
 * (it is shorter than the recording), the cut falls on the nominal boundary.
 */
export function planChunks(frameDb: ArrayLike<number>, durationSeconds: number, opts: ChunkPlanOptions): ChunkPlan {
  checkOptions(durationSeconds, opts);
  const { frameSeconds, maxChunkSeconds, searchWindowSeconds: window, overlapSeconds } = opts;
  const silenceDb = opts.silenceDb ?? DEFAULT_SILENCE_DB;

  const cuts: number[] = [];
  let previous = 0;
  let left = opts.chunks !== undefined && opts.chunks > 1 ? Math.floor(opts.chunks) : 0;
  while (durationSeconds - previous > maxChunkSeconds || left > 1) {
    const nominal = left > 1 ? previous + (durationSeconds - previous) / left : previous + maxChunkSeconds - window;
    // Never past the longest chunk allowed, never back within half a share of the last cut.
    const from = Math.max(nominal - window, previous + (nominal - previous) / 2);
    const to = Math.min(nominal + window, previous + maxChunkSeconds);
    const { first, last } = framesWithin(from, to, frameSeconds, frameDb.length);
    const cut =
      longestSilenceMiddle(frameDb, first, last, frameSeconds, silenceDb, nominal) ??
      quietestFrameMiddle(frameDb, first, last, frameSeconds, nominal) ??
      Math.min(nominal, to);
    cuts.push(cut);
    previous = cut;
    if (left > 1) left--;
  }

  const bounds = [0, ...cuts, durationSeconds];
  const chunks = bounds.slice(1).map((ownEnd, index): PlannedChunk => {
    const ownStart = bounds[index]!;
    return {
      index,
      ownStart,
      ownEnd,
      start: Math.max(0, ownStart - overlapSeconds),
      end: Math.min(durationSeconds, ownEnd + overlapSeconds),
    };
  });
  return { cuts, chunks };
}

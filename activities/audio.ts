import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { Api } from 'grammy';
import { planChunks, rmsToDb, type PlannedChunk } from '../lib/audio-plan';
import type { Config } from '../lib/config';
import { downloadLink, LinkRefusedError, type LinkRefusal } from '../lib/link-import';
import type { Storage } from '../lib/storage';
import { downloadTelegramFileTo, TelegramFileTooBigError, TelegramFileUnavailableError } from '../lib/telegram-files';

/**
 * The media side of transcription (DESIGN.md, process 3), on the "media" queue:
 *   analyzeAudio  Telegram (or a link) → MinIO, decoded in full (corrupt files end here,
 *                 before anything is charged), loudness per 50 ms, the chunk plan
 *   cutChunks     each planned chunk as compact mono Opus in MinIO
 * Both are idempotent: a retry reuses what a previous attempt stored.
 */

export const SAMPLE_RATE = 16_000;
export const FRAME_SECONDS = 0.05;
/**
 * Chunks: at most 10 minutes, cut at the quietest point within ±30 s of the
 * nominal boundary, with 1.5 s of overlap on each side. 24 kbit/s mono Opus
 * makes a 10-minute chunk ≈ 1.8 MB, far under Whisper's 25 MiB.
 */
export const CHUNK_PLAN = { frameSeconds: FRAME_SECONDS, maxChunkSeconds: 600, searchWindowSeconds: 30, overlapSeconds: 1.5 } as const;
/** The plan for chunks of at most `maxChunkSeconds` (TRANSCRIPTION_CHUNK_SECONDS); the search window stays under a quarter of a chunk. */
export const chunkPlan = (maxChunkSeconds: number) => ({ ...CHUNK_PLAN, maxChunkSeconds, searchWindowSeconds: Math.min(CHUNK_PLAN.searchWindowSeconds, maxChunkSeconds / 4) });
/** A recording is not cut into chunks shorter than this to fill the lanes (each chunk costs a cut and a request). */
export const MIN_LANE_CHUNK_SECONDS = 60;
/**
 * The plan for a recording heard `lanes` chunks at a time: chunks of about
 * equal length, as many as a whole number of rounds of the lanes, so no lane
 * idles while one long chunk finishes (an hour in 4 lanes: 8 chunks of
 * ~7.5 minutes, two rounds, instead of six of ~9.5 minutes and a short
 * seventh). Never longer than `maxChunkSeconds`, nor shorter than
 * MIN_LANE_CHUNK_SECONDS; one lane keeps the plain plan.
 */
export function chunkPlanForLanes(durationSeconds: number, maxChunkSeconds: number, lanes: number) {
  const plain = chunkPlan(maxChunkSeconds);
  if (lanes <= 1) return plain;
  // A greedy cut lands about one search window before the longest chunk allowed: that many chunks at least.
  const alone = Math.max(1, Math.ceil(durationSeconds / (maxChunkSeconds - plain.searchWindowSeconds)));
  let count = Math.ceil(alone / lanes) * lanes;
  // Whole rounds would be under a minute each: as many minute-long chunks as fit (but as many as the maximum needs).
  if (durationSeconds / count < MIN_LANE_CHUNK_SECONDS) count = Math.max(alone, Math.floor(durationSeconds / MIN_LANE_CHUNK_SECONDS));
  if (count <= 1) return plain;
  // The search window stays under a quarter of a share, so a cut never strays into the next one.
  return { ...plain, searchWindowSeconds: Math.min(plain.searchWindowSeconds, durationSeconds / count / 4), chunks: count };
}
const CHUNK_BITRATE = '24k';
/** Shorter than this is not speech worth a paid job. */
export const MIN_SECONDS = 0.5;
/** Telegram's cloud Bot API serves ≤ 20 MB to bots; a local Bot API server up to 2000 MB (it decides: getFile says "file is too big"). */
export const MAX_AUDIO_BYTES = 2000 * 1024 * 1024;
const BUCKET = 'audio';
/** A link's download, all of it: a slow server cannot hold a worker's slot for longer. */
const LINK_TIMEOUT_MS = 10 * 60 * 1000;

/** Why a recording is refused before any charge; a link's own refusals are `link_*`-named where a Telegram file's reason would mislead. */
export type AudioRejection = 'too_large' | 'unavailable' | 'not_audio' | 'too_short' | 'too_long' | 'link_too_large' | 'link_unavailable' | Exclude<LinkRefusal, 'too_large' | 'unavailable'>;

export interface AnalyzeAudioInput {
  userId: number;
  transcriptId: string;
  fileId: string;
  /** A link the user sent instead of a file (lib/link-import.ts): fetched from there, not from Telegram. */
  url?: string;
  /** Longer recordings are refused (configuration, default 3 h). */
  maxSeconds: number;
  /** Chunks heard at once (revision 3): the plan fills whole rounds of them (chunkPlanForLanes). */
  lanes?: number;
}
export type AnalyzedAudio =
  | { ok: true; objectKey: string; sizeBytes: number; durationSeconds: number; chunks: PlannedChunk[] }
  | { ok: false; reason: AudioRejection; durationSeconds?: number };

export interface CutChunksInput {
  userId: number;
  transcriptId: string;
  chunks: PlannedChunk[];
}

export const AudioErrors = { sourceMissing: 'AudioSourceMissing', ffmpeg: 'FfmpegFailed' } as const;

export const audioKeys = {
  prefix: (userId: number, transcriptId: string) => `${userId}/${transcriptId}/`,
  source: (userId: number, transcriptId: string) => `${userId}/${transcriptId}/source`,
  chunk: (userId: number, transcriptId: string, index: number) => `${userId}/${transcriptId}/chunks/${String(index).padStart(3, '0')}.ogg`,
  chunkResult: (userId: number, transcriptId: string, index: number) => `${userId}/${transcriptId}/chunks/${String(index).padStart(3, '0')}.json`,
};

/**
 * To 16 kHz: with libsoxr when this ffmpeg has it. Its default resampler
 * (swr) spends ~11 s of CPU taking an hour of 48 kHz Opus (Telegram's voice
 * format) to 16 kHz, three times the decoding itself; soxr takes ~1 s, at
 * higher quality (issue 18, docs/decisions.md). Debian's ffmpeg is built with it.
 */
let resampling: Promise<string[]> | undefined;
export function toSampleRate(): Promise<string[]> {
  resampling ??= new Promise((resolve) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-buildconf'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let conf = '';
    child.stdout.on('data', (d: Buffer) => (conf += d.toString('utf8')));
    child.on('error', () => resolve(['-ar', String(SAMPLE_RATE)]));
    child.on('close', () => resolve(conf.includes('--enable-libsoxr') ? ['-af', `aresample=${SAMPLE_RATE}:resampler=soxr`] : ['-ar', String(SAMPLE_RATE)]));
  });
  return resampling;
}

/** A chunk copied from an Opus source stays well under Whisper's 25 MB upload limit. */
const MAX_COPIED_CHUNK_BYTES = 20 * 1024 * 1024;

/**
 * Whether chunks can be the source's own Opus packets (Telegram's voice
 * format, WhatsApp's, most recorders'): no decode, no encode, ~0.1 s a chunk
 * instead of ~4 s for ten minutes, and no second lossy generation. Other
 * codecs, or an Opus stream whose bitrate would make the longest chunk too
 * big, are re-encoded.
 */
async function opusToCopy(path: string, longestSeconds: number): Promise<boolean> {
  const probe = await ffprobe<{ streams?: { codec_name?: string }[]; format?: { bit_rate?: string } }>(path, 'stream=codec_name:format=bit_rate');
  const bitsPerSecond = Number(probe?.format?.bit_rate);
  return probe?.streams?.[0]?.codec_name === 'opus' && Number.isFinite(bitsPerSecond) && (bitsPerSecond / 8) * longestSeconds <= MAX_COPIED_CHUNK_BYTES;
}

/** What ffprobe says (`entries` as `-show_entries`) of the file and its first audio stream; null when it cannot read it. */
async function ffprobe<T>(path: string, entries: string, signal: AbortSignal = cancellationSignal()): Promise<T | null> {
  const out: Buffer[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', entries, '-of', 'json', path], { stdio: ['ignore', 'pipe', 'ignore'], signal });
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', () => resolve(-1));
    child.on('close', (c) => resolve(c ?? -1));
  });
  if (code !== 0) return null;
  try {
    return JSON.parse(Buffer.concat(out).toString('utf8')) as T;
  } catch {
    return null;
  }
}

/** Runs ffmpeg; resolves with its exit code and the tail of stderr (for logs). Aborting kills it. */
function ffmpeg(args: string[], onStdout?: (data: Buffer) => void, signal: AbortSignal = cancellationSignal()): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', ...args], {
      stdio: ['ignore', onStdout ? 'pipe' : 'ignore', 'pipe'],
      signal,
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
    if (onStdout) child.stdout!.on('data', onStdout);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr: stderr.trim() }));
  });
}

/** The loudness of one decoded span: its whole 50 ms frames, and what is left after the last one. */
interface SpanLoudness {
  code: number;
  stderr: string;
  samples: number;
  frameDb: number[];
  tailSquares: number;
  tailSamples: number;
}

/** Decodes `seconds` of the file from `start` (both optional: the whole file) to 16 kHz mono and measures each 50 ms frame. */
async function spanLoudness(path: string, span: { start?: number; seconds?: number }, signal: AbortSignal): Promise<SpanLoudness> {
  const frameSamples = Math.round(SAMPLE_RATE * FRAME_SECONDS);
  const frameDb: number[] = [];
  let sumSquares = 0;
  let inFrame = 0;
  let samples = 0;
  let carry: Buffer | null = null;
  const seek = [...(span.start ? ['-ss', span.start.toFixed(3)] : []), ...(span.seconds !== undefined ? ['-t', span.seconds.toFixed(3)] : [])];
  const { code, stderr } = await ffmpeg([...seek, '-i', path, '-vn', '-ac', '1', ...(await toSampleRate()), '-f', 's16le', '-acodec', 'pcm_s16le', 'pipe:1'], (data) => {
    const joined = carry ? Buffer.concat([carry, data]) : data;
    const whole = joined.length - (joined.length % 2);
    carry = whole < joined.length ? Buffer.from(joined.subarray(whole)) : null;
    // An Int16Array needs an even offset: pipe chunks usually have one, else the samples are copied.
    const aligned = joined.byteOffset % 2 === 0 ? joined : Buffer.from(joined.subarray(0, whole));
    const pcm = new Int16Array(aligned.buffer, aligned.byteOffset, whole / 2);
    for (let i = 0; i < pcm.length; i++) {
      const v = pcm[i]! / 32768;
      sumSquares += v * v;
      if (++inFrame === frameSamples) {
        frameDb.push(rmsToDb(Math.sqrt(sumSquares / frameSamples)));
        sumSquares = 0;
        inFrame = 0;
      }
    }
    samples += pcm.length;
  }, signal);
  return { code, stderr, samples, frameDb, tailSquares: sumSquares, tailSamples: inFrame };
}

/** A long recording is decoded in this many parts at once: one per core, at most 4. */
const DECODE_PARTS = Math.max(1, Math.min(4, availableParallelism()));
/** Shorter recordings are decoded in one piece (a second ffmpeg costs more than it saves). */
const SPLIT_FROM_SECONDS = 120;

/**
 * Whether every packet of the first audio stream starts where the one before
 * it ended (read from the container, nothing decoded: ~0.2 s for an hour).
 * Seeking goes by these timestamps: with a jump in them, parts placed on the
 * timeline would hear some audio twice or not at all.
 */
async function timestampsRunOn(path: string, signal: AbortSignal): Promise<boolean> {
  let expected: number | null = null;
  let continuous = true;
  let rest = '';
  const check = (line: string) => {
    if (!line || line.startsWith('#')) return;
    // framecrc: stream, dts, pts, duration, size, checksum
    const [, , pts, duration] = line.split(',').map((f) => Number(f.trim()));
    if (!Number.isFinite(pts) || !Number.isFinite(duration)) return void (continuous = false);
    if (expected !== null && pts !== expected) continuous = false;
    expected = pts! + duration!;
  };
  const { code } = await ffmpeg(['-i', path, '-map', '0:a:0', '-c', 'copy', '-f', 'framecrc', 'pipe:1'], (data) => {
    const lines = (rest + data.toString('latin1')).split('\n');
    rest = lines.pop() ?? '';
    if (continuous) lines.forEach(check);
  }, signal);
  check(rest);
  return code === 0 && continuous && expected !== null;
}

/**
 * Where a recording can be decoded in parts: Ogg Opus (Telegram's voice
 * format and most recorders'), whose seeking is exact to the sample, with
 * timestamps that run on without a jump. Its container duration only places
 * the parts. The duration charged for is still the samples decoded. Other
 * formats (an MP3 without a table of contents seeks by guess) are decoded whole.
 */
async function decodeSpans(path: string, parts: number, signal: AbortSignal): Promise<{ start?: number; seconds?: number }[]> {
  if (parts < 2) return [{}];
  const probe = await ffprobe<{ streams?: { codec_name?: string }[]; format?: { format_name?: string; duration?: string } }>(path, 'stream=codec_name:format=format_name,duration', signal);
  const seconds = Number(probe?.format?.duration);
  const oggOpus = probe?.streams?.[0]?.codec_name === 'opus' && (probe.format?.format_name ?? '').split(',').includes('ogg');
  if (!oggOpus || !Number.isFinite(seconds) || seconds < SPLIT_FROM_SECONDS || !(await timestampsRunOn(path, signal))) return [{}];
  // Part boundaries on whole 50 ms frames, so the frames of all parts line up.
  const bounds = Array.from({ length: parts - 1 }, (_, i) => Math.round((seconds * (i + 1)) / parts / FRAME_SECONDS) * FRAME_SECONDS);
  return [0, ...bounds].map((start, i) => (i < bounds.length ? { start, seconds: bounds[i]! - start } : { start }));
}

/**
 * Decodes the file to 16 kHz mono and measures the loudness of every 50 ms
 * frame: a long Ogg Opus recording in parts at once (decodeSpans), anything
 * else whole. Returns null when ffmpeg cannot decode it (not audio, corrupt).
 * The caller heartbeats (analyzeAudio runs in `heartbeating`).
 */
export async function measureLoudness(path: string, partsAtOnce = DECODE_PARTS, stop?: AbortSignal): Promise<{ durationSeconds: number; frameDb: number[] } | null> {
  // Whatever ends this early (a part that fails, the caller giving up, the activity cancelled) stops every ffmpeg.
  const done = new AbortController();
  const signal = AbortSignal.any([cancellationSignal(), done.signal, ...(stop ? [stop] : [])]);
  try {
    return await measureWith(path, partsAtOnce, signal);
  } finally {
    done.abort();
  }
}

async function measureWith(path: string, partsAtOnce: number, signal: AbortSignal): Promise<{ durationSeconds: number; frameDb: number[] } | null> {
  const frameSamples = Math.round(SAMPLE_RATE * FRAME_SECONDS);
  const spans = await decodeSpans(path, partsAtOnce, signal);
  let parts = await Promise.all(spans.map((span) => spanLoudness(path, span, signal)));
  // Every part but the last must be exactly as long as asked: a container that claims more than the file
  // holds (its later parts would decode the end again) or a short read is decoded again in one piece.
  const exact = parts.every((p, i) => p.code === 0 && (i === parts.length - 1 || p.samples === Math.round(spans[i]!.seconds! * SAMPLE_RATE)));
  if (parts.length > 1 && !exact) {
    log.warn('audio parts did not line up; decoding it whole', { samples: parts.map((p) => p.samples), spans });
    parts = [await spanLoudness(path, {}, signal)];
  }
  const samples = parts.reduce((sum, p) => sum + p.samples, 0);
  if (parts.some((p) => p.code !== 0) || samples === 0) {
    log.info('audio not decodable', { code: parts.map((p) => p.code), stderr: parts.map((p) => p.stderr).join('\n') });
    return null;
  }
  const frameDb: number[] = [];
  for (const [i, p] of parts.entries()) {
    for (const db of p.frameDb) frameDb.push(db);
    // A part's last partial frame counts if it is the file's end, or (between parts) at least half a frame.
    const last = i === parts.length - 1;
    if (p.tailSamples > 0 && (last || p.tailSamples >= frameSamples / 2)) frameDb.push(rmsToDb(Math.sqrt(p.tailSquares / p.tailSamples)));
  }
  return { durationSeconds: samples / SAMPLE_RATE, frameDb };
}

/** Runs `fn` while heartbeating every 5 s (downloads, decoding and uploads of long recordings take minutes). */
export async function heartbeating<T>(fn: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => heartbeat(), 5000);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'aisha-audio-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `seconds` of `source` (any format ffmpeg reads) from `start`, as 16 kHz mono
 * WAV: a known speaker's reference clip for a diarizing model.
 */
export async function audioClip(source: Buffer, start: number, seconds: number): Promise<Buffer> {
  return withTempDir(async (dir) => {
    const input = join(dir, 'source');
    await writeFile(input, source);
    const out: Buffer[] = [];
    const { code, stderr } = await ffmpeg(['-ss', start.toFixed(3), '-t', seconds.toFixed(3), '-i', input, '-vn', '-ac', '1', ...(await toSampleRate()), '-f', 'wav', 'pipe:1'], (d) => out.push(d));
    if (code !== 0) throw ApplicationFailure.create({ message: `ffmpeg could not cut a clip: ${stderr}`, type: AudioErrors.ffmpeg });
    return Buffer.concat(out);
  });
}

export function createAudioActivities({ config, storage, telegramApi }: { config: Config; storage: Storage; telegramApi: Api }) {
  type Fetched = { sizeBytes: number } | { reason: AudioRejection };
  const fromTelegram = async (fileId: string, path: string): Promise<Fetched> => {
    try {
      const opts = { token: config.telegram.token, apiRoot: config.telegram.apiRoot, signal: cancellationSignal() };
      return await downloadTelegramFileTo(telegramApi, opts, fileId, MAX_AUDIO_BYTES, path);
    } catch (err) {
      if (err instanceof TelegramFileTooBigError) return { reason: 'too_large' };
      if (err instanceof TelegramFileUnavailableError) return { reason: 'unavailable' };
      throw err;
    }
  };
  const fromLink = async (url: string, path: string, transcriptId: string): Promise<Fetched> => {
    try {
      return await downloadLink(url, path, { maxBytes: MAX_AUDIO_BYTES, timeoutMs: LINK_TIMEOUT_MS, allowPrivate: config.transcription.linkImportAllowPrivate, signal: cancellationSignal() });
    } catch (err) {
      if (!(err instanceof LinkRefusedError)) throw err;
      log.info('link refused', { transcriptId, reason: err.reason, error: err.message });
      return { reason: err.reason === 'too_large' ? 'link_too_large' : err.reason === 'unavailable' ? 'link_unavailable' : err.reason };
    }
  };
  return {
    /** Telegram file or link → MinIO (once) → decoded in full → duration and the chunk plan. Bad input is a return value, never a charge. */
    async analyzeAudio({ userId, transcriptId, fileId, url, maxSeconds, lanes }: AnalyzeAudioInput): Promise<AnalyzedAudio> {
      return heartbeating(() => withTempDir(async (dir) => {
        const path = join(dir, 'source');
        const objectKey = audioKeys.source(userId, transcriptId);
        const began = Date.now();
        let sizeBytes: number;
        const stored = await storage.exists(BUCKET, objectKey);
        if (stored) {
          await storage.getFile(BUCKET, objectKey, path);
          sizeBytes = (await stat(path)).size;
        } else {
          const fetched = url ? await fromLink(url, path, transcriptId) : await fromTelegram(fileId, path);
          if ('reason' in fetched) return { ok: false, reason: fetched.reason };
          sizeBytes = fetched.sizeBytes;
          heartbeat();
        }
        const fetchedMs = Date.now() - began;
        // The source is stored while it is decoded (each takes seconds for an hour).
        let decodedMs = 0;
        let storedMs = 0;
        const failed = new AbortController(); // storing failed: the decoding stops too (the activity is retried)
        const [measured] = await Promise.all([
          measureLoudness(path, DECODE_PARTS, failed.signal).finally(() => (decodedMs = Date.now() - began - fetchedMs)),
          stored
            ? null
            : storage
                .putFile(BUCKET, objectKey, path, 'application/octet-stream')
                .catch((err: unknown) => {
                  failed.abort();
                  throw err;
                })
                .finally(() => (storedMs = Date.now() - began - fetchedMs)),
        ]);
        if (!measured) return { ok: false, reason: 'not_audio' };
        const { durationSeconds, frameDb } = measured;
        if (durationSeconds < MIN_SECONDS) return { ok: false, reason: 'too_short', durationSeconds };
        if (durationSeconds > maxSeconds) return { ok: false, reason: 'too_long', durationSeconds };
        const { chunks } = planChunks(frameDb, durationSeconds, chunkPlanForLanes(durationSeconds, config.transcription.chunkSeconds, lanes ?? 1));
        log.info('audio analysed', { transcriptId, sizeBytes, durationSeconds, chunks: chunks.length, fetchedMs, decodedMs, storedMs });
        return { ok: true, objectKey, sizeBytes, durationSeconds, chunks };
      }));
    },

    /**
     * Every planned chunk as Ogg Opus in MinIO: the source's own packets when
     * it is Opus (cut to the packet, 20 ms), else encoded as 16 kHz mono.
     * Chunks already stored (an earlier attempt) are kept.
     */
    async cutChunks({ userId, transcriptId, chunks }: CutChunksInput): Promise<{ objectKeys: string[] }> {
      return heartbeating(() => withTempDir(async (dir) => {
        const source = join(dir, 'source');
        const sourceKey = audioKeys.source(userId, transcriptId);
        const objectKeys = chunks.map((chunk) => audioKeys.chunk(userId, transcriptId, chunk.index));
        const missing: typeof chunks = [];
        for (const [i, chunk] of chunks.entries()) if (!(await storage.exists(BUCKET, objectKeys[i]!))) missing.push(chunk);
        if (missing.length === 0) return { objectKeys };
        try {
          await storage.getFile(BUCKET, sourceKey, source);
        } catch (err) {
          throw ApplicationFailure.create({ message: `audio source ${sourceKey} is missing`, type: AudioErrors.sourceMissing, nonRetryable: true, cause: err as Error });
        }
        const copy = await opusToCopy(source, Math.max(...missing.map((c) => c.end - c.start)));
        for (const chunk of missing) {
          const key = audioKeys.chunk(userId, transcriptId, chunk.index);
          const out = join(dir, `chunk-${chunk.index}.ogg`);
          const span = ['-ss', chunk.start.toFixed(3), '-t', (chunk.end - chunk.start).toFixed(3)];
          const { code, stderr } = await ffmpeg(
            copy
              ? // Seeking on the output side: packets before the start are read and dropped, so the chunk starts where planned (an input seek lands on an Ogg page, up to a second early).
                ['-i', source, ...span, '-vn', '-map', '0:a:0', '-c:a', 'copy', '-f', 'ogg', '-y', out]
              : [...span, '-i', source, '-vn', '-ac', '1', ...(await toSampleRate()), '-c:a', 'libopus', '-b:a', CHUNK_BITRATE, '-application', 'voip', '-f', 'ogg', '-y', out],
          );
          if (code !== 0) throw ApplicationFailure.create({ message: `ffmpeg could not cut chunk ${chunk.index}: ${stderr}`, type: AudioErrors.ffmpeg });
          await storage.putFile(BUCKET, key, out, 'audio/ogg');
        }
        return { objectKeys };
      }));
    },
  };
}

export type AudioActivities = ReturnType<typeof createAudioActivities>;

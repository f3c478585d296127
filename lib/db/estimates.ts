import type { PrismaClient } from '../prisma';

/**
 * How long jobs take, as observed: the median of the last 50 finished jobs of
 * a kind (all users), so an estimate follows the real upstream, not a guess.
 * Until there are 5 observations, the defaults below (what the upstreams
 * usually take) are used. Read by the bot when it starts a job; the workflow
 * refines it as the job runs (training steps, chunks done).
 */
const SAMPLE = 50;
const MIN_OBSERVATIONS = 5;
export const DEFAULT_SECONDS = { generation: 30, avatarTraining: 15 * 60 } as const;
/** Transcription: seconds of work per second of audio, before anything is observed. */
export const DEFAULT_TRANSCRIPTION_RATIO = 0.1;

/** Each bot asks at most once a minute per kind: a job start does not pay for the query. */
const FRESH_MS = 60_000;
const cache = new Map<string, { at: number; value: Promise<number | null> }>();
function median(kind: string, rows: () => Promise<{ v: number | null }[]>): Promise<number | null> {
  const hit = cache.get(kind);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.value;
  const value = medianOf(rows());
  cache.set(kind, { at: Date.now(), value });
  value.catch(() => cache.delete(kind));
  return value;
}

async function medianOf(rows: Promise<{ v: number | null }[]>): Promise<number | null> {
  const values = (await rows).map((r) => Number(r.v)).filter((v) => Number.isFinite(v) && v > 0);
  if (values.length < MIN_OBSERVATIONS) return null;
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}

/** Seconds from start to delivery of a generation. */
export async function expectedGenerationSeconds(prisma: PrismaClient): Promise<number> {
  const observed = await median('generation', () => prisma.$queryRaw`
    SELECT EXTRACT(EPOCH FROM completed_at - created_at)::float8 AS v FROM generations
    WHERE status = 'COMPLETED' AND completed_at IS NOT NULL ORDER BY created_at DESC LIMIT ${SAMPLE}`);
  return Math.round(observed ?? DEFAULT_SECONDS.generation);
}

/** Seconds from the FAL submit to a trained avatar. */
export async function expectedTrainingSeconds(prisma: PrismaClient): Promise<number> {
  const observed = await median('training', () => prisma.$queryRaw`
    SELECT EXTRACT(EPOCH FROM a.trained_at - f.created_at)::float8 AS v FROM avatars a JOIN fal_requests f ON f.request_id = a.fal_request_id
    WHERE a.status = 'COMPLETED' AND a.trained_at IS NOT NULL ORDER BY a.trained_at DESC LIMIT ${SAMPLE}`);
  return Math.round(observed ?? DEFAULT_SECONDS.avatarTraining);
}

/** Seconds of work per second of audio (download, cutting, Whisper, delivery). */
export async function observedTranscriptionRatio(prisma: PrismaClient): Promise<number> {
  const observed = await median('transcription', () => prisma.$queryRaw`
    SELECT (EXTRACT(EPOCH FROM completed_at - created_at) / duration_sec)::float8 AS v FROM transcripts
    WHERE status = 'COMPLETED' AND completed_at IS NOT NULL AND duration_sec > 0 ORDER BY created_at DESC LIMIT ${SAMPLE}`);
  return observed ?? DEFAULT_TRANSCRIPTION_RATIO;
}

/**
 * The FAL sandbox's behaviour switches (see server.ts for what each one does)
 * and its deterministic randomness.
 */
export interface FalKnobs {
  /** Time a request waits IN_QUEUE before a "runner" picks it up. */
  queueMs: number;
  /** Time an image request (flux-lora, imagen4) spends IN_PROGRESS. */
  imageJobMs: number;
  /** Time a LoRA training spends IN_PROGRESS. */
  trainingJobMs: number;
  /** Probability (0..1) that a finished request's webhook is never sent. */
  webhookLossRate: number;
  /** Extra copies of every webhook delivery (FAL delivers at least once). */
  webhookDuplicates: number;
  /** Probability (0..1) that a finished request's webhook is delivered one extra time (on top of `webhookDuplicates`). */
  webhookDuplicateRate: number;
  /** Wait before the first delivery attempt. */
  webhookDelayMs: number;
  /** Retries after a failed delivery (non-2xx or network error), with doubling backoff. */
  webhookRetries: number;
  /** First retry backoff; doubles on each retry. */
  webhookRetryBaseMs: number;
  /** Shifts the signed timestamp (seconds; e.g. -600 sends stale webhooks). */
  webhookClockSkewSeconds: number;
  /** Probability (0..1) that a queue API call (submit/status/result/cancel) answers 5xx. */
  http5xxRate: number;
  /** The next N queue API calls answer 5xx. Counts down. */
  fail5xxNext: number;
  /** Status code used for injected 5xx answers (503 is one the client retries). */
  http5xxStatus: number;
  /** Probability (0..1) that a request fails with a runner error. */
  jobFailureRate: number;
  /** Probability (0..1) that each generated image is flagged in has_nsfw_concepts. */
  nsfwRate: number;
  /** The next N generated images carry a yellow 64×64 top-left block: the OpenAI stand-in then judges them defective (low quality score). Counts down. */
  defectNext: number;
  /** Generated and uploaded files answer 404 this long after creation (0 = kept forever), like FAL's CDN expiry. */
  fileTtlMs: number;
}

export const DEFAULT_KNOBS: Readonly<FalKnobs> = {
  queueMs: 100,
  imageJobMs: 800,
  trainingJobMs: 2000,
  webhookLossRate: 0,
  webhookDuplicates: 0,
  webhookDuplicateRate: 0,
  webhookDelayMs: 0,
  webhookRetries: 4,
  webhookRetryBaseMs: 250,
  webhookClockSkewSeconds: 0,
  http5xxRate: 0,
  fail5xxNext: 0,
  http5xxStatus: 503,
  jobFailureRate: 0,
  nsfwRate: 0,
  defectNext: 0,
  fileTtlMs: 0,
};

/** Applies a JSON patch of knobs: unknown names and non-finite numbers are refused, rates are clamped to 0..1. */
export function mergeKnobs(knobs: FalKnobs, patch: unknown): string[] {
  const problems: string[] = [];
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return ['expected a JSON object of knobs'];
  for (const [name, value] of Object.entries(patch as Record<string, unknown>)) {
    if (!(name in DEFAULT_KNOBS)) {
      problems.push(`unknown knob ${name}`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${name}: expected a number`);
      continue;
    }
    const key = name as keyof FalKnobs;
    knobs[key] = key.endsWith('Rate') ? Math.min(1, Math.max(0, value)) : key === 'webhookClockSkewSeconds' ? value : Math.max(0, value);
  }
  return problems;
}

/** mulberry32: a small seeded PRNG, so every "random" decision repeats for the same seed and call order. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
}

/** Per-request test controls written into the prompt: `[nsfw:1,3]`, `[fail]`, `[slow]`. */
export interface PromptMarkers {
  nsfw: number[];
  fail: boolean;
  slow: boolean;
}

export function parseMarkers(prompt: unknown): PromptMarkers {
  const text = typeof prompt === 'string' ? prompt : '';
  const nsfw = [...text.matchAll(/\[nsfw:([\d,\s]+)\]/gi)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n >= 0),
  );
  return { nsfw, fail: /\[fail\]/i.test(text), slow: /\[slow\]/i.test(text) };
}

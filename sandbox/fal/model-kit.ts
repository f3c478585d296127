import type { FileStore } from './files';
import type { Job, JobOutcome } from './jobs';
import type { FalKnobs, PromptMarkers } from './knobs';

/** What every sandbox model gets to do its work. */
export interface RunContext {
  job: Job;
  signal: AbortSignal;
  files: FileStore;
  knobs: FalKnobs;
  markers: PromptMarkers;
}

export interface ModelSpec {
  id: string;
  kind: 'image' | 'training';
  /** The progress log line for a fraction of the work, e.g. "step 500/2500". */
  progress(input: Record<string, unknown>): (fraction: number) => string;
  run(ctx: RunContext): Promise<JobOutcome>;
}

/** One entry of FAL's model-error `detail` array (https://docs.fal.ai/errors). */
export interface ErrorDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
  url: string;
  ctx?: Record<string, unknown>;
  input?: unknown;
}

export function detail(loc: (string | number)[], msg: string, type: string, extra: { ctx?: Record<string, unknown>; input?: unknown } = {}): ErrorDetail {
  return { loc: ['body', ...loc], msg, type, url: `https://docs.fal.ai/errors#${type}`, ...extra };
}

/** A 422 as FAL's models answer invalid input: `{detail: [{loc, msg, type, url, ctx?, input?}]}`. */
export function validationError(...details: ErrorDetail[]): JobOutcome {
  return { ok: false, httpStatus: 422, body: { detail: details } };
}

/** Reads model input fields with Pydantic-like checks, collecting every problem. */
export class InputReader {
  readonly issues: ErrorDetail[] = [];
  constructor(readonly input: Record<string, unknown>) {}

  string(name: string, opts: { required: true }): string;
  string(name: string, opts?: { required?: false; default?: string }): string | undefined;
  string(name: string, opts: { required?: boolean; default?: string } = {}): string | undefined {
    const v = this.input[name];
    if (v === undefined || v === null) {
      if (opts.required) this.issues.push(detail([name], 'Field required', 'missing'));
      return opts.default ?? '';
    }
    if (typeof v !== 'string') {
      this.issues.push(detail([name], 'Input should be a valid string', 'string_type', { input: v }));
      return '';
    }
    if (opts.required && !v.trim()) this.issues.push(detail([name], 'String should have at least 1 character', 'string_too_short', { input: v }));
    return v;
  }

  int(name: string, opts: { min: number; max: number; default: number }): number {
    const v = this.input[name];
    if (v === undefined || v === null) return opts.default;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.issues.push(detail([name], 'Input should be a valid integer', 'int_type', { input: v }));
      return opts.default;
    }
    if (v < opts.min) this.issues.push(detail([name], `Input should be greater than or equal to ${opts.min}`, 'greater_than_equal', { input: v, ctx: { ge: opts.min } }));
    if (v > opts.max) this.issues.push(detail([name], `Input should be less than or equal to ${opts.max}`, 'less_than_equal', { input: v, ctx: { le: opts.max } }));
    return v;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.input[name];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') {
      this.issues.push(detail([name], 'Input should be a valid boolean', 'bool_type', { input: v }));
      return def;
    }
    return v;
  }

  oneOf<T extends string>(name: string, values: readonly T[], def: T): T {
    const v = this.input[name];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'string' || !values.includes(v as T)) {
      const expected = values.map((x) => `'${x}'`).join(', ');
      this.issues.push(detail([name], `Input should be ${expected}`, 'literal_error', { input: v, ctx: { expected } }));
      return def;
    }
    return v as T;
  }

  failure(): JobOutcome | undefined {
    return this.issues.length ? validationError(...this.issues) : undefined;
  }
}

/** Fetches a URL the way a runner downloads its inputs (http, https or data:), bounded in time. */
export async function download(url: string, signal: AbortSignal): Promise<{ ok: true; data: Buffer } | { ok: false; reason: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  if (!['http:', 'https:', 'data:'].includes(parsed.protocol)) return { ok: false, reason: `unsupported URL scheme ${parsed.protocol}` };
  try {
    const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]) });
    if (!res.ok) return { ok: false, reason: `HTTP ${res.status}` };
    return { ok: true, data: Buffer.from(await res.arrayBuffer()) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

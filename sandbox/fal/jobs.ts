import { randomUUID } from 'node:crypto';

/**
 * Queue state of the FAL sandbox: every request goes IN_QUEUE → IN_PROGRESS →
 * COMPLETED on timers (knobs `queueMs` and the per-model run time), while the
 * model's work (rendering, fetching a zip) runs alongside; a request completes
 * when both the time is up and the work is done. Progress logs are derived
 * from elapsed time, so every status call sees the lines "printed" so far.
 */
export type JobOutcome = { ok: true; payload: Record<string, unknown> } | { ok: false; httpStatus: number; body: Record<string, unknown> };

export type JobState = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

/** Random draws made at submit time (in submit order, so a seed replays the same story). */
export interface JobRolls {
  fail: number;
  lost: number;
  duplicated: number;
  nsfw: number[];
  seed: number;
}

export interface RequestLog {
  message: string;
  level: 'INFO' | 'ERROR';
  source: 'USER';
  timestamp: string;
}

export interface Job {
  readonly requestId: string;
  readonly endpointId: string;
  /** owner/alias: where status, result and cancel live (`fal-ai/imagen4` for `fal-ai/imagen4/preview`). */
  readonly appRoot: string;
  readonly input: Record<string, unknown>;
  readonly webhookUrl?: string;
  readonly rolls: JobRolls;
  readonly submittedAt: number;
  readonly queueMs: number;
  readonly runMs: number;
  /** The progress line printed when `fraction` (0..1] of the work is done. */
  readonly progress: (fraction: number) => string;
  state: JobState;
  startedAt?: number;
  completedAt?: number;
  outcome?: JobOutcome;
  cancelled: boolean;
  /** Status API calls answered for this request (tests count a workflow's checks). */
  statusChecks?: number;
  readonly done: Promise<void>;
}

export interface JobHooks {
  run(job: Job, signal: AbortSignal): Promise<JobOutcome>;
  completed(job: Job): void;
}

export type NewJob = Pick<Job, 'endpointId' | 'appRoot' | 'input' | 'webhookUrl' | 'rolls' | 'queueMs' | 'runMs' | 'progress'>;

const PROGRESS_LINES = 10;

/** FAL's request-error shape (flat `detail` string + `error_type`). */
export function requestError(httpStatus: number, detail: string, errorType: string): JobOutcome {
  return { ok: false, httpStatus, body: { detail, error_type: errorType } };
}

export class JobBoard {
  private readonly jobs = new Map<string, Job>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Map<string, AbortController>();
  private readonly resolvers = new Map<string, () => void>();
  private stopped = false;

  constructor(private readonly hooks: JobHooks) {}

  submit(spec: NewJob): Job {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const job: Job = { ...spec, requestId: randomUUID(), submittedAt: Date.now(), state: 'IN_QUEUE', cancelled: false, done };
    this.jobs.set(job.requestId, job);
    this.resolvers.set(job.requestId, resolve);
    this.later(job.queueMs, () => this.start(job));
    return job;
  }

  get(requestId: string): Job | undefined {
    return this.jobs.get(requestId);
  }

  all(): Job[] {
    return [...this.jobs.values()];
  }

  /** Requests ahead of this one in the queue. */
  queuePosition(job: Job): number {
    let ahead = 0;
    for (const other of this.jobs.values()) if (other.state === 'IN_QUEUE' && other.submittedAt < job.submittedAt) ahead++;
    return ahead;
  }

  /** FAL's answers: a queued request is dropped, a running one is stopped; a finished one cannot be. */
  cancel(job: Job): 'CANCELLATION_REQUESTED' | 'ALREADY_COMPLETED' {
    if (job.state === 'COMPLETED') return 'ALREADY_COMPLETED';
    job.cancelled = true;
    this.running.get(job.requestId)?.abort();
    this.finish(job, requestError(499, 'Request was cancelled by the client', 'client_cancelled'));
    return 'CANCELLATION_REQUESTED';
  }

  logs(job: Job, now = Date.now()): RequestLog[] {
    const at = (t: number) => new Date(t).toISOString();
    const out: RequestLog[] = [];
    const start = job.startedAt;
    if (start !== undefined) {
      out.push({ message: `Runner picked up request ${job.requestId} (${job.endpointId})`, level: 'INFO', source: 'USER', timestamp: at(start) });
      const end = job.completedAt ?? now;
      const fraction = job.outcome?.ok ? 1 : Math.min(1, (end - start) / Math.max(1, job.runMs));
      const lines = Math.floor(fraction * PROGRESS_LINES + 1e-9);
      for (let i = 1; i <= lines; i++) {
        out.push({ message: job.progress(i / PROGRESS_LINES), level: 'INFO', source: 'USER', timestamp: at(start + (job.runMs * i) / PROGRESS_LINES) });
      }
    }
    if (job.outcome && job.completedAt !== undefined) {
      const message = job.outcome.ok ? `Completed in ${((job.completedAt - (start ?? job.completedAt)) / 1000).toFixed(2)} s` : `Request failed: ${describeFailure(job.outcome)}`;
      out.push({ message, level: job.outcome.ok ? 'INFO' : 'ERROR', source: 'USER', timestamp: at(job.completedAt) });
    }
    return out;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const abort of this.running.values()) abort.abort();
    for (const resolve of this.resolvers.values()) resolve();
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  private start(job: Job): void {
    if (job.state !== 'IN_QUEUE') return;
    job.state = 'IN_PROGRESS';
    job.startedAt = Date.now();
    const abort = new AbortController();
    this.running.set(job.requestId, abort);

    let outcome: JobOutcome | undefined;
    let timeUp = false;
    const settle = () => {
      if (outcome && timeUp) this.finish(job, outcome);
    };
    this.hooks.run(job, abort.signal).then(
      (o) => {
        outcome = o;
        settle();
      },
      (err: unknown) => {
        outcome = requestError(500, `Runner error: ${(err as Error).message}`, 'runner_server_error');
        settle();
      },
    );
    this.later(job.runMs, () => {
      timeUp = true;
      settle();
    });
  }

  private finish(job: Job, outcome: JobOutcome): void {
    if (job.state === 'COMPLETED') return;
    job.state = 'COMPLETED';
    job.completedAt = Date.now();
    job.outcome = outcome;
    this.running.delete(job.requestId);
    this.resolvers.get(job.requestId)?.();
    this.resolvers.delete(job.requestId);
    if (!this.stopped) this.hooks.completed(job);
  }
}

export function describeFailure(outcome: Extract<JobOutcome, { ok: false }>): string {
  const detail = outcome.body.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((d: { msg?: string }) => d?.msg ?? 'invalid input').join('; ');
  return `HTTP ${outcome.httpStatus}`;
}

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type InjectedSinks,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createWorkerMetrics, type WorkerMetrics } from '../lib/worker-metrics';
import type { JobMetricsSinks } from '../workflows/job-metrics';
import { allTaskQueues, type QueueKind } from '../workflows/task-queues';
import type { Activities } from '../activities';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Workflow interceptors bundled with every workflow set: job start/end counts for /metrics. */
const workflowInterceptorModules = [fileURLToPath(new URL('../workflows/job-metrics.ts', import.meta.url))];

/** Bundles the workflow code once (Temporal's webpack, not Vite); pass the result to every worker. */
export function bundleWorkflows(path = workflowsPath): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: path,
    workflowInterceptorModules,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
}

/**
 * The same bundle, made by a short-lived child process (workers/bundle-child.ts):
 * webpack and swc leave ~115 MB in the process that runs them (heap and malloc
 * arenas that are never given back), which a long-running worker should not
 * carry. Costs ~1 s of start-up.
 */
export async function bundleWorkflowsApart(): Promise<WorkflowBundleWithSourceMap> {
  const dir = await mkdtemp(join(os.tmpdir(), 'aisha-workflows-'));
  const out = join(dir, 'bundle.json');
  try {
    await new Promise<void>((resolve, reject) => {
      // process.execArgv carries the TypeScript loader (tsx) the worker itself runs with; not a debugger's port.
      const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect'));
      const child = spawn(process.execPath, [...execArgv, fileURLToPath(new URL('./bundle-child.ts', import.meta.url)), out], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', reject);
      child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`bundling the workflows failed (exit ${signal ?? code})`))));
    });
    return JSON.parse(await readFile(out, 'utf8')) as WorkflowBundleWithSourceMap;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The worker side of workflows/job-metrics.ts (sinks are not called during replay). */
function jobMetricsSinks(metrics: WorkerMetrics): InjectedSinks<JobMetricsSinks> {
  return {
    jobMetrics: {
      started: { fn: (_info, kind) => metrics.jobStarted(kind) },
      ended: { fn: (_info, kind, status, failed) => metrics.jobEnded(kind, status, failed) },
    },
  };
}

/**
 * Limits live where the upstream is: OpenAI gets a server-side rate limit per
 * task queue (its limits are requests per minute), Telegram ≈ 25 sends/s
 * overall, media work (ffmpeg, sharp) one task per core. FAL limits how many
 * requests run at once, not how many are sent (excess ones wait in its queue,
 * never refused), so its queue has only a bound on calls in flight per worker;
 * a rate limit of 10/s there capped generations at ~3/s (submit, result and
 * the copy of each image are all FAL-queue activities; docs/decisions.md).
 */
const QUEUE_OPTIONS: Record<QueueKind, Partial<WorkerOptions>> = {
  main: { maxConcurrentActivityTaskExecutions: 50, maxConcurrentWorkflowTaskExecutions: 40 },
  fal: { maxConcurrentActivityTaskExecutions: 40 },
  openai: { maxTaskQueueActivitiesPerSecond: 20, maxConcurrentActivityTaskExecutions: 20 },
  telegram: { maxTaskQueueActivitiesPerSecond: 25, maxConcurrentActivityTaskExecutions: 25 },
  media: { maxConcurrentActivityTaskExecutions: Math.max(1, os.cpus().length) },
};

export interface CreateWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  /** The main queue; the others derive from it (see workflows/task-queues.ts). */
  taskQueue: string;
  activities: Activities;
  workflowBundle: WorkflowBundleWithSourceMap;
  /** Where job starts and ends are counted (the worker's /metrics); a private set when omitted. */
  metrics?: WorkerMetrics;
  /** The main queue's sticky cache (TEMPORAL_MAX_CACHED_WORKFLOWS); the SDK's default when absent (tests). */
  maxCachedWorkflows?: number;
  /** Tests shut down fast. */
  shutdownGraceTime?: string;
}

/**
 * One Worker per task queue: workflows and DB/storage work on the main queue,
 * each upstream on its own. A queue with nothing registered yet gets no Worker
 * (Temporal's core refuses a worker without work).
 */
export async function createWorkers(opts: CreateWorkersOptions): Promise<Map<QueueKind, Worker>> {
  const queues = allTaskQueues(opts.taskQueue);
  const workers = new Map<QueueKind, Worker>();
  const sinks = jobMetricsSinks(opts.metrics ?? createWorkerMetrics({ processMetrics: false }));
  for (const kind of Object.keys(queues) as QueueKind[]) {
    const isMain = kind === 'main';
    if (!isMain && Object.keys(opts.activities[kind]).length === 0) continue;
    workers.set(
      kind,
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue: queues[kind],
        activities: opts.activities[kind],
        ...(isMain ? { workflowBundle: opts.workflowBundle, sinks, ...(opts.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: opts.maxCachedWorkflows }) } : {}),
        shutdownGraceTime: opts.shutdownGraceTime ?? '30 seconds',
        ...QUEUE_OPTIONS[kind],
      }),
    );
  }
  return workers;
}

/** Runs all workers until `signal` aborts (or one fails), then shuts every one down gracefully. */
export async function runWorkers(workers: Map<QueueKind, Worker>): Promise<void> {
  const all = [...workers.values()];
  const runs = all.map((w) => w.run());
  try {
    await Promise.all(runs);
  } finally {
    for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(runs);
  }
}

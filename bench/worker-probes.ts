// What the P5 bench (bench/waiting.ts) reads about the worker process from
// outside: resident memory and CPU from /proc, the worker's own memory series
// from its /metrics, the fal task queue from the Temporal server, and the
// sticky cache size the SDK defaults to.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { taskQueueName } from '../workflows/task-queues';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Resident memory now and at its peak (VmHWM), in MB. */
export async function memoryMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** The worker's own account of its memory (prom-client's series on its /metrics: the main thread's isolate only; workflows run in a worker thread), beside the RSS. */
export async function memoryBreakdown(metricsPort: number, rssMb: number): Promise<string> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
    const [heap, used, external] = [value('nodejs_heap_size_total_bytes'), value('nodejs_heap_size_used_bytes'), value('nodejs_external_memory_bytes')];
    return `V8 heap ${heap.toFixed(0)} MB (${used.toFixed(0)} used), external ${external.toFixed(0)} MB, the rest ${(rssMb - heap - external).toFixed(0)} MB (the workflow thread's V8 heap, Temporal core, code, libvips, malloc)`;
  } catch (err) {
    return `no breakdown (${(err as Error).message})`;
  }
}

/** The fal queue as the server sees it: status polls, submits and the generations' FAL calls share its rate limit. */
export async function falQueue(client: Client, taskQueue: string): Promise<string> {
  const { enums } = proto.temporal.api;
  const { stats } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueueName(taskQueue, 'fal'), kind: enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    reportStats: true,
  });
  const age = Number(stats?.approximateBacklogAge?.seconds ?? 0);
  return `fal queue: ${Number(stats?.approximateBacklogCount ?? 0)} waiting (oldest ${age} s), ${(stats?.tasksDispatchRate ?? 0).toFixed(1)}/s dispatched`;
}

/** CPU time (user + system) a process has used so far, in ms. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU of a process and its children that are running now (PostgreSQL's backends are the postmaster's children), in ms. */
export async function treeCpuMs(pid: number): Promise<number> {
  const children = await Promise.all(
    (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(async (d) => {
      const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === pid ? cpuMs(Number(d)).catch(() => 0) : 0;
    }),
  );
  return (await cpuMs(pid)) + children.reduce((a, b) => a + b, 0);
}

/** The pid of a service `scripts/services.sh` started (its pid file under AISHA_DATA_DIR, .data by default); null when it did not. */
export async function servicePid(name: 'temporal' | 'postgres'): Promise<number | null> {
  const dataDir = process.env.AISHA_DATA_DIR ?? fileURLToPath(new URL('../.data', import.meta.url));
  try {
    const pid = Number((await readFile(`${dataDir}/run/${name}.pid`, 'utf8')).trim());
    await readFile(`/proc/${pid}/stat`, 'utf8');
    return pid;
  } catch {
    return null;
  }
}

/** The sticky cache size the SDK picks when the worker sets none (worker-options.js, reuseV8Context): from the V8 heap limit. */
export function defaultStickyCache(env: Record<string, string>): { heapLimitMb: number; maxCachedWorkflows: number } {
  const limit = Number(execFileSync(process.execPath, ['-p', 'require("v8").getHeapStatistics().heap_size_limit'], { env, encoding: 'utf8' }).trim());
  const heapLimitMb = limit / 2 ** 20;
  return { heapLimitMb, maxCachedWorkflows: Math.max(Math.floor((Math.max(heapLimitMb - 200, 0) * 600) / 1024), 10) };
}

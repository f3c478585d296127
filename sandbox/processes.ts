// The app's own processes (bots, workers) as children of a harness: the
// failover test and the chaos drill spawn them, wait for their "ready" log
// line, kill -9 them and start them again with the same environment, and find
// which worker runs an activity (a worker's Temporal identity is pid@host).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What every app process runs with, here as in the Dockerfile: glibc's malloc
 * keeps up to 8 arenas per core for the many threads of a worker (Temporal's
 * core, libuv, libvips) and hardly ever returns them; two cut the worker's
 * resident memory by 12–16 % at no measured CPU cost (docs/decisions.md).
 */
export const APP_PROCESS_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/** The log line each entry point writes once it serves (bot in webhook mode, workers). */
export const READY_LINE = { bot: 'webhook set', worker: 'workers running' } as const;

export interface AppProcess {
  name: string;
  script: string;
  env: Record<string, string>;
  ready: string;
  child: ChildProcess;
  /** Every line the process wrote (stdout and stderr), across restarts. */
  output: string[];
  /** Starts of this process (1 = never restarted). */
  starts: number;
}

export interface ProcessGroupOptions {
  /** The environment every process gets (services, stand-ins, shared settings). */
  env: Record<string, string>;
  /** Give up waiting for a ready line after this long (bundling workflows takes a while on two cores). */
  readyTimeoutMs?: number;
  /** Also append each process's lines to <logDir>/<name>.log (kept after the run). */
  logDir?: string;
}

export class ProcessGroup {
  readonly procs: AppProcess[] = [];
  constructor(private readonly opts: ProcessGroupOptions) {
    if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
  }

  get(name: string): AppProcess {
    const p = this.procs.find((x) => x.name === name);
    if (!p) throw new Error(`no process ${name}`);
    return p;
  }

  /** Spawns `node --import tsx <script>` and resolves once it logged `"msg":"<ready>"`. */
  async start(name: string, script: string, extra: Record<string, string>, ready: string): Promise<AppProcess> {
    const proc: AppProcess = { name, script, env: extra, ready, child: undefined as unknown as ChildProcess, output: [], starts: 0 };
    this.procs.push(proc);
    await this.launch(proc);
    return proc;
  }

  /** kill -9, as a crash or an OOM kill would: in-flight work is abandoned. */
  kill9(name: string): Promise<void> {
    const p = this.get(name);
    if (!alive(p)) return Promise.resolve();
    const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
    p.child.kill('SIGKILL');
    return exited;
  }

  /** Starts a dead process again with the environment it had. */
  restart(name: string): Promise<void> {
    const p = this.get(name);
    if (alive(p)) throw new Error(`${name} is still running`);
    return this.launch(p);
  }

  async stopAll(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await Promise.all(
      this.procs.filter(alive).map((p) => {
        const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
        p.child.kill(signal);
        return exited;
      }),
    );
  }

  /** The live process whose pid is the worker identity (`pid@host`) of one of these pending activities. */
  byWorkerIdentity(identities: readonly string[]): AppProcess | undefined {
    const pids = identities.map((i) => Number(i.split('@')[0]));
    return this.procs.find((p) => alive(p) && pids.includes(p.child.pid!));
  }

  private async launch(proc: AppProcess): Promise<void> {
    const from = proc.output.length;
    const child = spawn(process.execPath, ['--import', 'tsx', proc.script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...APP_PROCESS_ENV, ...this.opts.env, ...proc.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logFile = this.opts.logDir ? join(this.opts.logDir, `${proc.name}.log`) : undefined;
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (d: Buffer) => {
        proc.output.push(...d.toString('utf8').split('\n').filter(Boolean));
        if (logFile) appendFileSync(logFile, d);
      });
    }
    proc.child = child;
    proc.starts += 1;
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 120_000);
    while (!proc.output.slice(from).some((l) => l.includes(`"msg":"${proc.ready}"`))) {
      if (!alive(proc) || Date.now() > deadline) {
        throw new Error(`${proc.name}: ${alive(proc) ? 'not ready in time' : `exited (${child.signalCode ?? child.exitCode})`}\n${proc.output.slice(-20).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export function alive(p: AppProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** Worker identities (pid@host) of a workflow's pending activities, optionally of one activity type. */
export async function pendingActivityWorkers(temporal: Client, workflowId: string, activityType?: string): Promise<string[]> {
  const { raw } = await temporal.workflow.getHandle(workflowId).describe();
  return (raw.pendingActivities ?? [])
    .filter((a) => (!activityType || a.activityType?.name === activityType) && a.lastWorkerIdentity)
    .map((a) => a.lastWorkerIdentity!);
}

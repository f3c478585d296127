// The chaos drill (README, "The chaos drill"): the production shape (nginx,
// two bots in webhook mode, two workers) on the running services with the
// stand-ins; seeded users doing seeded jobs and a bad-input corpus while
// seeded faults hit; then an independent audit (audit.ts).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../lib/config';
import { createMinio, ensureBuckets } from '../../lib/minio';
import { createPrisma } from '../../lib/prisma';
import { photo } from '../../test/helpers/images';
import { makeSpeechAudio } from '../../test/helpers/speech-audio';
import { freeLoopbackPort } from '../../workers/metrics-server';
import { Prng } from '../fal/knobs';
import { startSandboxes } from '../index';
import { startNginx } from '../nginx';
import { ProcessGroup, READY_LINE } from '../processes';
import { audit, type AuditResult } from './audit';
import { BAD_INPUTS, runBadInput } from './bad-inputs';
import { AMBIENT_NAMES, applyAmbient, applyFault, scheduleFaults, type FaultKind } from './faults';
import { JOB_KINDS, onboard, planJob, runJob, type JobKind, type JobPlan, type UserContext } from './users';

export interface DrillOptions {
  jobs: number;
  users: number;
  seed: number;
  minutes: number;
  /** Scheduled faults (the ambient FAL rates come on top). */
  faults: number;
  /** Bad-input cases to run (the corpus cycles). */
  badInputs: number;
  /** Share of users who block the bot during their last job. */
  blockRate: number;
  /** Restart Temporal, PostgreSQL, MinIO and Redis among the faults (through scripts/services.sh); off when other tests share the services. */
  serviceFaults: boolean;
  /** The services' environment (DATABASE_URL, REDIS_URL, MINIO_*, TEMPORAL_ADDRESS…). */
  env: Record<string, string>;
  /** Folder for nginx's config and logs, media, process logs. */
  workDir: string;
  log: (line: string) => void;
}

export interface AppliedFault {
  kind: FaultKind | string;
  detail: string;
  atS: number;
  inFlight: number;
}

export interface DrillResult extends AuditResult {
  faults: AppliedFault[];
  badInputs: number;
  durationS: number;
  /** Jobs users could not finish driving (a step of theirs timed out), with why. */
  driverErrors: string[];
  table: string;
  summary: string;
}

const SECRET = 'drill-webhook-secret_0123456789abcdef';

export async function runDrill(opts: DrillOptions): Promise<DrillResult> {
  const started = Date.now();
  const rng = new Prng(opts.seed);
  mkdirSync(opts.workDir, { recursive: true });
  const sandboxes = await startSandboxes(['telegram', 'fal', 'openai'], { ports: { telegram: 0, fal: 0, openai: 0 }, telegramToken: `7000000001:AAdrill-${opts.seed}-token-0123456789abcdef` });
  const prisma = createPrisma(opts.env.DATABASE_URL!);
  const connection = await Connection.connect({ address: opts.env.TEMPORAL_ADDRESS! });
  const temporal = new Client({ connection, namespace: opts.env.TEMPORAL_NAMESPACE ?? 'default' });
  const [publicPort, internalPort, bot1, bot2, m1, m2] = await Promise.all(Array.from({ length: 6 }, () => freeLoopbackPort()));
  const nginx = await startNginx({
    prefix: join(opts.workDir, 'nginx'),
    logDir: join(opts.workDir, 'logs'),
    publicPort: publicPort!,
    internalPort: internalPort!,
    bots: [`127.0.0.1:${bot1}`, `127.0.0.1:${bot2}`],
    workerMetrics: [`127.0.0.1:${m1}`, `127.0.0.1:${m2}`],
  });
  const appEnv: Record<string, string> = {
    ...opts.env,
    ...sandboxes.env,
    LOG_LEVEL: 'info',
    TEMPORAL_TASK_QUEUE: `aisha-drill-${opts.seed}-${randomBytes(3).toString('hex')}`,
    BOT_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    PUBLIC_BASE_URL: nginx.publicUrl,
    WELCOME_CREDITS: '1000',
    // Lost webhooks are found by polling: every 10 s rather than 30 s keeps the drill short.
    FAL_POLL_INTERVAL_SECONDS: '10',
  };
  const config = loadConfig(appEnv);
  const procs = new ProcessGroup({ env: appEnv, readyTimeoutMs: 180_000, logDir: join(opts.workDir, 'logs') });
  const tg = sandboxes.telegram!;
  try {
    await ensureBuckets(createMinio(config.minio));
    opts.log('drill: starting two workers and two bots behind nginx…');
    await Promise.all([
      procs.start('worker1', 'workers/main.ts', { METRICS_PORT: String(m1) }, READY_LINE.worker),
      procs.start('worker2', 'workers/main.ts', { METRICS_PORT: String(m2) }, READY_LINE.worker),
      procs.start('bot1', 'bot/main.ts', { HTTP_PORT: String(bot1) }, READY_LINE.bot),
      procs.start('bot2', 'bot/main.ts', { HTTP_PORT: String(bot2) }, READY_LINE.bot),
    ]);

    opts.log('drill: making media…');
    const mediaDir = join(opts.workDir, 'media');
    const [voice, minutes, long, hour] = await Promise.all([
      makeSpeechAudio({ seconds: 8, dir: mediaDir, seed: opts.seed }),
      makeSpeechAudio({ seconds: 100, dir: mediaDir, seed: opts.seed + 1 }),
      makeSpeechAudio({ seconds: 330, dir: mediaDir, seed: opts.seed + 2 }),
      makeSpeechAudio({ seconds: 3600, dir: mediaDir, seed: opts.seed + 3 }),
    ]);
    const photos = await Promise.all(Array.from({ length: 16 }, (_, i) => photo(opts.seed * 100 + i, { width: 640, height: 512 })));
    const ctx: UserContext = { tg, prisma, temporal, media: { photos, audio: { voice: voice.path, minutes: minutes.path, long: long.path, hour: hour.path } }, jobTimeoutMs: 240_000 };

    // Plans: jobs dealt round-robin to users; only a user's last job may end in blocking the bot.
    const base = 500_000_000 + (Date.now() % 100_000_000);
    const users = Array.from({ length: Math.max(1, Math.min(opts.users, opts.jobs)) }, (_, i) => base + i * 7);
    const plans = new Map<number, JobPlan[]>(users.map((u) => [u, []]));
    for (let i = 0; i < opts.jobs; i++) plans.get(users[i % users.length]!)!.push(planJob(rng, 0));
    const blockedUsers = new Set<number>();
    for (const [u, list] of plans) {
      const last = list.at(-1);
      if (last && (last.kind === 'generation' || last.kind === 'transcription') && rng.next() < opts.blockRate) {
        last.block = true;
        blockedUsers.add(u);
      }
    }

    const deadline = started + opts.minutes * 60_000;
    const driverErrors: string[] = [];
    let inFlight = 0;
    let jobsStarted = 0;
    let jobsDone = false;
    const userRng = (u: number) => new Prng(opts.seed ^ u);
    const lanes = Math.min(users.length, 6);
    const queue = [...users];
    const jobLane = async () => {
      for (let u = queue.shift(); u !== undefined; u = queue.shift()) {
        const r = userRng(u);
        try {
          await onboard(ctx, u);
        } catch (err) {
          driverErrors.push((err as Error).message);
          continue;
        }
        for (const plan of plans.get(u)!) {
          if (Date.now() > deadline) break;
          inFlight++;
          jobsStarted++;
          try {
            await runJob(ctx, u, plan, r);
          } catch (err) {
            driverErrors.push(`${plan.kind}: ${(err as Error).message}`);
          } finally {
            inFlight--;
          }
        }
      }
    };

    const badUsers: number[] = [];
    const badFailures: { name: string; why: string }[] = [];
    const badLane = async () => {
      for (let i = 0; i < opts.badInputs && Date.now() < deadline; i++) {
        const input = BAD_INPUTS[i % BAD_INPUTS.length]!;
        const u = base + 5_000_000 + i * 7;
        badUsers.push(u);
        try {
          await onboard(ctx, u);
          const result = await runBadInput({ tg, prisma, publicUrl: nginx.publicUrl, webhookSecret: SECRET, signFal: (body, o) => sandboxes.fal!.signWebhook(body, o), photo: photos[0]!, voice: await readFile(voice.path) }, u, input);
          if (!result.answered) badFailures.push({ name: input.name, why: result.why });
        } catch (err) {
          badFailures.push({ name: input.name, why: (err as Error).message });
        }
      }
    };

    const applied: AppliedFault[] = AMBIENT_NAMES.map((kind) => ({ kind, detail: 'whole run', atS: 0, inFlight: 0 }));
    const services = async (args: string[]) => void (await promisify(execFile)('bash', ['scripts/services.sh', ...args], { env: process.env }));
    const targets = { procs, services, fal: sandboxes.fal!, openai: sandboxes.openai!, telegram: tg };
    applyAmbient(targets);
    const schedule = scheduleFaults(rng, opts.faults, opts.jobs, opts.serviceFaults);
    const faultLane = async () => {
      for (const f of schedule) {
        while (!jobsDone && jobsStarted < f.afterJobs) await new Promise((r) => setTimeout(r, 250));
        if (jobsDone) break;
        const at = { atS: Math.round((Date.now() - started) / 1000), inFlight };
        try {
          const detail = await applyFault(targets, f.kind, rng);
          applied.push({ kind: f.kind, detail, ...at });
          opts.log(`drill: ${at.atS} s: ${f.kind} (${detail}), ${at.inFlight} jobs in flight`);
        } catch (err) {
          driverErrors.push(`fault ${f.kind}: ${(err as Error).message}`);
        }
      }
    };

    opts.log(`drill: ${opts.jobs} jobs for ${users.length} users, ${opts.badInputs} bad inputs, ${schedule.length} scheduled faults, seed ${opts.seed}`);
    const faultsRunning = faultLane();
    await Promise.all([...Array.from({ length: lanes }, jobLane), badLane()]);
    jobsDone = true;
    await faultsRunning;
    // Faults off; anything still running gets its chance to end before the audit.
    Object.assign(sandboxes.fal!.knobs, { webhookLossRate: 0, webhookDuplicateRate: 0, http5xxRate: 0, jobFailureRate: 0 });
    opts.log('drill: users done; waiting for the last jobs, then the audit…');
    await settle(prisma, [...users], 180_000);

    const result = await audit({
      prisma,
      temporal,
      tg,
      prices: config.tariffs,
      jobUsers: users,
      blockedUsers,
      badInputUsers: badUsers,
      badInputFailures: badFailures,
    });
    const durationS = Math.round((Date.now() - started) / 1000);
    const faultCount = applied.length;
    const terminal = result.jobs.filter((j) => j.terminal).length;
    const count = (k: string) => result.anomalies.filter((a) => a.kind === k).length;
    const summary = `drill: ${result.jobs.length} jobs, ${terminal} terminal, ${result.jobs.length - terminal} stuck, ${count('ledger')} ledger anomalies, ${count('duplicate')} duplicates, ${faultCount} faults`;
    return { ...result, faults: applied, badInputs: badUsers.length, durationS, driverErrors, table: table(result, applied, badUsers.length, badFailures.length), summary };
  } finally {
    await procs.stopAll('SIGTERM');
    await nginx.stop();
    await sandboxes.stop();
    await connection.close();
    await prisma.$disconnect();
  }
}

/** Waits (bounded) until the drill users have no job left in a non-final state in the database. */
async function settle(prisma: ReturnType<typeof createPrisma>, users: number[], timeoutMs: number): Promise<void> {
  const where = { user: { telegramId: { in: users.map(BigInt) } }, status: { in: ['PENDING' as const, 'RUNNING' as const] } };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open =
      (await prisma.generation.count({ where })) +
      (await prisma.transcript.count({ where })) +
      (await prisma.avatar.count({ where: { user: where.user, status: { in: ['READY', 'CHARGED', 'TRAINING'] } } }));
    if (!open) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function table(result: AuditResult, faults: AppliedFault[], badInputs: number, badFailed: number): string {
  const rows: string[][] = [['job kind', 'jobs', 'terminal', 'charged', 'fully delivered', 'anomalies']];
  for (const kind of JOB_KINDS as readonly JobKind[]) {
    const jobs = result.jobs.filter((j) => j.kind === kind);
    const ids = new Set(jobs.map((j) => j.workflowId));
    rows.push([
      kind,
      String(jobs.length),
      String(jobs.filter((j) => j.terminal).length),
      String(jobs.filter((j) => j.charged > 0).length),
      String(jobs.filter((j) => j.kind === 'topup' || (j.charged > 0 && j.delivered === j.charged)).length),
      String(result.anomalies.filter((a) => ids.has(a.subject)).length),
    ]);
  }
  rows.push(['bad input', String(badInputs), String(badInputs - badFailed), '0 expected', '', String(result.anomalies.filter((a) => a.kind === 'bad input').length)]);
  rows.push(['draft (waits by design)', String(result.drafts.length), '', '0 expected', '', '']);
  const faultRows: string[][] = [['fault', 'times', 'jobs in flight', 'detail']];
  const kinds = [...new Set(faults.map((f) => f.kind))];
  for (const kind of kinds) {
    const these = faults.filter((f) => f.kind === kind);
    faultRows.push([String(kind), String(these.length), these.map((f) => f.inFlight).join(','), [...new Set(these.map((f) => f.detail))].join('; ')]);
  }
  return `${format(rows)}\n\n${format(faultRows)}`;
}

function format(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

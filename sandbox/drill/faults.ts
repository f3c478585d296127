// The drill's faults: a few applied for the whole run (FAL losing and failing
// things at fixed rates), the rest dealt from a deck at seeded points (kill -9
// of a worker or a bot and its restart, restarts of Temporal, PostgreSQL,
// MinIO and a wiped Redis, bursts of 429/5xx from OpenAI and
// Telegram, duplicated FAL webhooks, slow FAL jobs). Users blocking the bot
// mid-job are part of the users' plans (users.ts).
import type { FalSandbox } from '../fal/server';
import type { Prng } from '../fal/knobs';
import type { OpenAISandbox } from '../openai/server';
import type { ProcessGroup } from '../processes';
import type { TelegramSandbox } from '../telegram/server';

export type FaultKind =
  | 'kill -9 worker'
  | 'kill -9 bot'
  | 'restart Temporal server'
  | 'restart PostgreSQL'
  | 'restart MinIO'
  | 'wipe and restart Redis'
  | 'FAL webhooks duplicated'
  | 'FAL slow jobs'
  | 'FAL submit 5xx burst'
  | 'OpenAI 429 burst'
  | 'OpenAI 5xx burst'
  | 'Telegram 429 burst';

/** Faults that stop a shared service (Temporal, PostgreSQL, MinIO, Redis): not for a drill sharing the services with other tests. */
export const SERVICE_FAULTS: ReadonlySet<FaultKind> = new Set(['restart Temporal server', 'restart PostgreSQL', 'restart MinIO', 'wipe and restart Redis']);

/**
 * The order faults are dealt in. Its first 32 are the mix (10 worker
 * kills, 5 bot kills, Temporal twice, PostgreSQL, MinIO and Redis once, and
 * the upstream bursts); every prefix is varied, so a short drill still gets
 * kills of both kinds first. Past the end the deck starts again.
 */
const DECK: readonly FaultKind[] = [
  'kill -9 worker', 'kill -9 bot', 'FAL webhooks duplicated', 'kill -9 worker', 'Telegram 429 burst', 'FAL submit 5xx burst',
  'restart Temporal server', 'kill -9 worker', 'OpenAI 429 burst', 'kill -9 bot', 'restart PostgreSQL', 'FAL slow jobs',
  'kill -9 worker', 'restart MinIO', 'OpenAI 5xx burst', 'kill -9 bot', 'wipe and restart Redis', 'kill -9 worker',
  'restart Temporal server', 'kill -9 worker', 'FAL webhooks duplicated', 'kill -9 bot', 'kill -9 worker', 'Telegram 429 burst',
  'kill -9 worker', 'kill -9 bot', 'kill -9 worker', 'FAL slow jobs', 'kill -9 worker', 'OpenAI 429 burst',
  'FAL submit 5xx burst', 'OpenAI 5xx burst',
];
/** Scheduled faults for a drill of `jobs` jobs when none are asked for: the whole deck from 300 jobs up. */
export const defaultFaultCount = (jobs: number) => Math.max(6, Math.min(DECK.length, Math.round(jobs / 10)));

/** For the whole run: the rates the issue names. */
export const AMBIENT = { webhookLossRate: 0.3, webhookDuplicateRate: 0.2, http5xxRate: 0.1, jobFailureRate: 0.05 } as const;
export const AMBIENT_NAMES = ['FAL webhooks lost 30 %', 'FAL webhooks duplicated 20 %', 'FAL queue API 5xx 10 %', 'FAL jobs failing 5 %'];

export interface ScheduledFault {
  /** Applied once this many jobs have been started, so faults land while jobs are in flight however fast the machine is. */
  afterJobs: number;
  kind: FaultKind;
}

/** `count` faults dealt from the deck (without the service faults unless `services`), spread over the first 90 % of `jobs` at seeded points. */
export function scheduleFaults(rng: Prng, count: number, jobs: number, services: boolean): ScheduledFault[] {
  const deck = DECK.filter((k) => services || !SERVICE_FAULTS.has(k));
  return Array.from({ length: count }, (_, i) => ({
    afterJobs: Math.floor(((i + 0.2 + rng.next() * 0.6) / count) * jobs * 0.9),
    kind: deck[i % deck.length]!,
  })).sort((a, b) => a.afterJobs - b.afterJobs);
}

/** Calls that fail in a row in a burst. */
const BURST = 8;

export interface FaultTargets {
  procs: ProcessGroup;
  /** Runs `scripts/services.sh` with these arguments (stop/start one service). */
  services: (args: string[]) => Promise<void>;
  fal: FalSandbox;
  openai: OpenAISandbox;
  telegram: TelegramSandbox;
}

export function applyAmbient(t: FaultTargets): void {
  Object.assign(t.fal.knobs, AMBIENT);
}

/** Applies one fault; resolves once it is over (a killed process is running again, a window has closed). Returns what it hit. */
export async function applyFault(t: FaultTargets, kind: FaultKind, rng: Prng): Promise<string> {
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  switch (kind) {
    case 'kill -9 worker':
    case 'kill -9 bot': {
      const name = `${kind === 'kill -9 worker' ? 'worker' : 'bot'}${1 + rng.int(2)}`;
      await t.procs.kill9(name);
      await pause(1000 + rng.int(3000));
      await t.procs.restart(name);
      return name;
    }
    case 'restart Temporal server':
    case 'restart PostgreSQL':
    case 'restart MinIO':
    case 'wipe and restart Redis': {
      const service = ({ 'restart Temporal server': 'temporal', 'restart PostgreSQL': 'postgres', 'restart MinIO': 'minio', 'wipe and restart Redis': 'redis' } as const)[kind];
      const started = Date.now();
      if (service === 'redis') await t.services(['wipe', 'redis']);
      await t.services(['stop', service]);
      await pause(2000 + rng.int(4000));
      await t.services(['start', service]);
      return `down ${Math.round((Date.now() - started) / 1000)} s${service === 'redis' ? ', data wiped' : ''}`;
    }
    case 'FAL webhooks duplicated':
      t.fal.knobs.webhookDuplicates = 1;
      await pause(20_000);
      t.fal.knobs.webhookDuplicates = 0;
      return '20 s, every webhook twice';
    case 'FAL slow jobs':
      t.fal.knobs.imageJobMs = 15_000;
      t.fal.knobs.trainingJobMs = 30_000;
      await pause(20_000);
      t.fal.knobs.imageJobMs = 800;
      t.fal.knobs.trainingJobMs = 2000;
      return '20 s, images 15 s, trainings 30 s';
    case 'FAL submit 5xx burst':
      t.fal.knobs.fail5xxNext = BURST;
      return `next ${BURST} queue calls 503`;
    case 'OpenAI 429 burst':
    case 'OpenAI 5xx burst': {
      const tooMany = kind === 'OpenAI 429 burst';
      t.openai.knobs[tooMany ? 'fail429Next' : 'fail5xxNext'] = BURST;
      return `next ${BURST} calls ${tooMany ? 429 : 500}`;
    }
    case 'Telegram 429 burst':
      for (const method of ['sendMessage', 'sendPhoto', 'sendMediaGroup', 'editMessageText']) {
        t.telegram.failNext({ method, code: 429, description: 'Too Many Requests: retry after 2', retryAfter: 2, times: 4 });
      }
      return 'next 4 sendMessage/sendPhoto/sendMediaGroup/editMessageText 429';
  }
}

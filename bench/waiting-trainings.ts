// The training fleet of the P5 bench (bench/waiting.ts): many avatar trainings
// started the way the bot starts them — a user with credits, the workflow, a
// photo, then "start" — that get charged, zip their photo, submit to FAL and
// then wait for FAL's webhook. Also their users, how many wait, and the
// cleanup: trainings terminated, their charges refunded by billing itself.
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import sharp from 'sharp';
import type { Config } from '../lib/config';
import { applyLedgerEntry } from '../lib/db/ledger';
import { upsertUser } from '../lib/db/users';
import type { PrismaClient } from '../lib/prisma';
import type { TelegramSandbox } from '../sandbox/telegram/server';
import { workflowIds } from '../vocabulary/ids';
import { JobKindKey, JobStatusKey, UserIdKey } from '../vocabulary/search-attributes';
import { photoAddedSignal, startTrainingSignal, type AvatarTrainingInput } from '../workflows/avatar-api';
import type { avatarTrainingWorkflow } from '../workflows/avatar-training';
import { falWebhookUrl } from '../workflows/fal-api';
import { measure, type Figures } from './stats';

/** Each training user gets this much: one training's charge, with room to spare. */
export const TRAINING_USER_GRANT = 1000;

/**
 * A 512×512 photo the OpenAI stand-in accepts (sharp, not blurred, no marker
 * colour) that compresses to a few kB: every training's archive is uploaded to
 * the FAL stand-in and kept there, so 10 000 of them must stay small.
 */
export async function trainingPhoto(): Promise<Buffer> {
  const side = 512;
  const raw = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const cell = Math.floor((y * 5) / side) * 6 + Math.floor((x * 6) / side);
      const v = 80 + ((cell * 53) % 140);
      raw.set([v, Math.max(0, v - 10), Math.max(0, v - 25)], (y * side + x) * 3);
    }
  }
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

export interface TrainingFleet {
  /** Telegram ids base … base + count − 1. */
  telegramIdBase: number;
  users: { id: number; telegramId: number }[];
  avatarIds: string[];
}

/** `count` users known to the Telegram stand-in, each with TRAINING_USER_GRANT credits. */
export async function makeTrainingUsers(prisma: PrismaClient, tg: TelegramSandbox, run: string, count: number): Promise<TrainingFleet & { figures: Figures }> {
  const telegramIdBase = 7_400_000_000 + (Number.parseInt(run, 16) % 1000) * 100_000;
  const users: { id: number; telegramId: number }[] = new Array<{ id: number; telegramId: number }>(count);
  const figures = await measure(count, 20, async (i) => {
    const telegramId = telegramIdBase + i;
    tg.world.user(telegramId, { language_code: 'en' });
    const user = await upsertUser(prisma, { telegramId, languageCode: 'en' });
    await applyLedgerEntry(prisma, { userId: user.id, kind: 'GRANT', amount: TRAINING_USER_GRANT, idempotencyKey: `bench-wait:${run}:${i}` });
    users[i] = { id: user.id, telegramId };
  });
  return { telegramIdBase, users, avatarIds: [], figures };
}

export interface StartTrainingsOptions {
  client: Client;
  config: Config;
  taskQueue: string;
  publicBaseUrl: string;
  /** The user's photo, already in the Telegram stand-in (one file for all: each training keeps its own copy). */
  photo: { fileId: string; fileUniqueId: string };
  pollSeconds: number;
  /** The workflow revision (AvatarTrainingInput.revision): 1 waits with timers, 2 with one watching activity. */
  revision: number;
  /** Trainings on their way to FAL at once (a slot frees when its training waits on FAL). */
  concurrency: number;
  prisma: PrismaClient;
  /** No training starts once this is true (the bench's time is up: it measures what waits). */
  stop?: () => boolean;
  /** Called as trainings reach FAL (every `every` of them). */
  progress?: { every: number; report(waiting: number): void };
}

/**
 * Until the avatar's row says it waits on FAL (TRAINING) or ended. Users
 * arrive over time: a fleet started faster than the worker can take it to
 * FAL has thousands of workflows in flight at once, far more than the sticky
 * cache holds, and each of their steps replays a whole history (measured:
 * 10 000 started in 192 s, 3 waiting after 80 s more).
 */
async function untilWaiting(prisma: PrismaClient, avatarId: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const row = await prisma.avatar.findUnique({ where: { id: avatarId }, select: { status: true } });
    if (row && ['TRAINING', 'COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status)) return;
    await sleep(250);
  }
  throw new Error(`avatar ${avatarId} did not reach FAL within ${timeoutMs / 1000} s`);
}

/**
 * Starts one training per user as the bot does (bot/features/avatar.ts: same
 * id, conflict policies, search attributes, memo), sends the photo and
 * presses "start". One photo per avatar (minPhotos 1, a setting the bot takes
 * from AVATAR_MIN_PHOTOS): the workflow accepts no photo keys but its own,
 * so each training downloads, checks and stores its photo like a real one.
 */
export async function startTrainings(fleet: TrainingFleet, opts: StartTrainingsOptions): Promise<Figures> {
  const { config } = opts;
  let waiting = 0;
  return measure(fleet.users.length, opts.concurrency, async (i) => {
    const user = fleet.users[i]!;
    const avatarId = randomUUID();
    fleet.avatarIds.push(avatarId);
    const workflowId = workflowIds.avatar(avatarId);
    const input: AvatarTrainingInput = {
      avatarId,
      userId: user.id,
      telegramId: user.telegramId,
      chatId: user.telegramId,
      language: 'en',
      name: `bench ${i}`,
      kind: 'PORTRAIT',
      triggerPhrase: `TOK_${avatarId.slice(0, 8)}`,
      price: config.tariffs.avatarTraining,
      minPhotos: 1,
      maxPhotos: config.avatars.maxPhotos,
      deadlineSeconds: config.avatars.trainingDeadlineMinutes * 60,
      draftTtlSeconds: config.avatars.draftTtlHours * 3600,
      pollSeconds: opts.pollSeconds,
      maxPollSeconds: Math.max(opts.pollSeconds, config.fal.pollMaxSeconds),
      progressSeconds: 30,
      webhookUrl: falWebhookUrl(opts.publicBaseUrl, workflowId),
      ...(opts.revision >= 2 ? { revision: opts.revision } : {}),
    };
    const handle = await opts.client.workflow.start<typeof avatarTrainingWorkflow>('avatarTrainingWorkflow', {
      taskQueue: opts.taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [input],
      memo: { summary: `avatar “${input.name}” (portrait)` },
      typedSearchAttributes: [
        { key: UserIdKey, value: String(user.telegramId) },
        { key: JobKindKey, value: 'avatar_training' },
        { key: JobStatusKey, value: 'running' },
      ],
    } as unknown as WorkflowStartOptions<typeof avatarTrainingWorkflow>);
    await handle.signal(photoAddedSignal, opts.photo);
    await handle.signal(startTrainingSignal);
    await untilWaiting(opts.prisma, avatarId, 10 * 60_000);
    waiting++;
    if (opts.progress && waiting % opts.progress.every === 0) opts.progress.report(waiting);
  }, opts.stop);
}

/** The fleet's avatars by stage, from the rows the workflows keep current. */
export async function avatarStages(prisma: PrismaClient, fleet: TrainingFleet): Promise<Record<string, number>> {
  const rows = await prisma.avatar.groupBy({
    by: ['status'],
    where: { user: { telegramId: { gte: BigInt(fleet.telegramIdBase), lt: BigInt(fleet.telegramIdBase + fleet.users.length) } } },
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all] as const).sort(([a], [b]) => a.localeCompare(b)));
}

/** Users of the fleet whose balance is below their grant: a charge is held (or was never refunded). */
export function usersHoldingCharges(prisma: PrismaClient, fleet: TrainingFleet): Promise<number> {
  return prisma.balance.count({
    where: { credits: { lt: TRAINING_USER_GRANT }, user: { telegramId: { gte: BigInt(fleet.telegramIdBase), lt: BigInt(fleet.telegramIdBase + fleet.users.length) } } },
  });
}

const ignoreGone = (err: unknown) => {
  if (err instanceof WorkflowNotFoundError) return; // never started, or already closed
  throw err;
};

/**
 * Ends the fleet without FAL or Telegram traffic: each training is
 * terminated (the way an operator ends a stuck job), then its billing child
 * (ABANDON, so it outlived the training) is cancelled, and billing refunds the
 * charge itself (workflows/billing.ts: a cancelled billing refunds). Needs the
 * worker running. The avatar rows, left at TRAINING by the terminated
 * workflows, are marked CANCELLED ('bench_terminated').
 */
export async function endTrainings(client: Client, prisma: PrismaClient, fleet: TrainingFleet, concurrency: number): Promise<{ terminated: Figures; cancelled: Figures }> {
  const ids = [...fleet.avatarIds];
  const terminated = await measure(ids.length, concurrency, (i) =>
    client.workflow.getHandle(workflowIds.avatar(ids[i]!)).terminate('bench cleanup (P5 waiting trainings)').catch(ignoreGone),
  );
  const cancelled = await measure(ids.length, concurrency, (i) =>
    client.workflow.getHandle(workflowIds.billing(workflowIds.avatar(ids[i]!))).cancel().catch(ignoreGone),
  );
  await prisma.avatar.updateMany({
    where: { id: { in: ids }, status: { notIn: ['COMPLETED', 'FAILED', 'CANCELLED'] } },
    data: { status: 'CANCELLED', failureReason: 'bench_terminated' },
  });
  return { terminated, cancelled };
}

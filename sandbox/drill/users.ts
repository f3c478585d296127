// The drill's simulated users: each acts through the Telegram stand-in as a
// person would (commands, buttons, photos, voice notes, invoices) and then
// waits until its job is over in the database before its next one, so a
// user's messages belong to one job at a time. What they see is not trusted
// here: the audit (audit.ts) judges the outcome.
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../lib/prisma';
import { workflowIds } from '../../vocabulary/ids';
import type { TelegramSandbox } from '../telegram/server';
import type { StoredMessage } from '../telegram/state';
import type { Prng } from '../fal/knobs';

export type JobKind = 'avatar' | 'generation' | 'transcription' | 'topup';
export const JOB_KINDS: readonly JobKind[] = ['avatar', 'generation', 'transcription', 'topup'];

export interface JobPlan {
  kind: JobKind;
  /** Images for a generation (1–4). */
  count: number;
  /** Recording for a transcription: an 8 s voice note, a 100 s audio file, a 5½-minute voice note, a 60-minute audio file. */
  audio: 'voice' | 'minutes' | 'long' | 'hour';
  /** The user blocks the bot right after starting this job. */
  block: boolean;
  /** The user sends /cancel a moment after starting this job (generations and transcriptions). */
  cancel: boolean;
  /** A generation "like this photo": the prompt is a reference photo's caption. */
  reference: boolean;
}

export interface Media {
  photos: Buffer[];
  audio: Record<JobPlan['audio'], string>;
}

export interface UserContext {
  tg: TelegramSandbox;
  prisma: PrismaClient;
  temporal: Client;
  media: Media;
  /** A job not over after this long is left to the audit (which calls it stuck). */
  jobTimeoutMs: number;
}

/** Picks the seeded mix: ~10 % avatar trainings, 50 % generations (a quarter with a reference photo; with the user's avatar once they have one), 30 % transcriptions, 10 % top-ups; ~5 % of generations and transcriptions cancelled with /cancel. */
export function planJob(rng: Prng, blockRate: number): JobPlan {
  const r = rng.next();
  const kind: JobKind = r < 0.1 ? 'avatar' : r < 0.6 ? 'generation' : r < 0.9 ? 'transcription' : 'topup';
  const a = rng.next();
  return {
    kind,
    count: 1 + rng.int(4),
    audio: a < 0.6 ? 'voice' : a < 0.87 ? 'minutes' : a < 0.97 ? 'long' : 'hour',
    block: (kind === 'generation' || kind === 'transcription') && rng.next() < blockRate,
    cancel: (kind === 'generation' || kind === 'transcription') && rng.next() < 0.05,
    reference: kind === 'generation' && rng.next() < 0.25,
  };
}

export async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Acts, then waits for the effect; acts again if nothing came (an update can die with the bot that took it). */
export async function retrying<T>(act: () => void, probe: () => T | Promise<T>, what: string, tries = 3, eachMs = 15_000): Promise<NonNullable<T>> {
  for (let i = 1; ; i++) {
    act();
    try {
      return await until(probe, what, eachMs);
    } catch (err) {
      if (i === tries) throw err;
    }
  }
}

export const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';

export function callbackData(m: StoredMessage | undefined, prefix: string): string | undefined {
  for (const b of m?.reply_markup?.inline_keyboard.flat() ?? []) {
    const data = (b as { callback_data?: string }).callback_data;
    if (data === prefix || data?.startsWith(`${prefix}:`)) return data;
  }
  return undefined;
}

const lastId = (ctx: UserContext, user: number) => ctx.tg.world.chatMessages(user).at(-1)?.message_id ?? 0;
const newBotMessage = (ctx: UserContext, user: number, after: number, test: (m: StoredMessage) => boolean) =>
  ctx.tg.world.botMessages(user).find((m) => m.message_id > after && test(m));

/** /start: the user row and the welcome grant. */
export async function onboard(ctx: UserContext, user: number): Promise<void> {
  const before = lastId(ctx, user);
  await retrying(() => ctx.tg.sendText(user, '/start'), () => newBotMessage(ctx, user, before, () => true), `user ${user}: /start answered`);
  await until(() => ctx.prisma.balance.findFirst({ where: { user: { telegramId: BigInt(user) } } }), `user ${user}: balance row`);
}

/** A job is over for its user when its workflow has closed (the row turns final before the outcome message is sent). */
const closed = (ctx: UserContext, workflowId: string, timeouts = 1) =>
  until(async () => (await ctx.temporal.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING', `${workflowId}: closed`, ctx.jobTimeoutMs * timeouts);

const PROMPTS = ['маяк на скале в шторм', 'кот в космическом шлеме', 'осенний лес на рассвете, туман', 'портрет в стиле ренессанс', 'a red bicycle in Paris rain', 'город будущего ночью'];

/** Runs one job as the user would and waits until it is over (or the timeout). */
export async function runJob(ctx: UserContext, user: number, plan: JobPlan, rng: Prng): Promise<void> {
  if (plan.kind === 'generation') return generation(ctx, user, plan, rng);
  if (plan.kind === 'transcription') return transcription(ctx, user, plan, rng);
  if (plan.kind === 'avatar') return avatar(ctx, user, rng);
  return topup(ctx, user);
}

/** What the user does right after starting a job, if their plan says so: block the bot, or /cancel it. */
async function interrupt(ctx: UserContext, user: number, plan: JobPlan, rng: Prng): Promise<void> {
  if (!plan.block && !plan.cancel) return;
  await new Promise((r) => setTimeout(r, 300 + rng.int(3000)));
  if (plan.block) ctx.tg.blockBot(user);
  else ctx.tg.sendText(user, '/cancel');
}

async function generation(ctx: UserContext, user: number, plan: JobPlan, rng: Prng): Promise<void> {
  const { tg, prisma } = ctx;
  const before = lastId(ctx, user);
  const known = new Set((await prisma.generation.findMany({ where: { user: { telegramId: BigInt(user) } }, select: { id: true } })).map((g) => g.id));
  const prompt = PROMPTS[rng.int(PROMPTS.length)];
  // With a trained avatar, half the generations are of the user themself.
  const hasAvatar = (await prisma.avatar.count({ where: { user: { telegramId: BigInt(user) }, status: 'COMPLETED', isMain: true, deletedAt: null } })) > 0;
  const command = `${hasAvatar && rng.next() < 0.5 ? '/generate' : '/imagen'} ${prompt}`;
  const reference = plan.reference ? ctx.media.photos[rng.int(ctx.media.photos.length)]! : undefined;
  const ask = () => void (reference ? tg.users.sendPhoto(user, reference, { caption: command }) : tg.sendText(user, command));
  const offer = await retrying(ask, () => newBotMessage(ctx, user, before, (m) => !!callbackData(m, 'gg')), `user ${user}: generation offer`);
  const countOf = () => callbackData(tg.world.find(user, offer.message_id), 'gg')?.split(':')[2];
  if (countOf() !== String(plan.count)) {
    await retrying(() => tg.pressButton(user, offer.message_id, `gn:${plan.count}`), () => countOf() === String(plan.count), `user ${user}: offer for ${plan.count} images`);
  }
  tg.pressButton(user, offer.message_id, callbackData(tg.world.find(user, offer.message_id), 'gg')!);
  await interrupt(ctx, user, plan, rng);
  const gen = await until(() => prisma.generation.findFirst({ where: { user: { telegramId: BigInt(user) }, id: { notIn: [...known] } } }), `user ${user}: generation row`);
  await closed(ctx, workflowIds.generation(gen.id));
}

async function transcription(ctx: UserContext, user: number, plan: JobPlan, rng: Prng): Promise<void> {
  const { tg, prisma } = ctx;
  const before = lastId(ctx, user);
  const known = new Set((await prisma.transcript.findMany({ where: { user: { telegramId: BigInt(user) } }, select: { id: true } })).map((t) => t.id));
  const data = await readFile(ctx.media.audio[plan.audio]);
  if (plan.audio === 'minutes' || plan.audio === 'hour') await tg.users.sendMedia(user, 'audio', data, { fileName: plan.audio === 'hour' ? 'podcast.ogg' : 'lecture.ogg', mimeType: 'audio/ogg' });
  else await tg.users.sendMedia(user, 'voice', data, { mimeType: 'audio/ogg' });
  if (plan.audio === 'long' || plan.audio === 'hour') {
    // Quoting means downloading and analysing the whole recording: minutes for an hour under load.
    const quote = await until(() => newBotMessage(ctx, user, before, (m) => !!callbackData(m, 'tc')), `user ${user}: transcription quote`, plan.audio === 'hour' ? 600_000 : 180_000);
    tg.pressButton(user, quote.message_id, callbackData(quote, 'tc')!);
  }
  await interrupt(ctx, user, plan, rng);
  const tr = await until(() => prisma.transcript.findFirst({ where: { user: { telegramId: BigInt(user) }, id: { notIn: [...known] } } }), `user ${user}: transcript row`, 180_000);
  await closed(ctx, workflowIds.transcription(tr.id), plan.audio === 'hour' ? 3 : 1);
}

async function avatar(ctx: UserContext, user: number, rng: Prng): Promise<void> {
  const { tg, prisma } = ctx;
  // Each step is pressed or typed again when nothing comes (a bot killed or a database restarting under it apologises or stays silent).
  let before = lastId(ctx, user);
  const list = await retrying(() => tg.sendText(user, '/avatar'), () => newBotMessage(ctx, user, before, (m) => !!callbackData(m, 'ac')), `user ${user}: avatar list`);
  before = lastId(ctx, user);
  const types = await retrying(
    () => tg.pressButton(user, list.message_id, 'ac'),
    () => newBotMessage(ctx, user, before, (m) => !!callbackData(m, 'at')) ?? (callbackData(tg.world.find(user, list.message_id), 'at') ? list : undefined),
    `user ${user}: avatar types`,
  );
  before = lastId(ctx, user);
  const type = rng.next() < 0.5 ? 'at:portrait' : 'at:style';
  await retrying(() => tg.pressButton(user, types.message_id, type), () => newBotMessage(ctx, user, before, (m) => textOf(m).includes('назов')), `user ${user}: name asked`);
  const name = `Драфт${rng.int(1000)}`;
  const a = await retrying(() => tg.sendText(user, name), () => prisma.avatar.findFirst({ where: { user: { telegramId: BigInt(user) }, name } }), `user ${user}: avatar row`);
  const first = rng.int(ctx.media.photos.length - 10);
  await tg.users.sendAlbum(user, ctx.media.photos.slice(first, first + 10));
  const status = () => tg.world.botMessages(user).findLast((m) => textOf(m).includes('📸'));
  await until(() => textOf(status() ?? {}).includes('принято 10'), `avatar ${a.id}: 10 photos accepted`, 180_000);
  const start = await until(
    () => status()?.reply_markup?.inline_keyboard.flat().find((b) => b.text.startsWith('🚀')) as { callback_data: string } | undefined,
    `avatar ${a.id}: start button`,
  );
  await retrying(
    () => tg.pressButton(user, status()!.message_id, start.callback_data),
    async () => (await prisma.avatar.findUnique({ where: { id: a.id }, select: { status: true } }))?.status !== 'READY',
    `avatar ${a.id}: training started`,
  );
  await closed(ctx, workflowIds.avatar(a.id));
}

async function topup(ctx: UserContext, user: number): Promise<void> {
  const { tg, prisma } = ctx;
  let before = lastId(ctx, user);
  const paid = await prisma.payment.count({ where: { user: { telegramId: BigInt(user) } } });
  tg.sendText(user, '/topup');
  const packs = await until(() => newBotMessage(ctx, user, before, (m) => !!callbackData(m, 'tp')), `user ${user}: top-up packs`);
  before = lastId(ctx, user);
  tg.pressButton(user, packs.message_id, callbackData(packs, 'tp')!);
  const invoice = await until(() => newBotMessage(ctx, user, before, (m) => !!m.invoice), `user ${user}: invoice`);
  const outcome = await tg.users.payInvoice(user, invoice.message_id);
  if (outcome.status !== 'paid') throw new Error(`user ${user}: payment ${outcome.status}`);
  await until(async () => (await prisma.payment.count({ where: { user: { telegramId: BigInt(user) } } })) > paid, `user ${user}: payment credited`, ctx.jobTimeoutMs);
}

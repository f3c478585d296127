// The drill's audit. It does not ask the workflows how things went: it reads
// the ledger and the job rows in PostgreSQL, the executions in Temporal, and
// what the Telegram stand-in itself delivered, and checks them against each
// other (DESIGN.md, "Invariants").
import type { Client } from '@temporalio/client';
import type { Config } from '../../lib/config';
import type { PrismaClient } from '../../lib/prisma';
import { workflowIds } from '../../vocabulary/ids';
import type { TelegramSandbox } from '../telegram/server';
import type { JobKind } from './users';

export type AnomalyKind = 'stuck' | 'ledger' | 'duplicate' | 'notice' | 'bad input';

export interface Anomaly {
  kind: AnomalyKind;
  /** The workflow id (or the user / the bad-input case) it is about. */
  subject: string;
  problem: string;
}

export interface AuditedJob {
  workflowId: string;
  kind: JobKind;
  telegramId: number;
  terminal: boolean;
  /** Units charged for (images, minutes, 1 training); 0 when never charged. */
  charged: number;
  delivered: number;
}

export interface AuditInput {
  prisma: PrismaClient;
  temporal: Client;
  tg: TelegramSandbox;
  prices: Config['tariffs'];
  jobUsers: readonly number[];
  blockedUsers: ReadonlySet<number>;
  badInputUsers: readonly number[];
  badInputFailures: readonly { name: string; why: string }[];
}

export interface AuditResult {
  jobs: AuditedJob[];
  anomalies: Anomaly[];
  /** Workflows waiting for the user by design, never charged: a transcription quote not confirmed, an avatar with its photos not started. */
  drafts: string[];
}

const TERMINAL_JOB = ['COMPLETED', 'PARTIAL', 'FAILED', 'CANCELLED'];
const TERMINAL_AVATAR = ['COMPLETED', 'FAILED', 'CANCELLED'];

export async function audit(input: AuditInput): Promise<AuditResult> {
  const { prisma, tg, prices } = input;
  const anomalies: Anomaly[] = [];
  const jobs: AuditedJob[] = [];
  const drafts: string[] = [];
  const flag = (kind: AnomalyKind, subject: string, problem: string) => anomalies.push({ kind, subject, problem });

  const users = await prisma.user.findMany({ where: { telegramId: { in: input.jobUsers.map(BigInt) } }, include: { balance: true } });
  for (const user of users) {
    const telegramId = Number(user.telegramId);
    const blocked = input.blockedUsers.has(telegramId);
    const txs = await prisma.transaction.findMany({ where: { userId: user.id }, orderBy: { id: 'asc' } });
    const sum = txs.reduce((s, t) => s + t.amount, 0);
    const balance = user.balance?.credits ?? 0;
    if (balance !== sum) flag('ledger', `user ${telegramId}`, `balance ${balance} ≠ sum of transactions ${sum}`);
    if (balance < 0 || txs.some((t) => t.balanceAfter < 0)) flag('ledger', `user ${telegramId}`, 'balance went negative');
    const byJob = (jobId: string, kind: string) => txs.filter((t) => t.jobId === jobId && t.kind === kind);
    // What the stand-in delivered: photos (an album counts each), and every new message's time.
    const botMessages = tg.world.botMessages(telegramId).filter((m) => !m.system);
    const photos = botMessages.filter((m) => m.photo).length;
    // A job's final notice: a new bot message still there (progress messages are deleted when the outcome comes),
    // not an offer, quote or invoice, sent between the job's start and the user's next job (users run one job at a time).
    const notices: { workflowId: string; start: Date }[] = [];
    const offer = (m: (typeof botMessages)[number]) => !!m.invoice || !!m.reply_markup?.inline_keyboard.flat().some((b) => /^(gg|tc|tp|ac|at)(:|$)/.test((b as { callback_data?: string }).callback_data ?? ''));
    const noticeAfter = (workflowId: string, start: Date) => notices.push({ workflowId, start });

    /** One charge of price × units, refunds = price × undelivered, at most one of each. */
    const money = (workflowId: string, price: number, units: number, delivered: number): number => {
      const charges = byJob(workflowId, 'CHARGE');
      const refunds = byJob(workflowId, 'REFUND');
      if (charges.length > 1) flag('duplicate', workflowId, `${charges.length} charges`);
      if (refunds.length > 1) flag('duplicate', workflowId, `${refunds.length} refunds`);
      const charged = -charges.reduce((s, t) => s + t.amount, 0);
      const refunded = refunds.reduce((s, t) => s + t.amount, 0);
      if (charges.length === 0) {
        if (delivered > 0) flag('ledger', workflowId, `${delivered} delivered, never charged`);
        if (refunded) flag('ledger', workflowId, `refund ${refunded} without a charge`);
        return 0;
      }
      if (charged !== price * units) flag('ledger', workflowId, `charged ${charged}, offer was ${price} × ${units} = ${price * units}`);
      if (refunded !== price * (units - delivered)) flag('ledger', workflowId, `refunded ${refunded}, expected ${price} × ${units - delivered} undelivered = ${price * (units - delivered)}`);
      return units;
    };

    // Photos cannot be tied to a generation by what Telegram holds, so images are
    // matched per user: received = paid units (below); per job, gallery rows = paid.
    for (const g of await prisma.generation.findMany({ where: { userId: user.id }, include: { images: { where: { deletedAt: null } } } })) {
      const workflowId = workflowIds.generation(g.id);
      const refunded = byJob(workflowId, 'REFUND').reduce((s, t) => s + t.amount, 0);
      // A user who blocked the bot got no photo of the job it was in: its undelivered count is what was refunded.
      const delivered = blocked ? g.numImages - Math.round(refunded / g.unitPrice) : g.images.length;
      if (blocked && g.images.length < delivered) flag('ledger', workflowId, `${delivered} paid, ${g.images.length} gallery rows`);
      const charged = money(workflowId, g.unitPrice, g.numImages, delivered);
      const terminal = TERMINAL_JOB.includes(g.status);
      jobs.push({ workflowId, kind: 'generation', telegramId, terminal, charged, delivered });
      if (!terminal) flag('stuck', workflowId, `status ${g.status}`);
      else if (!blocked) noticeAfter(workflowId, g.createdAt);
    }
    for (const t of await prisma.transcript.findMany({ where: { userId: user.id } })) {
      const workflowId = workflowIds.transcription(t.id);
      if (t.status === 'PENDING' && !byJob(workflowId, 'CHARGE').length) {
        drafts.push(workflowId); // a quote the user has not confirmed (yet): it expires on its own
        continue;
      }
      const terminal = TERMINAL_JOB.includes(t.status);
      const minutes = Math.max(1, Math.ceil((t.durationSec ?? 0) / 60));
      const delivered = t.status === 'COMPLETED' ? minutes : 0;
      const charged = money(workflowId, prices.transcriptionMinute, minutes, delivered);
      jobs.push({ workflowId, kind: 'transcription', telegramId, terminal, charged: charged && minutes, delivered });
      if (!terminal) flag('stuck', workflowId, `status ${t.status}`);
      else if (!blocked) noticeAfter(workflowId, t.createdAt);
    }
    for (const a of await prisma.avatar.findMany({ where: { userId: user.id, status: { not: 'COLLECTING_PHOTOS' } } })) {
      const workflowId = workflowIds.avatar(a.id);
      if (a.status === 'READY' && !byJob(workflowId, 'CHARGE').length) {
        drafts.push(workflowId); // photos in, training not started by the user: it waits a day, then ends
        continue;
      }
      const terminal = TERMINAL_AVATAR.includes(a.status);
      const delivered = a.status === 'COMPLETED' ? 1 : 0;
      const charged = money(workflowId, prices.avatarTraining, 1, delivered);
      jobs.push({ workflowId, kind: 'avatar', telegramId, terminal, charged, delivered });
      if (!terminal) flag('stuck', workflowId, `status ${a.status}`);
      else if (!blocked) noticeAfter(workflowId, a.createdAt);
    }
    const starts = notices.map((n) => n.start.getTime()).sort((a, b) => a - b);
    for (const n of notices) {
      const from = Math.floor(n.start.getTime() / 1000) * 1000;
      const to = starts.find((t) => t > n.start.getTime()) ?? Infinity;
      if (!botMessages.some((m) => !m.deleted && !offer(m) && m.date * 1000 >= from && m.date * 1000 <= to)) flag('notice', n.workflowId, 'no new message to the user after the job started (before their next job)');
    }
    const payments = await prisma.payment.findMany({ where: { userId: user.id } });
    for (const p of payments) jobs.push({ workflowId: workflowIds.topup(p.telegramPaymentChargeId), kind: 'topup', telegramId, terminal: true, charged: 0, delivered: p.credits });
    const credited = txs.filter((t) => t.kind === 'TOPUP').reduce((s, t) => s + t.amount, 0);
    const paid = payments.reduce((s, p) => s + p.credits, 0);
    if (credited !== paid) flag('ledger', `user ${telegramId}`, `top-ups credited ${credited}, payments worth ${paid}`);
    const standInPaid = [...tg.world.payments.values()].filter((p) => p.userId === telegramId).length;
    if (standInPaid !== payments.length) flag(standInPaid < payments.length ? 'duplicate' : 'ledger', `user ${telegramId}`, `${standInPaid} Stars payments in Telegram, ${payments.length} payment rows`);
    // Every paid image reached Telegram once: none unpaid, none twice, none paid and missing.
    const paidImages = jobs.filter((j) => j.telegramId === telegramId && j.kind === 'generation').reduce((s, j) => s + (j.charged ? j.delivered : 0), 0);
    if (photos !== paidImages) flag(photos > paidImages ? 'duplicate' : 'ledger', `user ${telegramId}`, `${photos} photos received in Telegram, ${paidImages} paid`);
  }

  // Temporal: nothing left running (a job's workflow and its billing child).
  for (const job of jobs) {
    for (const id of job.kind === 'topup' ? [job.workflowId] : [job.workflowId, workflowIds.billing(job.workflowId)]) {
      const status = await input.temporal.workflow
        .getHandle(id)
        .describe()
        .then((d) => d.status.name, (err: Error) => (id.startsWith('bill-') && /not found/i.test(err.message) ? 'NONE' : `unknown (${err.message})`));
      if (status === 'RUNNING' || status.startsWith('unknown')) {
        flag('stuck', job.workflowId, `${id}: ${status}`);
        job.terminal = false;
      }
    }
  }

  // Bad inputs: answered, and nobody charged.
  for (const f of input.badInputFailures) flag('bad input', f.name, f.why);
  const badUsers = await prisma.user.findMany({ where: { telegramId: { in: input.badInputUsers.map(BigInt) } }, select: { id: true, telegramId: true } });
  for (const u of badUsers) {
    const charges = await prisma.transaction.count({ where: { userId: u.id, kind: 'CHARGE' } });
    if (charges) flag('bad input', `user ${u.telegramId}`, `${charges} charges after bad input only`);
  }
  return { jobs, anomalies, drafts };
}

import { preparedRows, type PrismaClient } from '../prisma';
import { workflowIds } from '../../vocabulary/ids';
import type { TransactionKind } from './ledger';

/**
 * The `/balance` history: the user's last ledger rows, each with what it was
 * for, read from the job's own row (a job's ledger rows carry its workflow id
 * `gen-<uuid>`, `avatar-<uuid>`, `tr-<uuid>`, `sum-<uuid>` as `jobId`; vocabulary/ids.ts).
 * Job rows are looked up among this user's rows only. A row whose job id is
 * not one of these, or whose job row is gone, keeps just its kind.
 */

export type HistoryJobKind = 'generation' | 'avatar' | 'transcription' | 'summary';

export type HistoryJob =
  | { kind: 'generation'; found: true; mode: 'AVATAR' | 'IMAGEN4'; numImages: number; unitPrice: number; avatarName: string | null }
  | { kind: 'avatar'; found: true; name: string }
  | { kind: 'transcription'; found: true; durationSec: number | null }
  /** A transcript's summary: the ledger row says all there is (one price per summary). */
  | { kind: 'summary'; found: true }
  | { kind: HistoryJobKind; found: false };

export interface HistoryEntry {
  kind: TransactionKind;
  /** Signed: positive credits the user, negative debits. */
  amount: number;
  balanceAfter: number;
  createdAt: Date;
  /** What the row was for: the welcome grant, an admin grant, a Stars refund… */
  source: 'welcome' | 'stars-refund' | 'stars-refund-reverted' | 'other';
  /** The admin's reason of a grant (shown to the user as the grant notice did). */
  reason: string | null;
  job: HistoryJob | null;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A job id is a prefix and the job row's UUID (so `avatar-delete-…` or a test's `gen-test-…` names no job row). */
const JOB_PREFIXES: [prefix: string, kind: HistoryJobKind][] = [
  [workflowIds.generation(''), 'generation'],
  [workflowIds.avatar(''), 'avatar'],
  [workflowIds.transcription(''), 'transcription'],
  [workflowIds.summary(''), 'summary'],
];
const JOB_ID = new RegExp(`^(${JOB_PREFIXES.map(([p]) => p).join('|')})(${UUID})$`);

/** The job a ledger row's `jobId` names: its kind and row id; null for anything else. */
export function parseJobId(jobId: string | null): { kind: HistoryJobKind; id: string } | null {
  const m = jobId ? JOB_ID.exec(jobId) : null;
  const kind = m && JOB_PREFIXES.find(([p]) => p === m[1])?.[1];
  return m && kind ? { kind, id: m[2]! } : null;
}

/** Where a row without a job came from, by its idempotency key (activities/ledger.ts, activities/payments.ts). */
function sourceOf(key: string): HistoryEntry['source'] {
  if (key.startsWith('welcome:')) return 'welcome';
  if (key.startsWith('payment-refund-revert:')) return 'stars-refund-reverted';
  if (key.startsWith('payment-refund:')) return 'stars-refund';
  return 'other';
}

export async function ledgerHistory(prisma: PrismaClient, userId: number, take = 10): Promise<HistoryEntry[]> {
  const rows = await preparedRows<{ kind: TransactionKind; amount: number; balanceAfter: number; idempotencyKey: string; jobId: string | null; reason: string | null; createdAt: Date }>(
    prisma,
    'ledger-history',
    `SELECT kind::text AS kind, amount, balance_after AS "balanceAfter", idempotency_key AS "idempotencyKey", job_id AS "jobId", reason,
            created_at AT TIME ZONE 'UTC' AS "createdAt"
       FROM transactions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [userId, take],
  );
  const refs = rows.map((r) => parseJobId(r.jobId));
  const ids = (kind: HistoryJobKind) => [...new Set(refs.filter((j) => j?.kind === kind).map((j) => j!.id))];
  const [generationIds, avatarIds, transcriptIds] = [ids('generation'), ids('avatar'), ids('transcription')];
  const [generations, avatars, transcripts] = await Promise.all([
    generationIds.length
      ? prisma.generation.findMany({
          where: { userId, id: { in: generationIds } },
          select: { id: true, mode: true, numImages: true, unitPrice: true, avatar: { select: { name: true } } },
        })
      : [],
    avatarIds.length ? prisma.avatar.findMany({ where: { userId, id: { in: avatarIds } }, select: { id: true, name: true } }) : [],
    transcriptIds.length ? prisma.transcript.findMany({ where: { userId, id: { in: transcriptIds } }, select: { id: true, durationSec: true } }) : [],
  ]);
  const jobOf = (ref: { kind: HistoryJobKind; id: string } | null): HistoryJob | null => {
    if (!ref) return null;
    if (ref.kind === 'summary') return { kind: 'summary', found: true };
    if (ref.kind === 'generation') {
      const g = generations.find((x) => x.id === ref.id);
      return g ? { kind: 'generation', found: true, mode: g.mode, numImages: g.numImages, unitPrice: g.unitPrice, avatarName: g.avatar?.name ?? null } : { kind: ref.kind, found: false };
    }
    if (ref.kind === 'avatar') {
      const a = avatars.find((x) => x.id === ref.id);
      return a ? { kind: 'avatar', found: true, name: a.name } : { kind: ref.kind, found: false };
    }
    const t = transcripts.find((x) => x.id === ref.id);
    return t ? { kind: 'transcription', found: true, durationSec: t.durationSec } : { kind: ref.kind, found: false };
  };
  return rows.map((r, i) => ({
    kind: r.kind,
    amount: r.amount,
    balanceAfter: r.balanceAfter,
    createdAt: r.createdAt,
    source: sourceOf(r.idempotencyKey),
    reason: r.kind === 'GRANT' && sourceOf(r.idempotencyKey) === 'other' ? r.reason : null,
    job: jobOf(refs[i]!),
  }));
}

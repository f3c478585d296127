import { Prisma, preparedRows, type PrismaClient } from '../prisma';
import type { TransactionKind } from '../../generated/prisma/enums';

export type { TransactionKind };

/** One balance change. `amount` is signed: positive credits the user, negative debits. */
export interface LedgerEntry {
  userId: number;
  kind: TransactionKind;
  amount: number;
  /** Unique per business event, e.g. `welcome:<userId>`, `<job>:charge`, `<job>:refund`. */
  idempotencyKey: string;
  jobId?: string;
  reason?: string;
}

export interface LedgerResult {
  /** false when this idempotency key had already been applied (nothing changed now). */
  applied: boolean;
  transactionId: number;
  amount: number;
  balanceAfter: number;
}

/** The welcome grant's idempotency key: one per user, whatever the number of /start. */
export const welcomeGrantKey = (userId: number) => `welcome:${userId}`;

export class InsufficientFundsError extends Error {
  constructor(
    readonly balance: number,
    readonly required: number,
  ) {
    super(`insufficient funds: balance ${balance}, required ${required}`);
    this.name = 'InsufficientFundsError';
  }
}

export class IdempotencyConflictError extends Error {
  constructor(key: string) {
    super(`idempotency key ${key} was already used for a different change`);
    this.name = 'IdempotencyConflictError';
  }
}

export const isUniqueViolation = (err: unknown) =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

async function existingResult(prisma: PrismaClient, entry: LedgerEntry): Promise<LedgerResult | null> {
  const tx = await prisma.transaction.findUnique({
    where: { idempotencyKey: entry.idempotencyKey },
    select: { id: true, userId: true, amount: true, balanceAfter: true },
  });
  if (!tx) return null;
  if (tx.userId !== entry.userId || tx.amount !== entry.amount) throw new IdempotencyConflictError(entry.idempotencyKey);
  return { applied: false, transactionId: tx.id, amount: tx.amount, balanceAfter: tx.balanceAfter };
}

/**
 * Applies one ledger entry exactly once: a single DB transaction that updates
 * the balance conditionally (it can never go negative) and writes the
 * transaction row with its unique idempotency key. A repeat of the same key
 * changes nothing and returns the first result, also under concurrency (the
 * loser's unique violation rolls its balance update back).
 */
export async function applyLedgerEntry(
  prisma: PrismaClient,
  entry: LedgerEntry,
  /** More writes that must commit or roll back with this entry (e.g. the payment row of a top-up). */
  within?: (tx: Prisma.TransactionClient) => Promise<void>,
): Promise<LedgerResult> {
  if (!Number.isSafeInteger(entry.amount) || entry.amount === 0) {
    throw new RangeError(`ledger amount must be a non-zero integer, got ${entry.amount}`);
  }
  const seen = await existingResult(prisma, entry);
  if (seen) return seen;
  try {
    return await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO balances (user_id, credits, updated_at) VALUES (${entry.userId}, 0, now() AT TIME ZONE 'UTC') ON CONFLICT (user_id) DO NOTHING`;
      const rows = await tx.$queryRaw<{ credits: number }[]>`
        UPDATE balances SET credits = credits + ${entry.amount}, updated_at = now() AT TIME ZONE 'UTC'
        WHERE user_id = ${entry.userId} AND credits + ${entry.amount} >= 0
        RETURNING credits`;
      if (rows.length === 0) {
        const balance = await tx.balance.findUnique({ where: { userId: entry.userId }, select: { credits: true } });
        throw new InsufficientFundsError(balance?.credits ?? 0, -entry.amount);
      }
      const balanceAfter = Number(rows[0]!.credits);
      const created = await tx.transaction.create({
        data: {
          userId: entry.userId,
          kind: entry.kind,
          amount: entry.amount,
          balanceAfter,
          idempotencyKey: entry.idempotencyKey,
          jobId: entry.jobId ?? null,
          reason: entry.reason ?? null,
        },
        select: { id: true },
      });
      if (within) await within(tx);
      return { applied: true, transactionId: created.id, amount: entry.amount, balanceAfter };
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const first = await existingResult(prisma, entry);
      if (first) return first;
    }
    throw err;
  }
}

export async function getBalance(prisma: PrismaClient, userId: number): Promise<number> {
  const [row] = await preparedRows<{ credits: number }>(prisma, 'balance-of-user', 'SELECT credits FROM balances WHERE user_id = $1', [userId]);
  return row?.credits ?? 0;
}

/** The ledger invariant: the balance equals the sum of the user's transactions. */
export async function ledgerSum(prisma: PrismaClient, userId: number): Promise<number> {
  const agg = await prisma.transaction.aggregate({ where: { userId }, _sum: { amount: true } });
  return agg._sum.amount ?? 0;
}

/** The job's CHARGE and REFUND rows (for the "refund ≤ charge" rule and for operators). */
export async function jobLedger(prisma: PrismaClient, jobId: string) {
  const rows = await prisma.transaction.findMany({ where: { jobId }, select: { kind: true, amount: true, idempotencyKey: true } });
  const charged = -rows.filter((r) => r.kind === 'CHARGE').reduce((a, r) => a + r.amount, 0);
  const refunded = rows.filter((r) => r.kind === 'REFUND').reduce((a, r) => a + r.amount, 0);
  return { charged, refunded, rows };
}

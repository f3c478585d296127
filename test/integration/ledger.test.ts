import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLedgerEntry, getBalance, IdempotencyConflictError, InsufficientFundsError, ledgerSum } from '../../lib/db/ledger';
import { ledgerHistory } from '../../lib/db/history';
import { findUserByTelegramId, refreshProfileForGreeting, upsertUser } from '../../lib/db/users';
import { createPrisma, type PrismaClient } from '../../lib/prisma';
import { testConfig, uniqueSuffix, uniqueTelegramId } from '../helpers/config';

describe('ledger on real PostgreSQL', () => {
  let prisma: PrismaClient;
  beforeAll(() => {
    prisma = createPrisma(testConfig().databaseUrl, { max: 20 });
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  const newUser = async () => (await upsertUser(prisma, { telegramId: uniqueTelegramId() })).id;

  it('applies an idempotency key once, even when 20 callers race with it', async () => {
    const userId = await newUser();
    const key = `race:${uniqueSuffix()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => applyLedgerEntry(prisma, { userId, kind: 'GRANT', amount: 7, idempotencyKey: key })),
    );
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(new Set(results.map((r) => r.transactionId)).size).toBe(1);
    expect(await getBalance(prisma, userId)).toBe(7);
    expect(await prisma.transaction.count({ where: { userId } })).toBe(1);
  });

  it('never goes negative under concurrent debits; balance equals the sum of transactions', async () => {
    const userId = await newUser();
    await applyLedgerEntry(prisma, { userId, kind: 'GRANT', amount: 50, idempotencyKey: `g:${uniqueSuffix()}` });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => applyLedgerEntry(prisma, { userId, kind: 'CHARGE', amount: -4, idempotencyKey: `c:${uniqueSuffix()}:${i}` })),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(ok).toBe(12); // 12 × 4 = 48 ≤ 50 < 13 × 4
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientFundsError);
    expect(await getBalance(prisma, userId)).toBe(2);
    expect(await ledgerSum(prisma, userId)).toBe(2);
    const rows = await prisma.transaction.findMany({ where: { userId }, orderBy: { id: 'asc' } });
    expect(rows.every((r) => r.balanceAfter >= 0)).toBe(true);
  });

  it('refuses a debit larger than the balance and writes nothing', async () => {
    const userId = await newUser();
    await expect(applyLedgerEntry(prisma, { userId, kind: 'CHARGE', amount: -1, idempotencyKey: `c:${uniqueSuffix()}` })).rejects.toMatchObject({
      name: 'InsufficientFundsError',
      balance: 0,
      required: 1,
    });
    expect(await prisma.transaction.count({ where: { userId } })).toBe(0);
  });

  it('rejects a reused key with a different amount, and non-integer amounts', async () => {
    const userId = await newUser();
    const key = `k:${uniqueSuffix()}`;
    await applyLedgerEntry(prisma, { userId, kind: 'GRANT', amount: 5, idempotencyKey: key });
    await expect(applyLedgerEntry(prisma, { userId, kind: 'GRANT', amount: 6, idempotencyKey: key })).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(applyLedgerEntry(prisma, { userId, kind: 'GRANT', amount: 1.5, idempotencyKey: `x:${uniqueSuffix()}` })).rejects.toBeInstanceOf(RangeError);
    expect(await getBalance(prisma, userId)).toBe(5);
  });

  it('the database itself refuses a negative balance', async () => {
    const userId = await newUser();
    await expect(prisma.$executeRaw`UPDATE balances SET credits = -1 WHERE user_id = ${userId}`).rejects.toThrow(/balances_credits_non_negative/);
  });

  it('reads the same user, balance and history as Prisma through the prepared statements, whatever the process time zone', async () => {
    const telegramId = uniqueTelegramId();
    const userId = (await upsertUser(prisma, { telegramId, languageCode: 'en' })).id;
    await applyLedgerEntry(prisma, { userId, kind: 'GRANT', amount: 9, idempotencyKey: `tz:${uniqueSuffix()}`, reason: 'a test' });
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo'; // pg reads a column without a zone as local time; Prisma stores UTC there
    try {
      const expected = await prisma.user.findUnique({ where: { telegramId: BigInt(telegramId) }, select: { id: true, firstName: true, language: true, timeZone: true, speakerLabels: true, createdAt: true } });
      expect(await findUserByTelegramId(prisma, telegramId)).toEqual(expected);
      expect(await findUserByTelegramId(prisma, uniqueTelegramId())).toBeNull();
      expect(await getBalance(prisma, userId)).toBe(9);
      const row = await prisma.transaction.findFirstOrThrow({ where: { userId } });
      expect(await ledgerHistory(prisma, userId)).toEqual([
        { kind: 'GRANT', amount: 9, balanceAfter: 9, createdAt: row.createdAt, source: 'other', reason: 'a test', job: null },
      ]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('writes UTC into the columns without a zone, whatever the PostgreSQL session\'s time zone', async () => {
    const url = new URL(testConfig().databaseUrl);
    url.searchParams.set('options', '-c TimeZone=Asia/Tokyo'); // a server set to another zone than UTC
    const tokyo = createPrisma(url.toString());
    try {
      const telegramId = uniqueTelegramId();
      const userId = (await upsertUser(prisma, { telegramId, firstName: 'Ann' })).id;
      await refreshProfileForGreeting(tokyo, userId, { firstName: 'Anna' });
      await applyLedgerEntry(tokyo, { userId, kind: 'GRANT', amount: 3, idempotencyKey: `tz-write:${uniqueSuffix()}` });
      const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { firstName: true, updatedAt: true } });
      const balance = await prisma.balance.findUniqueOrThrow({ where: { userId }, select: { updatedAt: true } });
      expect(user.firstName).toBe('Anna');
      // Prisma reads these columns as UTC: a write in Tokyo's local time would be 9 hours ahead.
      expect(Math.abs(user.updatedAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(Math.abs(balance.updatedAt.getTime() - Date.now())).toBeLessThan(60_000);
    } finally {
      await tokyo.$disconnect();
    }
  });
});

// Ledger throughput on the real local PostgreSQL: the conditional, idempotent
// ledger entry against a baseline of one plain INSERT round trip.
import { randomBytes } from 'node:crypto';
import { loadBenchServiceUrls } from '../lib/config';
import { applyLedgerEntry } from '../lib/db/ledger';
import { upsertUser } from '../lib/db/users';
import { createPrisma } from '../lib/prisma';
import { measure, printRow } from './stats';

export async function ledgerBench(): Promise<void> {
  const prisma = createPrisma(loadBenchServiceUrls().databaseUrl, { max: 20 });
  const run = randomBytes(4).toString('hex');
  const users = await Promise.all(
    Array.from({ length: 10 }, (_, i) => upsertUser(prisma, { telegramId: 9_000_000_000 + Number.parseInt(run, 16) % 100_000 * 10 + i })),
  );
  const total = 2000;
  for (const concurrency of [1, 10]) {
    const baseline = await measure(total, concurrency, (i) =>
      prisma.processedWebhook.create({ data: { source: `bench-${run}-${concurrency}`, externalId: String(i) } }),
    );
    printRow(`baseline: plain INSERT, ${concurrency} caller(s)`, baseline);
    const grants = await measure(total, concurrency, (i) =>
      applyLedgerEntry(prisma, { userId: users[i % users.length]!.id, kind: 'GRANT', amount: 3, idempotencyKey: `bench:${run}:${concurrency}:${i}` }),
    );
    printRow(`ledger entry (new key), ${concurrency} caller(s)`, grants, baseline);
    const repeats = await measure(total, concurrency, (i) =>
      applyLedgerEntry(prisma, { userId: users[i % users.length]!.id, kind: 'GRANT', amount: 3, idempotencyKey: `bench:${run}:${concurrency}:${i}` }),
    );
    printRow(`ledger entry (repeated key), ${concurrency} caller(s)`, repeats, baseline);
  }
  await prisma.processedWebhook.deleteMany({ where: { source: { startsWith: `bench-${run}` } } });
  await prisma.$disconnect();
}

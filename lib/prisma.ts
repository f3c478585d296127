import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';

export type { PrismaClient };
export { Prisma } from '../generated/prisma/client';

/** The pg pool under each client createPrisma made. */
const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * One client per process, on the pg driver adapter (no Rust engine). Its pg
 * pool is ours, so the few reads made on every update can use it directly
 * (`preparedRows`); `$disconnect` ends it (the client is not used after).
 */
export function createPrisma(databaseUrl: string, opts: { max?: number } = {}): PrismaClient {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 10 });
  // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool; the next query opens
  // another. Prisma's adapter listens only once Prisma has connected, and reads on the pool come first.
  pool.on('error', () => undefined);
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  // The adapter ends the pool only if Prisma had connected.
  const disconnect = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    await disconnect();
    if (!pool.ended) await pool.end();
  };
  pools.set(client, pool);
  return client;
}

/**
 * Rows of a statement made on every update (the user's row, the balance and
 * its history, the day's activity), as a named prepared statement on the
 * client's own pool: parsed
 * and planned once per connection, no query compiler. Prisma costs 5–12
 * times the CPU for the same read (docs/decisions.md, "The bot's statements on
 * every update"), which is what 200 users at once wait for. `name` must
 * always go with the same `text`. Columns come back as pg gives them: name
 * them in camelCase, and read `timestamp` columns `AT TIME ZONE 'UTC'`
 * (Prisma stores UTC in columns without a zone).
 */
export async function preparedRows<R extends object>(prisma: PrismaClient, name: string, text: string, values: unknown[]): Promise<R[]> {
  const pool = pools.get(prisma);
  if (!pool) throw new Error('preparedRows needs a client made by createPrisma');
  return (await pool.query<R>({ name, text, values })).rows;
}

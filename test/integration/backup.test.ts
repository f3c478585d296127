import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyLedgerEntry, getBalance } from '../../lib/db/ledger';
import { upsertUser } from '../../lib/db/users';
import { createMinio, type MinioClient } from '../../lib/minio';
import { createPrisma, type PrismaClient } from '../../lib/prisma';
import { createStorage } from '../../lib/storage';
import { testConfig, uniqueSuffix, uniqueTelegramId } from '../helpers/config';

const run = promisify(execFile);

/**
 * `npm run backup` then `npm run restore`, as an operator runs them, but
 * narrowed to this test's database and objects and restored into scratch
 * targets (a database suffix, a bucket prefix), never over the live ones:
 * other suites use the same services at the same time.
 */
describe('backup and restore', () => {
  const env = inject('env');
  const config = testConfig();
  const database = new URL(config.databaseUrl).pathname.slice(1);
  const admin = config.databaseUrl.replace(/\/[^/]+$/, '/postgres');
  const suffix = uniqueSuffix();
  const dbSuffix = `_restore_${suffix}`;
  const badSuffix = `_restore_bad_${suffix}`;
  const bucketPrefix = `rs-${suffix}-`;
  const badPrefix = `rsbad-${suffix}-`;
  let prisma: PrismaClient;
  let minio: MinioClient;
  let dir: string;
  let userId: number;
  let key: string;
  const bytes = Buffer.from(`a generated picture ${suffix}\u0000\u00ff`, 'latin1');

  const script = (args: string[], extra: Record<string, string> = {}) =>
    run('bash', args, { env: { ...process.env, ...env, ...extra }, maxBuffer: 16 * 1024 * 1024 });
  const psql = (sql: string) => run('psql', [admin, '-Atc', sql]).then((r) => r.stdout.trim());
  const dropBucket = async (bucket: string) => {
    if (!(await minio.bucketExists(bucket))) return;
    const names: string[] = [];
    for await (const item of minio.listObjectsV2(bucket, '', true) as AsyncIterable<{ name?: string }>) if (item.name) names.push(item.name);
    await minio.removeObjects(bucket, names);
    await minio.removeBucket(bucket);
  };

  beforeAll(async () => {
    prisma = createPrisma(config.databaseUrl);
    minio = createMinio(config.minio);
    dir = await mkdtemp(join(tmpdir(), 'aisha-backup-'));
    userId = (await upsertUser(prisma, { telegramId: uniqueTelegramId() })).id;
    await applyLedgerEntry(prisma, { userId, kind: 'GRANT', amount: 100, idempotencyKey: `backup-grant:${suffix}` });
    key = `${userId}/backup-${suffix}/picture.png`;
    await createStorage(minio, config.minio).put('generations', key, bytes, 'image/png');

    await script(['scripts/backup.sh', join(dir, 'good')], { BACKUP_DATABASES: database, BACKUP_OBJECT_PREFIX: `${userId}/backup-${suffix}/` });

    // After the backup: the object is deleted and the balance changes.
    await minio.removeObject('generations', key);
    await applyLedgerEntry(prisma, { userId, kind: 'CHARGE', amount: -30, idempotencyKey: `backup-charge:${suffix}` });
  });

  afterAll(async () => {
    for (const s of [dbSuffix, badSuffix]) await psql(`DROP DATABASE IF EXISTS "${database}${s}" WITH (FORCE)`);
    for (const p of [bucketPrefix, badPrefix]) await dropBucket(`${p}generations`);
    await prisma.$disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a manifest with the dump and the object, and their sha256', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'good', 'manifest.json'), 'utf8')) as {
      postgres: { database: string }[];
      minio: { buckets: Record<string, { objects: number; bytes: number }> };
      files: { path: string; size: number; sha256: string }[];
    };
    expect(manifest.postgres.map((d) => d.database)).toEqual([database]);
    expect(manifest.minio.buckets).toEqual({ generations: { objects: 1, bytes: bytes.length } });
    expect(manifest.files.map((f) => f.path)).toEqual([`postgres/${database}.dump`, 'minio/objects.json']);
    for (const f of manifest.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('restores the rows and the object bytes as they were at the backup, into scratch targets only', async () => {
    expect(await getBalance(prisma, userId)).toBe(70);
    await script(['scripts/restore.sh', join(dir, 'good')], { RESTORE_DB_SUFFIX: dbSuffix, RESTORE_BUCKET_PREFIX: bucketPrefix });

    const restored = createPrisma(config.databaseUrl.replace(/\/[^/]+$/, `/${database}${dbSuffix}`));
    try {
      expect(await getBalance(restored, userId)).toBe(100);
      const rows = await restored.transaction.findMany({ where: { userId }, select: { kind: true, amount: true, idempotencyKey: true } });
      expect(rows).toEqual([{ kind: 'GRANT', amount: 100, idempotencyKey: `backup-grant:${suffix}` }]);
    } finally {
      await restored.$disconnect();
    }
    const storage = createStorage(minio, config.minio);
    expect(await storage.get(`${bucketPrefix}generations` as 'generations', key)).toEqual(bytes);
    expect((await minio.statObject(`${bucketPrefix}generations`, key)).metaData['content-type']).toBe('image/png');

    // The live database and bucket are as the test left them.
    expect(await getBalance(prisma, userId)).toBe(70);
    expect(await storage.exists('generations', key)).toBe(false);
  });

  it('refuses a backup with a damaged dump, with a clear message, and restores nothing', async () => {
    const bad = join(dir, 'bad');
    await cp(join(dir, 'good'), bad, { recursive: true });
    const dump = join(bad, 'postgres', `${database}.dump`);
    const data = await readFile(dump);
    const at = Math.floor(data.length / 2);
    data[at] = data[at]! ^ 0xff;
    await writeFile(dump, data);

    const failure = await script(['scripts/restore.sh', bad], { RESTORE_DB_SUFFIX: badSuffix, RESTORE_BUCKET_PREFIX: badPrefix }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('is damaged or partial; nothing was restored');
    expect(failure?.stderr).toContain(`postgres/${database}.dump: sha256`);
    expect(await psql(`SELECT count(*) FROM pg_database WHERE datname = '${database}${badSuffix}'`)).toBe('0');
    expect(await minio.bucketExists(`${badPrefix}generations`)).toBe(false);
  });

  it('refuses a partial backup (an object file missing)', async () => {
    const partial = join(dir, 'partial');
    await cp(join(dir, 'good'), partial, { recursive: true });
    await rm(join(partial, 'minio', 'generations', '0000000'));
    const failure = await script(['scripts/restore.sh', partial], { RESTORE_DB_SUFFIX: badSuffix, RESTORE_BUCKET_PREFIX: badPrefix }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('minio/generations/0000000: missing');
    expect(await psql(`SELECT count(*) FROM pg_database WHERE datname = '${database}${badSuffix}'`)).toBe('0');
  });
});

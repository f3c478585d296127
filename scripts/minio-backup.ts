// The MinIO half of `npm run backup` / `npm run restore` (scripts/backup.sh,
// scripts/restore.sh), and the manifest both sides trust:
//   tsx scripts/minio-backup.ts backup <dir>/minio
//   tsx scripts/minio-backup.ts manifest <dir> <databases JSON> <sqlite file JSON> <narrowed>
//   tsx scripts/minio-backup.ts verify <dir>
//   tsx scripts/minio-backup.ts restore <dir>/minio      (RESTORE_BUCKET_PREFIX names scratch buckets)
// Objects are streamed to numbered files (keys may hold any character); their
// key, size, sha256, content type and metadata go to minio/objects.json.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BucketItem } from 'minio';
import { loadMinioConfig } from '../lib/config';
import { BUCKETS, createMinio } from '../lib/minio';

interface ObjectEntry {
  bucket: string;
  key: string;
  file: string;
  size: number;
  sha256: string;
  metaData: Record<string, string>;
}
interface FileEntry {
  path: string;
  size: number;
  sha256: string;
}

const out = (line: string) => process.stderr.write(`[minio-backup] ${line}\n`);

async function sha256File(path: string): Promise<FileEntry> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return { path, size: (await stat(path)).size, sha256: hash.digest('hex') };
}

async function backup(dir: string) {
  const client = createMinio(loadMinioConfig());
  const prefix = process.env.BACKUP_OBJECT_PREFIX ?? '';
  const objects: ObjectEntry[] = [];
  for (const bucket of BUCKETS) {
    if (!(await client.bucketExists(bucket))) {
      out(`bucket ${bucket} does not exist; skipped`);
      continue;
    }
    await mkdir(join(dir, bucket), { recursive: true });
    const items: BucketItem[] = [];
    for await (const item of client.listObjectsV2(bucket, prefix, true) as AsyncIterable<BucketItem>) if (item.name) items.push(item);
    for (const item of items) {
      const key = item.name!;
      const file = join(bucket, String(objects.length).padStart(7, '0'));
      const { metaData } = await client.statObject(bucket, key);
      const hash = createHash('sha256');
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(await client.getObject(bucket, key), tap, createWriteStream(join(dir, file)));
      objects.push({ bucket, key, file, size, sha256: hash.digest('hex'), metaData: metaData as Record<string, string> });
    }
    out(`${bucket}: ${items.length} objects`);
  }
  await writeFile(join(dir, 'objects.json'), JSON.stringify(objects, null, 1));
}

async function manifest(dir: string, databasesJson: string, sqliteJson: string, narrowed: string) {
  const databases = JSON.parse(databasesJson) as { database: string; owner: string; file: string }[];
  const sqlite = JSON.parse(sqliteJson) as string | null;
  const objects = JSON.parse(await readFile(join(dir, 'minio/objects.json'), 'utf8')) as ObjectEntry[];
  const rel = (p: string) => sha256File(join(dir, p)).then((f) => ({ ...f, path: p }));
  const files = await Promise.all([...databases.map((d) => d.file), ...(sqlite ? [sqlite] : []), 'minio/objects.json'].map(rel));
  const buckets: Record<string, { objects: number; bytes: number }> = {};
  for (const o of objects) {
    const b = (buckets[o.bucket] ??= { objects: 0, bytes: 0 });
    b.objects += 1;
    b.bytes += o.size;
  }
  const doc = {
    format: 'aisha-backup/1',
    createdAt: new Date().toISOString(),
    narrowed: narrowed.trim() || null,
    postgres: databases,
    temporalDevSqlite: sqlite,
    minio: { buckets, objectPrefix: process.env.BACKUP_OBJECT_PREFIX || null },
    files,
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(doc, null, 2) + '\n');
  out(`${files.length} files, ${objects.length} objects`);
}

/** Every file the manifest lists, and every object file objects.json lists, must be there with its size and sha256. */
async function verify(dir: string) {
  const problems: string[] = [];
  let doc: { files: FileEntry[] };
  try {
    doc = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { files: FileEntry[] };
  } catch (err) {
    throw new Error(`${dir}/manifest.json is missing or unreadable: not a complete backup`, { cause: err });
  }
  const check = async (path: string, size: number, sha256: string) => {
    try {
      const got = await sha256File(join(dir, path));
      if (got.size !== size) problems.push(`${path}: ${got.size} bytes, the manifest says ${size}`);
      else if (got.sha256 !== sha256) problems.push(`${path}: sha256 ${got.sha256}, the manifest says ${sha256}`);
    } catch {
      problems.push(`${path}: missing`);
    }
  };
  for (const f of doc.files) await check(f.path, f.size, f.sha256);
  if (!problems.length) {
    const objects = JSON.parse(await readFile(join(dir, 'minio/objects.json'), 'utf8')) as ObjectEntry[];
    for (const o of objects) await check(join('minio', o.file), o.size, o.sha256);
    out(`verified ${doc.files.length} files and ${objects.length} objects`);
  }
  if (problems.length) {
    process.stderr.write(`backup ${dir} is damaged or partial; nothing was restored:\n  ${problems.join('\n  ')}\n`);
    process.exit(1);
  }
}

async function restore(dir: string) {
  const client = createMinio(loadMinioConfig());
  const prefix = process.env.RESTORE_BUCKET_PREFIX ?? '';
  const objects = JSON.parse(await readFile(join(dir, 'objects.json'), 'utf8')) as ObjectEntry[];
  const made = new Set<string>();
  for (const o of objects) {
    const bucket = prefix + o.bucket;
    if (!made.has(bucket)) {
      if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket);
      made.add(bucket);
    }
    await client.putObject(bucket, o.key, createReadStream(join(dir, o.file)), o.size, o.metaData);
  }
  out(`restored ${objects.length} objects into ${[...made].join(', ') || 'no buckets'}`);
}

const [command, dir, ...rest] = process.argv.slice(2);
if (!dir) throw new Error('usage: minio-backup.ts backup|manifest|verify|restore <dir> …');
if (command === 'backup') await backup(dir);
else if (command === 'manifest') await manifest(dir, rest[0] ?? '[]', rest[1] ?? 'null', rest[2] ?? '');
else if (command === 'verify') await verify(dir);
else if (command === 'restore') await restore(dir);
else throw new Error(`unknown command ${command}`);

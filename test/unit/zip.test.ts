import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createZip } from '../../lib/zip';

const hasUnzip = (() => {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  size: number;
  data: Buffer;
}

/** An independent reader: end record → central directory → each local header and its data. */
function readZip(zip: Buffer): CentralEntry[] {
  const eocd = zip.length - 22;
  expect(zip.readUInt32LE(eocd)).toBe(0x06054b50);
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  expect(cdOffset + cdSize).toBe(eocd);
  const out: CentralEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const nameLen = zip.readUInt16LE(p + 28);
    const local = zip.readUInt32LE(p + 42);
    const entry = {
      flags: zip.readUInt16LE(p + 8),
      method: zip.readUInt16LE(p + 10),
      crc: zip.readUInt32LE(p + 16),
      size: zip.readUInt32LE(p + 24),
      name: zip.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
    };
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    expect(zip.readUInt32LE(local + 14)).toBe(entry.crc);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    out.push({ ...entry, data: zip.subarray(start, start + entry.size) });
    p += 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  expect(p).toBe(eocd);
  return out;
}

describe('lib/zip createZip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisha-zip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const photo = randomBytes(150_000);
  const entries = [
    { name: 'photo-01.jpg', data: photo },
    { name: 'captions/readme.txt', data: Buffer.from('hello, zip\n') },
    { name: 'фото ünïcödé.jpg', data: Buffer.from([1, 2, 3]) },
    { name: 'empty.bin', data: Buffer.alloc(0) },
  ];
  const zip = createZip(entries);
  const file = join(dir, 'photos.zip');
  writeFileSync(file, zip);

  it('writes STORE entries with correct CRC-32, sizes and the UTF-8 name flag', () => {
    const read = readZip(zip);
    expect(read.map((e) => e.name)).toEqual(entries.map((e) => e.name));
    for (const [i, e] of read.entries()) {
      expect(e.method).toBe(0);
      expect(e.flags & 0x0800).toBe(0x0800);
      expect(e.crc).toBe(crc32(entries[i]!.data));
      expect(e.data.equals(entries[i]!.data)).toBe(true);
    }
  });

  it.skipIf(!hasUnzip)('is accepted by Info-ZIP unzip: test, list and extract', () => {
    const env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    expect(execFileSync('unzip', ['-t', file], { env, encoding: 'utf8' })).toMatch(/No errors detected/);
    const listing = execFileSync('unzip', ['-l', file], { env, encoding: 'utf8' });
    for (const e of entries) expect(listing).toContain(e.name);
    expect(execFileSync('unzip', ['-p', file, 'photo-01.jpg'], { env, maxBuffer: 1 << 24 }).equals(photo)).toBe(true);
    expect(execFileSync('unzip', ['-p', file, 'captions/readme.txt'], { env, encoding: 'utf8' })).toBe('hello, zip\n');
  });

  it('gives the same bytes for the same entries, and an empty archive is valid', () => {
    expect(createZip(entries).equals(zip)).toBe(true);
    const empty = createZip([]);
    expect(empty.length).toBe(22);
    expect(readZip(empty)).toEqual([]);
  });

  it('refuses names that would escape the archive or collide', () => {
    expect(() => createZip([{ name: '../evil.jpg', data: Buffer.alloc(1) }])).toThrow(/relative path/);
    expect(() => createZip([{ name: '/etc/passwd', data: Buffer.alloc(1) }])).toThrow(/relative path/);
    expect(() => createZip([{ name: '', data: Buffer.alloc(1) }])).toThrow(/empty/);
    expect(() => createZip([{ name: 'a.jpg', data: Buffer.alloc(1) }, { name: 'a.jpg', data: Buffer.alloc(2) }])).toThrow(/duplicate/);
  });
});

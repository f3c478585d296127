import { crc32 } from 'node:zlib';

/**
 * A small ZIP writer (PKWARE APPNOTE 6.3): every entry is STORED (method 0,
 * no compression — photos are already compressed), names are UTF-8 (general
 * purpose flag bit 11), CRC-32 from `zlib.crc32`. Layout: local header + data
 * per entry, then the central directory, then the end-of-central-directory
 * record. No ZIP64, so at most 65 535 entries and 4 GiB in all.
 *
 * The output is deterministic (fixed timestamp unless one is given): the same
 * photos always give the same bytes, which keeps retried uploads idempotent.
 */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const VERSION_NEEDED = 20; // 2.0: plain STORE entries
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED; // host system 3 = UNIX, so the external attributes carry a file mode
const FLAG_UTF8 = 1 << 11;
const METHOD_STORE = 0;
const UNIX_FILE_MODE = 0o100644;
const MAX_U16 = 0xffff;
const MAX_U32 = 0xffffffff;

/** MS-DOS date and time (2-second resolution, years 1980–2107), local fields of the given date in UTC. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

function checkName(name: string, seen: Set<string>): Buffer {
  if (!name) throw new TypeError('zip entry name must not be empty');
  if (name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
    throw new TypeError(`zip entry name must be a relative path with forward slashes: ${JSON.stringify(name)}`);
  }
  if (seen.has(name)) throw new TypeError(`duplicate zip entry name: ${JSON.stringify(name)}`);
  seen.add(name);
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > MAX_U16) throw new RangeError(`zip entry name too long: ${bytes.length} bytes`);
  return bytes;
}

export function createZip(entries: ZipEntry[], options: { modified?: Date } = {}): Buffer {
  if (entries.length > MAX_U16) throw new RangeError(`too many zip entries: ${entries.length} (no ZIP64 support)`);
  const stamp = dosDateTime(options.modified ?? new Date(Date.UTC(1980, 0, 1)));
  const seen = new Set<string>();
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;

  for (const entry of entries) {
    const name = checkName(entry.name, seen);
    const size = entry.data.length;
    if (size > MAX_U32 || offset > MAX_U32) throw new RangeError('zip archive too large (no ZIP64 support)');
    const crc = crc32(entry.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(METHOD_STORE, 8);
    local.writeUInt16LE(stamp.time, 10);
    local.writeUInt16LE(stamp.date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(size, 18); // compressed size
    local.writeUInt32LE(size, 22); // uncompressed size
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length

    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL_HEADER, 0);
    header.writeUInt16LE(VERSION_MADE_BY, 4);
    header.writeUInt16LE(VERSION_NEEDED, 6);
    header.writeUInt16LE(FLAG_UTF8, 8);
    header.writeUInt16LE(METHOD_STORE, 10);
    header.writeUInt16LE(stamp.time, 12);
    header.writeUInt16LE(stamp.date, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(size, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(0, 30); // extra field length
    header.writeUInt16LE(0, 32); // comment length
    header.writeUInt16LE(0, 34); // disk number start
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE((UNIX_FILE_MODE << 16) >>> 0, 38); // external attributes
    header.writeUInt32LE(offset, 42); // offset of the local header

    parts.push(local, name, entry.data);
    central.push(header, name);
    offset += local.length + name.length + size;
  }

  const centralSize = central.reduce((n, b) => n + b.length, 0);
  if (offset > MAX_U32 || offset + centralSize > MAX_U32) throw new RangeError('zip archive too large (no ZIP64 support)');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk with the central directory
  end.writeUInt16LE(entries.length, 8); // entries on this disk
  end.writeUInt16LE(entries.length, 10); // entries in all
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16); // offset of the central directory
  end.writeUInt16LE(0, 20); // comment length

  return Buffer.concat([...parts, ...central, end]);
}

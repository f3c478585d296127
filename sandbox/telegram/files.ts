import { createHash, randomBytes } from 'node:crypto';

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  data: Buffer;
  mimeType: string;
  fileName?: string;
}

const EXT_BY_MIME: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'oga',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/x-wav': 'wav',
  'audio/wav': 'wav',
  'video/mp4': 'mp4',
  'text/plain': 'txt',
  'application/x-subrip': 'srt',
};

/** Every file the sandbox knows: uploaded by users or by the bot. Same bytes → same file_unique_id, as in Telegram. */
export class FileStore {
  private byId = new Map<string, StoredFile>();
  private byPath = new Map<string, StoredFile>();

  put(data: Buffer, mimeType: string, folder: string, fileName?: string): StoredFile {
    const digest = createHash('sha256').update(data).digest('base64url');
    const fileUniqueId = `AQAD${digest.slice(0, 12)}`;
    const fileId = `BQAC${randomBytes(18).toString('base64url')}`;
    const ext = fileName?.split('.').pop() ?? EXT_BY_MIME[mimeType] ?? 'bin';
    const file: StoredFile = { fileId, fileUniqueId, filePath: `${folder}/file_${this.byId.size + 1}.${ext}`, data, mimeType, fileName };
    this.byId.set(fileId, file);
    this.byPath.set(file.filePath, file);
    return file;
  }

  get(fileId: string): StoredFile | undefined {
    return this.byId.get(fileId);
  }

  byFilePath(path: string): StoredFile | undefined {
    return this.byPath.get(path);
  }
}

/** Guesses a MIME type from the first bytes (what Telegram does with uploads). */
export function sniffMime(data: Buffer, fallback = 'application/octet-stream'): string {
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.subarray(0, 4).toString() === 'RIFF' && data.subarray(8, 12).toString() === 'WEBP') return 'image/webp';
  if (data.subarray(0, 4).toString() === 'OggS') return 'audio/ogg';
  if (data.subarray(0, 3).toString() === 'ID3' || (data[0] === 0xff && ((data[1] ?? 0) & 0xe0) === 0xe0)) return 'audio/mpeg';
  if (data.subarray(0, 4).toString() === 'RIFF' && data.subarray(8, 12).toString() === 'WAVE') return 'audio/wav';
  if (data.subarray(4, 8).toString() === 'ftyp') return 'video/mp4';
  return fallback;
}

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { PhotoSize } from 'grammy/types';
import type { FileStore, StoredFile } from './files';

/** Telegram keeps a photo in several sizes: a thumbnail and the (≤ 1280 px) original. */
export async function photoSizes(files: FileStore, data: Buffer): Promise<PhotoSize[]> {
  const meta = await sharp(data).metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const original = files.put(data, meta.format === 'png' ? 'image/png' : 'image/jpeg', 'photos');
  const size = (f: StoredFile, w: number, h: number): PhotoSize => ({ file_id: f.fileId, file_unique_id: f.fileUniqueId, width: w, height: h, file_size: f.data.length });
  const scale = Math.min(1, 90 / Math.max(width, height, 1));
  const thumbBytes = await sharp(data).resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))).jpeg().toBuffer();
  const thumb = files.put(thumbBytes, 'image/jpeg', 'thumbnails');
  return [size(thumb, Math.round(width * scale), Math.round(height * scale)), size(original, width, height)];
}

/** Duration in whole seconds by ffprobe (0 when the bytes are not media). A file, not a pipe: Ogg needs seeking. */
export async function probeDuration(data: Buffer): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tg-sandbox-'));
  try {
    const file = path.join(dir, 'media');
    await writeFile(file, data);
    const out = await new Promise<string>((resolve) =>
      execFile('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], (err, stdout) => resolve(err ? '' : stdout)),
    );
    return Math.round(Number.parseFloat(out) || 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

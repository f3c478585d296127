import type { PhotoRejection } from '../activities/photos';
import type { PhotoVerdict } from './avatar-api';
import { dbActivities, mediaActivities, openaiActivities } from './proxies';

/** Near-duplicates (re-sent, re-compressed) differ in a few bits of their 64-bit difference hash. */
const DUPLICATE_DISTANCE = 6;

function hamming(a: string, b: string): number {
  let bits = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    let x = Number.parseInt(a[i]!, 16) ^ Number.parseInt(b[i]!, 16);
    for (; x; x >>= 1) bits += x & 1;
  }
  return bits;
}

export interface AcceptedPhoto {
  fileUniqueId: string;
  objectKey: string;
  phash: string;
}

export type PhotoReason = PhotoRejection | 'duplicate' | 'too_many';

/**
 * One batch of photos (an album arrives as several signals at once): download,
 * normalise and assess them in parallel, then decide in arrival order —
 * duplicates and photos over the limit are rejected deterministically.
 */
export async function processPhotoBatch(
  ctx: { userId: number; avatarId: string; maxPhotos: number; accepted: AcceptedPhoto[]; seen: Set<string> },
  batch: { fileId: string; fileUniqueId: string; messageId?: number }[],
): Promise<PhotoVerdict[]> {
  const media = mediaActivities();
  const openai = openaiActivities();
  const db = dbActivities();
  const fresh = batch.filter((p) => !ctx.seen.has(p.fileUniqueId));
  const verdicts: PhotoVerdict[] = batch.filter((p) => ctx.seen.has(p.fileUniqueId)).map((p) => ({ fileUniqueId: p.fileUniqueId, accepted: false, reason: 'duplicate', messageId: p.messageId }));
  for (const p of fresh) ctx.seen.add(p.fileUniqueId);

  const checked = await Promise.all(
    fresh.map(async (p) => {
      try {
        const prepared = await media.preparePhoto({ userId: ctx.userId, avatarId: ctx.avatarId, fileId: p.fileId, fileUniqueId: p.fileUniqueId });
        if (!prepared.ok) return { photo: p, reason: prepared.reason as PhotoReason };
        const assessed = await openai.assessPhoto({ objectKey: prepared.objectKey });
        return assessed.ok ? { photo: p, prepared } : { photo: p, reason: assessed.reason as PhotoReason, prepared };
      } catch {
        return { photo: p, reason: 'download_failed' as PhotoReason };
      }
    }),
  );

  const records: Promise<void>[] = [];
  for (const c of checked) {
    let reason = c.reason;
    if (!reason && c.prepared?.ok) {
      if (ctx.accepted.some((a) => hamming(a.phash, c.prepared!.ok ? c.prepared!.phash : '') <= DUPLICATE_DISTANCE)) reason = 'duplicate';
      else if (ctx.accepted.length >= ctx.maxPhotos) reason = 'too_many';
    }
    const prepared = c.prepared?.ok ? c.prepared : undefined;
    if (!reason && prepared) ctx.accepted.push({ fileUniqueId: c.photo.fileUniqueId, objectKey: prepared.objectKey, phash: prepared.phash });
    verdicts.push({ fileUniqueId: c.photo.fileUniqueId, accepted: !reason, reason, messageId: c.photo.messageId });
    records.push(
      db.recordPhoto({
        avatarId: ctx.avatarId,
        fileId: c.photo.fileId,
        fileUniqueId: c.photo.fileUniqueId,
        status: reason ? 'REJECTED' : 'ACCEPTED',
        rejectReason: reason,
        objectKey: prepared?.objectKey,
        sha256: prepared?.sha256,
        width: prepared?.width,
        height: prepared?.height,
        sizeBytes: prepared?.sizeBytes,
      }),
    );
  }
  await Promise.all(records);
  return verdicts;
}

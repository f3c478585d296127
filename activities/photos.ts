import { createHash } from 'node:crypto';
import { ApplicationFailure, cancellationSignal, log } from '@temporalio/activity';
import type { Api } from 'grammy';
import { BadRequestError, UnprocessableEntityError, type OpenAI } from 'openai';
import sharp from 'sharp';
import { z } from 'zod';
import type { Config } from '../lib/config';
import { dHash } from '../lib/image-hash';
import { StructuredOutputError, structuredOutput } from '../lib/openai';
import type { Storage } from '../lib/storage';
import { downloadTelegramFile, TelegramFileTooBigError, TelegramFileUnavailableError } from '../lib/telegram-files';
import { createZip } from '../lib/zip';

/**
 * The photo pipeline of avatar training (DESIGN.md, process 1):
 *   preparePhoto          ("media" queue)  Telegram → decode → normalised JPEG in MinIO, with its hashes
 *   assessPhoto           ("openai" queue) vision check (one clear face, …) + moderation
 *   buildTrainingArchive  ("media" queue)  the accepted photos as one zip in MinIO
 * A rejected photo is a return value with a stable reason (the user is told
 * why); exceptions mean "try again" (network, rate limits, 5xx) unless they
 * are non-retryable ApplicationFailures.
 */

export type PhotoRejection = 'not_image' | 'too_large' | 'too_small' | 'download_failed' | 'no_face' | 'many_faces' | 'blurred' | 'occluded' | 'explicit';

export interface PreparePhotoInput {
  userId: number;
  avatarId: string;
  fileId: string;
  fileUniqueId: string;
}
export type PreparedPhoto =
  | { ok: true; objectKey: string; sha256: string; phash: string; width: number; height: number; sizeBytes: number }
  | { ok: false; reason: PhotoRejection };

export interface AssessPhotoInput {
  objectKey: string;
}
export type PhotoAssessment = { ok: true } | { ok: false; reason: PhotoRejection };

export interface BuildArchiveInput {
  userId: number;
  avatarId: string;
  objectKeys: string[];
}

/** Telegram's cloud Bot API serves files up to 20 MB to bots. */
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024;
export const MIN_SHORT_SIDE = 512;
export const MAX_LONG_SIDE = 2048;
/** What the vision model gets: enough for a face, cheap in tokens. */
export const ASSESSMENT_LONG_SIDE = 768;

/** What a vision call sees: EXIF orientation applied, ≤ 768 px on the long side, JPEG on white, as a data URL. */
export async function visionDataUrl(image: Buffer): Promise<string> {
  const preview = await sharp(image, { failOn: 'error' })
    .rotate()
    .resize({ width: ASSESSMENT_LONG_SIDE, height: ASSESSMENT_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 85 })
    .toBuffer();
  return `data:image/jpeg;base64,${preview.toString('base64')}`;
}
const JPEG_QUALITY = 90;
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);
const BUCKET = 'avatars';

export const PhotoErrors = {
  objectMissing: 'PhotoObjectMissing',
  foreignObject: 'PhotoForeignObject',
  emptyArchive: 'PhotoArchiveEmpty',
  openaiRejected: 'OpenAIRequestRejected',
} as const;

export const photoObjectKey = (userId: number, avatarId: string, sha256: string) => `${userId}/${avatarId}/photos/${sha256}.jpg`;
export const trainingArchiveKey = (userId: number, avatarId: string) => `${userId}/${avatarId}/training.zip`;

export const PHOTO_ASSESSMENT_PROMPT_V1 = `You check photos a user uploads to train a personal AI avatar (a LoRA of their face).
Look at the single photo and report facts about it:
- face_count: how many human faces are visible (0 if none; count faces in the background too).
- clear_face: true only if exactly one face is clearly visible, in focus, reasonably lit and large enough to show the features.
- blurred: true if the face or the whole photo is out of focus, motion-blurred, heavily pixelated or too dark to see details.
- occluded: true if a large part of the face is hidden (hands, masks, hair over the eyes, objects, heavy filters or stickers).
- sunglasses: true if the person wears sunglasses or any glasses that hide the eyes.
- explicit: true if the photo contains nudity or sexual content.
- acceptable: true only if the photo is a good training photo: exactly one clearly visible face, not blurred, no sunglasses, no heavy occlusion, not explicit.
- reason: one short English sentence explaining the verdict.
Judge only what is visible. Do not identify the person.`;

const PhotoAssessmentSchema = z.object({
  face_count: z.number().int().min(0),
  clear_face: z.boolean(),
  blurred: z.boolean(),
  occluded: z.boolean(),
  sunglasses: z.boolean(),
  explicit: z.boolean(),
  acceptable: z.boolean(),
  reason: z.string(),
});
export type PhotoAssessmentVerdict = z.infer<typeof PhotoAssessmentSchema>;

/** The verdict and moderation result as a user-facing outcome (first matching rule wins). */
export function toPhotoAssessment(verdict: PhotoAssessmentVerdict, flagged: boolean): PhotoAssessment {
  if (flagged || verdict.explicit) return { ok: false, reason: 'explicit' };
  if (verdict.face_count === 0) return { ok: false, reason: 'no_face' };
  if (verdict.face_count > 1) return { ok: false, reason: 'many_faces' };
  if (verdict.blurred) return { ok: false, reason: 'blurred' };
  if (verdict.sunglasses || verdict.occluded) return { ok: false, reason: 'occluded' };
  return { ok: true };
}

export function createPhotoActivities({ config, storage, telegramApi, openai }: { config: Config; storage: Storage; telegramApi: Api; openai: OpenAI }) {
  const reject = (reason: PhotoRejection, details: Record<string, unknown>) => {
    log.info('photo rejected', { reason, ...details });
    return { ok: false as const, reason };
  };

  return {
    /** Telegram file → normalised JPEG (EXIF orientation applied, metadata stripped, ≤ 2048 px) in MinIO. */
    async preparePhoto({ userId, avatarId, fileId, fileUniqueId }: PreparePhotoInput): Promise<PreparedPhoto> {
      let original: Buffer;
      try {
        ({ data: original } = await downloadTelegramFile(
          telegramApi,
          { token: config.telegram.token, apiRoot: config.telegram.apiRoot, signal: cancellationSignal() },
          fileId,
          MAX_PHOTO_BYTES,
        ));
      } catch (err) {
        if (err instanceof TelegramFileTooBigError) return reject('too_large', { fileUniqueId, error: err.message });
        if (err instanceof TelegramFileUnavailableError) return reject('download_failed', { fileUniqueId, error: err.message });
        throw err;
      }

      let format: string | undefined;
      try {
        const meta = await sharp(original).metadata();
        format = meta.format;
        if (!ACCEPTED_FORMATS.has(meta.format)) return reject('not_image', { fileUniqueId, format });
        if (Math.min(meta.width, meta.height) < MIN_SHORT_SIDE) return reject('too_small', { fileUniqueId, width: meta.width, height: meta.height });
      } catch (err) {
        return reject('not_image', { fileUniqueId, error: (err as Error).message });
      }

      let jpeg: Buffer;
      let width: number;
      let height: number;
      try {
        ({ data: jpeg, info: { width, height } } = await sharp(original, { failOn: 'error' })
          .rotate()
          .resize({ width: MAX_LONG_SIDE, height: MAX_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
          .flatten({ background: '#ffffff' })
          .jpeg({ quality: JPEG_QUALITY })
          .toBuffer({ resolveWithObject: true }));
      } catch (err) {
        return reject('not_image', { fileUniqueId, format, error: (err as Error).message });
      }
      // A very long panorama can fall below the minimum once its long side is capped.
      if (Math.min(width, height) < MIN_SHORT_SIDE) return reject('too_small', { fileUniqueId, width, height });

      const sha256 = createHash('sha256').update(jpeg).digest('hex');
      const phash = await dHash(jpeg);
      const objectKey = photoObjectKey(userId, avatarId, sha256);
      if (!(await storage.exists(BUCKET, objectKey))) await storage.put(BUCKET, objectKey, jpeg, 'image/jpeg');
      log.info('photo prepared', { fileUniqueId, objectKey, format, width, height, sizeBytes: jpeg.length });
      return { ok: true, objectKey, sha256, phash, width, height, sizeBytes: jpeg.length };
    },

    /** Vision model (Structured Outputs) and moderation on a downscaled copy of a prepared photo. */
    async assessPhoto({ objectKey }: AssessPhotoInput): Promise<PhotoAssessment> {
      const photo = await readObject(storage, objectKey);
      const dataUrl = await visionDataUrl(photo);
      const signal = cancellationSignal();

      try {
        const [verdict, moderation] = await Promise.all([
          structuredOutput({
            client: openai,
            model: config.openai.visionModel,
            name: 'photo_assessment',
            schema: PhotoAssessmentSchema,
            messages: [
              { role: 'system', content: PHOTO_ASSESSMENT_PROMPT_V1 },
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'Assess this photo for avatar training.' },
                  { type: 'image_url', image_url: { url: dataUrl, detail: 'high' } },
                ],
              },
            ],
            signal,
          }).catch((err: unknown) => {
            if (err instanceof StructuredOutputError && err.kind === 'refusal') return 'refused' as const;
            throw err;
          }),
          openai.moderations.create({ model: 'omni-moderation-latest', input: [{ type: 'image_url', image_url: { url: dataUrl } }] }, { signal }),
        ]);

        const flaggedCategories = moderation.results
          .filter((r) => r.flagged)
          .flatMap((r) => Object.entries(r.categories).filter(([, on]) => on).map(([name]) => name));
        const flagged = moderation.results.some((r) => r.flagged);
        if (verdict === 'refused') {
          log.info('photo assessment refused by the model: treated as explicit', { objectKey });
          return { ok: false, reason: 'explicit' };
        }
        const outcome = toPhotoAssessment(verdict, flagged);
        if (outcome.ok && !verdict.acceptable) log.warn('vision model found the photo unacceptable without a specific defect; accepted', { objectKey, reason: verdict.reason });
        log.info('photo assessed', { objectKey, outcome: outcome.ok ? 'ok' : outcome.reason, faceCount: verdict.face_count, flaggedCategories, reason: verdict.reason });
        return outcome;
      } catch (err) {
        // 400/422 mean the request itself is wrong (e.g. an image format OpenAI refuses): retrying cannot help.
        if (err instanceof BadRequestError || err instanceof UnprocessableEntityError) {
          throw ApplicationFailure.create({ message: `OpenAI rejected the photo assessment request: ${err.message}`, type: PhotoErrors.openaiRejected, nonRetryable: true, cause: err });
        }
        throw err;
      }
    },

    /** The photos as `photo_01.jpg`, `photo_02.jpg`, … in one zip (deterministic bytes, so a retry writes the same object). */
    async buildTrainingArchive({ userId, avatarId, objectKeys }: BuildArchiveInput): Promise<{ objectKey: string; sizeBytes: number; count: number }> {
      const prefix = `${userId}/${avatarId}/photos/`;
      const keys = [...new Set(objectKeys)];
      const foreign = keys.filter((k) => !k.startsWith(prefix) || k.slice(prefix.length).includes('/'));
      if (foreign.length) {
        throw ApplicationFailure.create({ message: `${foreign.length} photo key(s) are not under ${prefix}`, type: PhotoErrors.foreignObject, nonRetryable: true });
      }
      if (keys.length === 0) throw ApplicationFailure.create({ message: 'no photos to archive', type: PhotoErrors.emptyArchive, nonRetryable: true });

      const photos = await Promise.all(keys.map((key) => readObject(storage, key)));
      const digits = Math.max(2, String(photos.length).length);
      const zip = createZip(photos.map((data, i) => ({ name: `photo_${String(i + 1).padStart(digits, '0')}.jpg`, data })));
      const objectKey = trainingArchiveKey(userId, avatarId);
      await storage.put(BUCKET, objectKey, zip, 'application/zip');
      log.info('training archive built', { objectKey, count: photos.length, sizeBytes: zip.length });
      return { objectKey, sizeBytes: zip.length, count: photos.length };
    },
  };
}

export type PhotoActivities = ReturnType<typeof createPhotoActivities>;

/** A prepared photo from MinIO; a missing one is a bug upstream, not something a retry fixes. */
async function readObject(storage: Storage, objectKey: string): Promise<Buffer> {
  try {
    return await storage.get(BUCKET, objectKey);
  } catch (err) {
    if ((err as { code?: string }).code === 'NoSuchKey') {
      throw ApplicationFailure.create({ message: `photo object ${objectKey} does not exist`, type: PhotoErrors.objectMissing, nonRetryable: true, cause: err as Error });
    }
    throw err;
  }
}

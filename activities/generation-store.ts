import { activityInfo, ApplicationFailure, heartbeat, log } from '@temporalio/activity';
import { InlineKeyboard, InputFile, InputMediaBuilder, type Api } from 'grammy';
import type { Message, PhotoSize } from 'grammy/types';
import sharp from 'sharp';
import { callbacks } from '../vocabulary/callback-data';
import type { I18n, Language, TranslateParams } from '../lib/i18n';
import type { Prisma, PrismaClient } from '../lib/prisma';
import type { Storage } from '../lib/storage';
import { toActivityFailure, undelivered, undeliveredReason, type LocalizedButton, type LocalizedMessage, type Undelivered } from './telegram';
import { replyTo } from '../lib/telegram-reply';

/**
 * The rows and the delivery of image generation (DESIGN.md, process 2):
 *   createGeneration, setGenerationStatus, recordImages  ("main" queue)  the generation and its gallery rows
 *   deliverImages                                         ("telegram" queue) the photos, caption and buttons
 * Every write is idempotent (activities are retried); a retried delivery
 * resumes from its heartbeat instead of sending the album twice.
 */

export type GenerationMode = 'AVATAR' | 'IMAGEN4';
export type GenerationStatus = 'RUNNING' | 'COMPLETED' | 'PARTIAL' | 'FAILED' | 'CANCELLED';

export interface CreateGenerationInput {
  generationId: string;
  userId: number;
  mode: GenerationMode;
  avatarId?: string;
  prompt: string;
  aspectRatio: string;
  numImages: number;
  unitPrice: number;
  referenceFileId?: string;
}

export interface SetGenerationStatusInput {
  generationId: string;
  status: GenerationStatus;
  enhancedPrompt?: string;
  falRequestId?: string;
  failureReason?: string;
}

export interface StoredImageInput {
  /** 0-based place in the generation; with generationId, the row's idempotency key. */
  position: number;
  objectKey: string;
  width: number;
  height: number;
  seed?: number;
  qualityScore?: number;
  qualityVerdict?: unknown;
}

export interface RecordImagesInput {
  generationId: string;
  userId: number;
  mode: GenerationMode;
  avatarId?: string;
  prompt: string;
  enhancedPrompt?: string;
  images: StoredImageInput[];
  /** In the order of `images` (from deliverImages); fills in rows written before delivery. */
  telegramFileIds?: string[];
  /** The rows' ids, in the order of `images`, when the workflow chose them (recordAndDeliverImages); else the database's. */
  imageIds?: string[];
}

export interface DeliverImagesInput {
  chatId: number;
  language: Language;
  generationId: string;
  /** Keys in the "generations" bucket, in album order. */
  objectKeys: string[];
  /** Rendered in the user's language; string parameters (the prompt) are cut to an excerpt so the caption fits. */
  caption: LocalizedMessage;
  /** The gallery rows of the images (recordImages), in the same order: the buttons carry them. */
  imageIds: string[];
  /** The user's request: the photo or album replies to it (or is sent plainly if it is gone). */
  replyTo?: number;
}

/** What deliverImages did: `delivered` images reached the chat; older histories recorded only the file ids. */
export interface DeliveryOutcome {
  telegramFileIds: string[];
  delivered?: number;
  undelivered?: Undelivered;
}

export const GenerationStoreErrors = {
  notFound: 'GenerationNotFound',
  invalidInput: 'GenerationStoreInvalidInput',
  objectMissing: 'GenerationObjectMissing',
} as const;

const BUCKET = 'generations';
/** Telegram's limits (REFERENCE.md): caption length, album size, photo upload size. */
export const CAPTION_LIMIT = 1024;
export const MAX_ALBUM = 10;
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** The longest prompt excerpt a caption shows. */
export const PROMPT_EXCERPT_CHARS = 200;
/** Long side and JPEG quality, tried in order for a stored image over the photo limit. */
const REENCODE_STEPS: readonly (readonly [number, number])[] = [
  [4096, 88],
  [2560, 82],
  [1600, 75],
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TERMINAL: readonly GenerationStatus[] = ['COMPLETED', 'PARTIAL', 'FAILED', 'CANCELLED'];

/** What a delivery attempt has done, kept in its heartbeat so a retry goes on from there. */
interface DeliveryProgress {
  telegramFileIds: string[];
}

const invalid = (message: string) => ApplicationFailure.create({ message, type: GenerationStoreErrors.invalidInput, nonRetryable: true });
const notFound = (generationId: string, cause?: unknown) =>
  ApplicationFailure.create({ message: `generation ${generationId} does not exist`, type: GenerationStoreErrors.notFound, nonRetryable: true, cause: cause as Error | undefined });
const hasCode = (err: unknown, code: string) => (err as { code?: unknown } | null)?.code === code;

/** At most `max` characters (code points; whitespace runs collapsed), ending with "…" when cut. */
export function excerpt(text: string, max: number): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  if (chars.length <= max) return chars.join('');
  return `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/** The buttons of delivered images: one row per image (numbered when there are several). */
export function imageButtons(imageIds: readonly string[]): LocalizedButton[][] {
  return imageIds.map((id, i) => {
    const params = { n: imageIds.length > 1 ? i + 1 : 0 };
    return [
      { label: { key: 'button-favorite', params: { ...params, on: 'no' } }, data: callbacks.imageFavorite.pack({ id }) },
      { label: { key: 'button-again', params }, data: callbacks.imageAgain.pack({ id }) },
      { label: { key: 'button-prompt', params }, data: callbacks.imagePrompt.pack({ id }) },
    ];
  });
}

export function createGenerationStoreActivities({ prisma, storage, telegramApi, i18n }: { prisma: PrismaClient; storage: Storage; telegramApi: Api; i18n: I18n }) {
  const render = (language: Language, m: LocalizedMessage) => i18n.t(language, m.key, m.params as TranslateParams);
  const keyboard = (language: Language, rows: LocalizedButton[][]) =>
    new InlineKeyboard(rows.map((row) => row.map((b) => InlineKeyboard.text(render(language, b.label), b.data ?? ''))));

  /** The caption within Telegram's limit: string parameters become excerpts, shorter ones while the text is too long. */
  const fitCaption = (language: Language, caption: LocalizedMessage): string => {
    const withExcerpts = (max: number): LocalizedMessage => ({
      key: caption.key,
      params: caption.params && Object.fromEntries(Object.entries(caption.params).map(([k, v]) => [k, typeof v === 'string' ? excerpt(v, max) : v])),
    });
    let max = PROMPT_EXCERPT_CHARS;
    let text = render(language, withExcerpts(max));
    while (text.length > CAPTION_LIMIT && max > 16) {
      max = Math.floor(max / 2);
      text = render(language, withExcerpts(max));
    }
    return text.length > CAPTION_LIMIT ? excerpt(text, CAPTION_LIMIT - 1) : text;
  };

  /** The stored image as Telegram takes a photo: ≤ 10 MB (re-encoded as JPEG only when larger). */
  const loadPhoto = async (objectKey: string, index: number): Promise<InputFile> => {
    let data: Buffer;
    try {
      data = await storage.get(BUCKET, objectKey);
    } catch (err) {
      if (hasCode(err, 'NoSuchKey')) {
        throw ApplicationFailure.create({ message: `image object ${objectKey} does not exist`, type: GenerationStoreErrors.objectMissing, nonRetryable: true, cause: err as Error });
      }
      throw err;
    }
    if (data.length > MAX_PHOTO_BYTES) {
      const original = data;
      for (const [side, quality] of REENCODE_STEPS) {
        data = await sharp(original).rotate().resize(side, side, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality }).toBuffer();
        if (data.length <= MAX_PHOTO_BYTES) break;
      }
      log.info('image re-encoded to fit the Telegram photo limit', { objectKey, originalBytes: original.length, sizeBytes: data.length });
    }
    return new InputFile(data, `aisha-${index + 1}.${extensionOf(data)}`);
  };

  /** The images' Telegram file ids, if every one of them went out before (noted on its gallery row). */
  const sentEarlier = async (imageIds: string[]): Promise<DeliveryProgress | undefined> => {
    const rows = await prisma.image.findMany({ where: { id: { in: imageIds } }, select: { id: true, telegramFileId: true } });
    const fileIds = imageIds.map((id) => rows.find((r) => r.id === id)?.telegramFileId);
    return fileIds.every((f): f is string => !!f) ? { telegramFileIds: fileIds } : undefined;
  };

  /** Notes the sent photos on their gallery rows at once (the heartbeat reaches Temporal later, throttled). */
  const noteSent = async (imageIds: string[], telegramFileIds: string[]): Promise<void> => {
    try {
      await prisma.$transaction(imageIds.map((id, i) => prisma.image.update({ where: { id }, data: { telegramFileId: telegramFileIds[i]! } })));
    } catch (err) {
      // The photos are in the chat whatever happens here; the heartbeat and the workflow's recordImages keep the ids.
      log.warn('sent photos not noted on their gallery rows', { imageIds, error: (err as Error).message });
    }
  };

  const activities = {
    async createGeneration(input: CreateGenerationInput): Promise<void> {
      await prisma.generation.upsert({
        where: { id: input.generationId },
        create: {
          id: input.generationId,
          userId: input.userId,
          mode: input.mode,
          avatarId: input.avatarId ?? null,
          prompt: input.prompt,
          aspectRatio: input.aspectRatio,
          numImages: input.numImages,
          unitPrice: input.unitPrice,
          referenceFileId: input.referenceFileId ?? null,
          status: 'RUNNING',
        },
        update: {},
      });
    },

    /** The status and what is known by then; a final status stamps completedAt once. */
    async setGenerationStatus(input: SetGenerationStatusInput): Promise<void> {
      const data = { status: input.status, enhancedPrompt: input.enhancedPrompt, falRequestId: input.falRequestId, failureReason: input.failureReason };
      try {
        await prisma.$transaction([
          prisma.generation.update({ where: { id: input.generationId }, data, select: { id: true } }),
          ...(TERMINAL.includes(input.status) ? [prisma.generation.updateMany({ where: { id: input.generationId, completedAt: null }, data: { completedAt: new Date() } })] : []),
        ]);
      } catch (err) {
        if (hasCode(err, 'P2025')) throw notFound(input.generationId, err);
        throw err;
      }
    },

    async recordImages(input: RecordImagesInput): Promise<{ imageIds: string[] }> {
      const positions = input.images.map((img) => img.position);
      if (new Set(positions).size !== positions.length || positions.some((p) => !Number.isSafeInteger(p) || p < 0)) throw invalid(`image positions must be distinct non-negative integers: ${positions.join(',')}`);
      if (input.telegramFileIds && input.telegramFileIds.length !== input.images.length) throw invalid('telegramFileIds must match images one to one');
      if (input.imageIds && (input.imageIds.length !== input.images.length || !input.imageIds.every((id) => UUID.test(id)))) throw invalid('imageIds must be UUIDs matching images one to one');
      if (!input.images.length) return { imageIds: [] };

      return prisma.$transaction(async (tx) => {
        const generation = await tx.generation.findFirst({ where: { id: input.generationId, userId: input.userId }, select: { id: true } });
        if (!generation) throw notFound(input.generationId);
        // ON CONFLICT (generation_id, position) DO NOTHING: a retry finds the rows it wrote before.
        await tx.image.createMany({
          data: input.images.map((img, i) => ({
            ...(input.imageIds ? { id: input.imageIds[i]! } : {}),
            userId: input.userId,
            generationId: input.generationId,
            position: img.position,
            kind: input.mode,
            avatarId: input.avatarId ?? null,
            objectKey: img.objectKey,
            width: img.width,
            height: img.height,
            seed: img.seed === undefined ? null : BigInt(Math.trunc(img.seed)),
            prompt: input.prompt,
            enhancedPrompt: input.enhancedPrompt ?? null,
            qualityScore: img.qualityScore === undefined ? null : Math.round(img.qualityScore),
            qualityVerdict: img.qualityVerdict === undefined || img.qualityVerdict === null ? undefined : (img.qualityVerdict as Prisma.InputJsonValue),
            telegramFileId: input.telegramFileIds?.[i] ?? null,
          })),
          skipDuplicates: true,
        });
        if (input.telegramFileIds) {
          for (const [i, img] of input.images.entries()) {
            await tx.image.update({ where: { generationId_position: { generationId: input.generationId, position: img.position } }, data: { telegramFileId: input.telegramFileIds[i]! } });
          }
        }
        const rows = await tx.image.findMany({ where: { generationId: input.generationId, position: { in: positions } }, select: { id: true, position: true } });
        const idByPosition = new Map(rows.map((r) => [r.position, r.id]));
        return { imageIds: positions.map((p) => idByPosition.get(p)!) };
      });
    },

    /**
     * One photo (caption and buttons on it), or an album with the caption on
     * its first photo followed by a short message with the buttons (albums
     * cannot carry buttons). Returns the photos' Telegram file ids (largest size).
     */
    /**
     * Sends the images (one photo, or an album and a message with the buttons).
     * `delivered` counts the images Telegram took; a user who blocked the bot
     * (or a refused message) is an outcome, not a failure (activities/telegram.ts).
     */
    async deliverImages(input: DeliverImagesInput): Promise<DeliveryOutcome> {
      const count = input.objectKeys.length;
      if (count < 1 || count > MAX_ALBUM) throw invalid(`cannot deliver ${count} images (1–${MAX_ALBUM})`);
      if (input.imageIds.length !== count) throw invalid('imageIds must match objectKeys one to one');
      if (!input.imageIds.every((id) => UUID.test(id))) throw invalid('imageIds must be UUIDs');
      const buttons = keyboard(input.language, imageButtons(input.imageIds));

      // A retry after the images went out: known from the heartbeat, or from the gallery rows (written right
      // after sending, so a worker killed before its heartbeat reached Temporal does not send them twice).
      const resumed = progressOf(activityInfo().heartbeatDetails, count) ?? (await sentEarlier(input.imageIds));
      let telegramFileIds = resumed?.telegramFileIds;
      try {
        if (!telegramFileIds) {
          const photos = await Promise.all(input.objectKeys.map((key, i) => loadPhoto(key, i)));
          const caption = fitCaption(input.language, input.caption);
          const sent: Message[] =
            count === 1
              ? [await telegramApi.sendPhoto(input.chatId, photos[0]!, { caption, reply_markup: buttons, ...replyTo(input.replyTo) })]
              : await telegramApi.sendMediaGroup(
                  input.chatId,
                  photos.map((photo, i) => InputMediaBuilder.photo(photo, i === 0 ? { caption } : {})),
                  replyTo(input.replyTo),
                );
          telegramFileIds = sent.map((m) => largest(m.photo).file_id);
          await noteSent(input.imageIds, telegramFileIds);
          heartbeat({ telegramFileIds } satisfies DeliveryProgress);
        }
      } catch (err) {
        return { telegramFileIds: [], delivered: 0, ...undelivered(err, `the images of ${input.generationId}`) };
      }
      // The images are in the chat: the buttons below an album are a courtesy that cannot undo that.
      if (count > 1) {
        try {
          await telegramApi.sendMessage(input.chatId, render(input.language, { key: 'gen-buttons-title' }), { reply_markup: buttons });
        } catch (err) {
          if (!undeliveredReason(err)) throw toActivityFailure(err);
        }
      }
      log.info('generation images delivered', { generationId: input.generationId, count, resumed: Boolean(resumed) });
      return { telegramFileIds, delivered: count };
    },

    /** Removes gallery rows (and their files) of images that never reached the user: they are not paid for. */
    async forgetImages({ generationId, imageIds }: { generationId: string; imageIds: string[] }): Promise<void> {
      const rows = await prisma.image.findMany({ where: { generationId, id: { in: imageIds } }, select: { id: true, objectKey: true } });
      await storage.removeKeys(BUCKET, rows.map((r) => r.objectKey));
      await prisma.image.deleteMany({ where: { generationId, id: { in: rows.map((r) => r.id) } } });
    },
  };

  return {
    ...activities,
    /**
     * The gallery rows, then the photos (issue 18: one Temporal round trip
     * instead of two on the way to the user). The workflow picks the rows' ids,
     * so it knows them even if this never completes; both halves are
     * idempotent, so a retry writes nothing twice and sends nothing twice.
     */
    async recordAndDeliverImages(input: { record: RecordImagesInput & { imageIds: string[] }; deliver: Omit<DeliverImagesInput, 'imageIds'> }): Promise<DeliveryOutcome> {
      const { imageIds } = await activities.recordImages(input.record);
      return activities.deliverImages({ ...input.deliver, imageIds });
    },
  };
}

export type GenerationStoreActivities = ReturnType<typeof createGenerationStoreActivities>;

function progressOf(details: unknown, count: number): DeliveryProgress | undefined {
  const ids = (details as Partial<DeliveryProgress> | undefined)?.telegramFileIds;
  return Array.isArray(ids) && ids.length === count && ids.every((id) => typeof id === 'string' && id) ? { telegramFileIds: ids as string[] } : undefined;
}

function largest(sizes: PhotoSize[] | undefined): PhotoSize {
  const best = sizes?.reduce((a, b) => (b.width * b.height >= a.width * a.height ? b : a));
  if (!best) throw new Error('Telegram answered without a photo');
  return best;
}

function extensionOf(data: Buffer): string {
  if (data[0] === 0x89 && data[1] === 0x50) return 'png';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return 'jpg';
}

import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAPTION_LIMIT,
  createGenerationStoreActivities,
  GenerationStoreErrors,
  PROMPT_EXCERPT_CHARS,
  type DeliverImagesInput,
  type GenerationMode,
  type GenerationStoreActivities,
  type StoredImageInput,
} from '../../activities/generation-store';
import { TelegramErrors } from '../../activities/telegram';
import { callbacks } from '../../vocabulary/callback-data';
import { findOwnImage, toggleFavorite } from '../../lib/db/images';
import { upsertUser } from '../../lib/db/users';
import { createI18n } from '../../lib/i18n';
import { createMinio, ensureBuckets } from '../../lib/minio';
import { createPrisma, type PrismaClient } from '../../lib/prisma';
import { createStorage, type Storage } from '../../lib/storage';
import { TelegramSandbox } from '../../sandbox/telegram/server';
import type { StoredMessage } from '../../sandbox/telegram/state';
import { TEST_BOT_TOKEN, testConfig, uniqueTelegramId } from '../helpers/config';
import { photo } from '../helpers/images';

/**
 * The generation rows (real PostgreSQL), the delivery of images from the real
 * MinIO to the Telegram sandbox (which keeps every photo it receives), and the
 * bot's gallery data functions.
 */
describe('generation store activities (PostgreSQL, MinIO, Telegram sandbox)', () => {
  const telegram = new TelegramSandbox({ token: TEST_BOT_TOKEN });
  const i18n = createI18n();
  const logs: LogEntry[] = [];
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('INFO', (entry) => logs.push(entry)) });
  /** Runs an activity in an activity context (its `log` and `heartbeat` need one). */
  const run = <A, R>(fn: (input: A) => Promise<R>, input: A, on: MockActivityEnvironment = env): Promise<R> => on.run(() => fn(input));
  let prisma: PrismaClient;
  let storage: Storage;
  let activities: GenerationStoreActivities;
  const prefixes: string[] = [];

  beforeAll(async () => {
    await telegram.start();
    const config = testConfig();
    prisma = createPrisma(config.databaseUrl, { max: 4 });
    const minio = createMinio(config.minio);
    await ensureBuckets(minio);
    storage = createStorage(minio, config.minio);
    activities = createGenerationStoreActivities({ prisma, storage, telegramApi: new Api(TEST_BOT_TOKEN, { apiRoot: telegram.apiRoot }), i18n });
  });
  afterAll(async () => {
    for (const prefix of prefixes) await storage?.removePrefix('generations', prefix);
    await prisma?.$disconnect();
    await telegram.stop();
  });

  /** A user (DB row + a Telegram chat) and a generation of theirs in the DB. */
  const newUser = async () => {
    const telegramId = uniqueTelegramId();
    telegram.world.user(telegramId, { language_code: 'ru' });
    const user = await upsertUser(prisma, { telegramId, firstName: 'Gen', languageCode: 'ru' });
    return { userId: user.id, chatId: telegramId };
  };
  const newGeneration = async (mode: GenerationMode = 'IMAGEN4', prompt = 'a red fox in the snow at dawn') => {
    const user = await newUser();
    const generationId = randomUUID();
    await run(activities.createGeneration, { generationId, userId: user.userId, mode, prompt, aspectRatio: '1:1', numImages: 4, unitPrice: 5 });
    return { ...user, generationId, mode, prompt };
  };
  /** Real images in MinIO ("generations" bucket) of the given sizes. */
  const storeImages = async (owner: { userId: number; generationId: string }, sizes: [number, number][], format: 'jpeg' | 'png' = 'jpeg') => {
    prefixes.push(`${owner.userId}/`);
    return Promise.all(
      sizes.map(async ([width, height], position) => {
        const objectKey = `${owner.userId}/${owner.generationId}/${position}.${format === 'png' ? 'png' : 'jpg'}`;
        const data = await photo(position + 1, { width, height, format });
        await storage.put('generations', objectKey, data, `image/${format}`);
        return { position, objectKey, width, height, seed: 1000 + position, qualityScore: 7 + (position % 3), qualityVerdict: { defects: [], summary: `image ${position}` } } satisfies StoredImageInput;
      }),
    );
  };
  const record = (gen: Awaited<ReturnType<typeof newGeneration>>, images: StoredImageInput[], telegramFileIds?: string[]) =>
    run(activities.recordImages, { generationId: gen.generationId, userId: gen.userId, mode: gen.mode, prompt: gen.prompt, enhancedPrompt: `${gen.prompt}, cinematic`, images, telegramFileIds });
  const caption = (gen: { mode: GenerationMode; prompt: string }, count: number) => ({ key: 'gen-caption', params: { mode: gen.mode, prompt: gen.prompt, count } });
  const botMessages = (chatId: number) => telegram.world.botMessages(chatId);
  const buttonData = (markup: InlineKeyboardMarkup | undefined) => (markup?.inline_keyboard ?? []).map((row) => row.map((b) => ('callback_data' in b ? b.callback_data : undefined)));
  /** The original (largest) size Telegram keeps of a photo message, and the bytes the sandbox stored for it. */
  const received = (m: StoredMessage) => {
    const size = m.photo!.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    return { size, data: telegram.world.files.get(size.file_id)!.data };
  };

  describe('createGeneration and setGenerationStatus', () => {
    it('creates one RUNNING row however often it runs, and keeps the first completion time', async () => {
      const gen = await newGeneration('IMAGEN4');
      await run(activities.createGeneration, { generationId: gen.generationId, userId: gen.userId, mode: 'IMAGEN4', prompt: 'changed on retry?', aspectRatio: '16:9', numImages: 2, unitPrice: 9 });
      const rows = await prisma.generation.findMany({ where: { userId: gen.userId } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: gen.generationId, status: 'RUNNING', mode: 'IMAGEN4', prompt: gen.prompt, aspectRatio: '1:1', numImages: 4, unitPrice: 5, completedAt: null });

      await run(activities.setGenerationStatus, { generationId: gen.generationId, status: 'RUNNING', enhancedPrompt: 'A red fox, cinematic', falRequestId: 'req-1' });
      await run(activities.setGenerationStatus, { generationId: gen.generationId, status: 'COMPLETED' });
      const done = await prisma.generation.findUniqueOrThrow({ where: { id: gen.generationId } });
      expect(done).toMatchObject({ status: 'COMPLETED', enhancedPrompt: 'A red fox, cinematic', falRequestId: 'req-1' });
      expect(done.completedAt).toBeInstanceOf(Date);
      await run(activities.setGenerationStatus, { generationId: gen.generationId, status: 'COMPLETED' }); // a retry
      expect((await prisma.generation.findUniqueOrThrow({ where: { id: gen.generationId } })).completedAt).toEqual(done.completedAt);
    });

    it('stores the avatar of an avatar generation and fails without retries for an unknown generation', async () => {
      const user = await newUser();
      const avatar = await prisma.avatar.create({ data: { userId: user.userId, name: 'Me', type: 'PORTRAIT', triggerPhrase: 'TOK', status: 'COMPLETED' } });
      const generationId = randomUUID();
      await run(activities.createGeneration, { generationId, userId: user.userId, mode: 'AVATAR', avatarId: avatar.id, prompt: 'me on Mars', aspectRatio: '3:4', numImages: 1, unitPrice: 10, referenceFileId: 'AgAC-ref' });
      expect(await prisma.generation.findUniqueOrThrow({ where: { id: generationId } })).toMatchObject({ mode: 'AVATAR', avatarId: avatar.id, referenceFileId: 'AgAC-ref' });

      await expect(run(activities.setGenerationStatus, { generationId: randomUUID(), status: 'FAILED', failureReason: 'x' })).rejects.toMatchObject({
        type: GenerationStoreErrors.notFound,
        nonRetryable: true,
      });
    });
  });

  describe('recordImages', () => {
    it('writes one gallery row per image; a retry returns the same ids; file ids are filled in later', async () => {
      const gen = await newGeneration('IMAGEN4');
      const images = await storeImages(gen, [[512, 512], [640, 480], [480, 640], [600, 600]]);
      const first = await record(gen, images);
      const second = await record(gen, images);
      expect(first.imageIds).toHaveLength(4);
      expect(new Set(first.imageIds).size).toBe(4);
      expect(second).toEqual(first);

      const rows = await prisma.image.findMany({ where: { generationId: gen.generationId }, orderBy: { position: 'asc' } });
      expect(rows.map((r) => r.id)).toEqual(first.imageIds);
      expect(rows[1]).toMatchObject({
        userId: gen.userId,
        position: 1,
        kind: 'IMAGEN4',
        objectKey: images[1]!.objectKey,
        width: 640,
        height: 480,
        seed: 1001n,
        prompt: gen.prompt,
        enhancedPrompt: `${gen.prompt}, cinematic`,
        qualityScore: 8,
        qualityVerdict: { defects: [], summary: 'image 1' },
        isFavorite: false,
        telegramFileId: null,
      });

      const fileIds = ['f-0', 'f-1', 'f-2', 'f-3'];
      expect(await record(gen, images, fileIds)).toEqual(first);
      const after = await prisma.image.findMany({ where: { generationId: gen.generationId }, orderBy: { position: 'asc' } });
      expect(after.map((r) => r.telegramFileId)).toEqual(fileIds);
      expect(await prisma.image.count({ where: { generationId: gen.generationId } })).toBe(4);
    });

    it("refuses to write rows for someone else's generation, and mismatched file ids", async () => {
      const gen = await newGeneration();
      const stranger = await newUser();
      const images = await storeImages(gen, [[512, 512]]);
      await expect(run(activities.recordImages, { generationId: gen.generationId, userId: stranger.userId, mode: gen.mode, prompt: 'x', images })).rejects.toMatchObject({
        type: GenerationStoreErrors.notFound,
        nonRetryable: true,
      });
      await expect(record(gen, images, ['a', 'b'])).rejects.toMatchObject({ type: GenerationStoreErrors.invalidInput, nonRetryable: true });
      expect(await prisma.image.count({ where: { generationId: gen.generationId } })).toBe(0);
    });
  });

  describe('deliverImages', () => {
    const deliverInput = (gen: Awaited<ReturnType<typeof newGeneration>>, images: StoredImageInput[], imageIds: string[]): DeliverImagesInput => ({
      chatId: gen.chatId,
      language: 'ru',
      generationId: gen.generationId,
      objectKeys: images.map((i) => i.objectKey),
      caption: caption(gen, images.length),
      imageIds,
    });

    it('sends one image as one photo with the caption and its buttons', async () => {
      const gen = await newGeneration('AVATAR', 'портрет в стиле нуар');
      const images = await storeImages(gen, [[768, 1024]]);
      const { imageIds } = await record(gen, images);
      const heartbeats: unknown[] = [];
      const local = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN', () => {}) });
      local.on('heartbeat', (d: unknown) => heartbeats.push(d));

      const { telegramFileIds } = await run(activities.deliverImages, deliverInput(gen, images, imageIds), local);

      const sent = botMessages(gen.chatId);
      expect(sent).toHaveLength(1);
      const [message] = sent;
      expect(message!.caption).toBe('🧑‍🎨 С аватаром · 1 изображение\n«портрет в стиле нуар»');
      expect(message!.media_group_id).toBeUndefined();
      const { size, data } = received(message!);
      expect(telegramFileIds).toEqual([size.file_id]);
      expect(data.equals(await storage.get('generations', images[0]!.objectKey))).toBe(true);
      expect(size).toMatchObject({ width: 768, height: 1024 });
      expect(buttonData(message!.reply_markup)).toEqual([[callbacks.imageFavorite.pack({ id: imageIds[0]! }), callbacks.imageAgain.pack({ id: imageIds[0]! }), callbacks.imagePrompt.pack({ id: imageIds[0]! })]]);
      expect(message!.reply_markup!.inline_keyboard[0]!.map((b) => b.text)).toEqual(['☆ В избранное', '🔁 Ещё раз', '📝 Промпт']);
      expect(heartbeats).toEqual([{ telegramFileIds }]);
    });

    it('sends four images as one album with the caption on the first, then the buttons per image', async () => {
      const gen = await newGeneration('IMAGEN4', 'a lighthouse in a storm');
      const sizes: [number, number][] = [[640, 480], [480, 640], [800, 600], [512, 512]];
      const images = await storeImages(gen, sizes, 'png');
      const { imageIds } = await record(gen, images);

      const { telegramFileIds } = await run(activities.deliverImages, { ...deliverInput(gen, images, imageIds), language: 'en' });

      const sent = botMessages(gen.chatId);
      expect(sent).toHaveLength(5);
      const album = sent.slice(0, 4);
      const groupId = album[0]!.media_group_id;
      expect(groupId).toBeTruthy();
      expect(album.every((m) => m.media_group_id === groupId && m.photo)).toBe(true);
      expect(album.map((m) => m.caption)).toEqual(['🎨 Imagen 4 · 4 images\n“a lighthouse in a storm”', undefined, undefined, undefined]);
      expect(telegramFileIds).toEqual(album.map((m) => received(m).size.file_id));
      for (const [i, m] of album.entries()) {
        const { size, data } = received(m);
        const stored = await sharp(await storage.get('generations', images[i]!.objectKey)).metadata();
        expect([size.width, size.height]).toEqual(sizes[i]);
        expect(await sharp(data).metadata()).toMatchObject({ width: stored.width, height: stored.height, format: 'png' });
      }

      const buttons = sent[4]!;
      expect(buttons.text).toBe(i18n.t('en', 'gen-buttons-title'));
      const rows = buttonData(buttons.reply_markup);
      expect(rows.map((row) => row.map((d) => [callbacks.imageFavorite, callbacks.imageAgain, callbacks.imagePrompt].map((cb) => cb.unpack(d)?.id).find(Boolean)))).toEqual(
        imageIds.map((id) => [id, id, id]),
      );
      expect(rows.map((row) => callbacks.imageFavorite.unpack(row[0])?.id)).toEqual(imageIds);
      expect(rows.map((row) => callbacks.imageAgain.unpack(row[1])?.id)).toEqual(imageIds);
      expect(rows.map((row) => callbacks.imagePrompt.unpack(row[2])?.id)).toEqual(imageIds);
      expect(buttons.reply_markup!.inline_keyboard[2]!.map((b) => b.text)).toEqual(['☆ 3', '🔁 3', '📝 3']);

      // the file ids go back into the gallery rows
      await record(gen, images, telegramFileIds);
      expect((await prisma.image.findMany({ where: { generationId: gen.generationId }, orderBy: { position: 'asc' } })).map((r) => r.telegramFileId)).toEqual(telegramFileIds);
    });

    it('a retry after the album went out sends only the buttons (progress from the heartbeat)', async () => {
      const gen = await newGeneration();
      const images = await storeImages(gen, [[512, 512], [512, 640]]);
      const { imageIds } = await record(gen, images);
      const previous = ['AgAC-earlier-0', 'AgAC-earlier-1'];
      const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { telegramFileIds: previous } }, { logger: new DefaultLogger('WARN', () => {}) });

      expect(await run(activities.deliverImages, deliverInput(gen, images, imageIds), retry)).toEqual({ telegramFileIds: previous, delivered: 2 });
      const sent = botMessages(gen.chatId);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.photo).toBeUndefined();
      expect(buttonData(sent[0]!.reply_markup).map((row) => callbacks.imagePrompt.unpack(row[2])?.id)).toEqual(imageIds);
    });

    it('a retry after the worker died before its heartbeat reached Temporal does not send the photos twice (found by the drill)', async () => {
      const gen = await newGeneration();
      const images = await storeImages(gen, [[512, 512], [512, 640]]);
      const { imageIds } = await record(gen, images);
      // Attempt 1 sends; its heartbeat never leaves the dying worker (a fresh environment for attempt 2 knows nothing of it).
      const first = await run(activities.deliverImages, deliverInput(gen, images, imageIds), new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN', () => {}) }));
      const retry = new MockActivityEnvironment({ attempt: 2 }, { logger: new DefaultLogger('WARN', () => {}) });
      expect(await run(activities.deliverImages, deliverInput(gen, images, imageIds), retry)).toEqual({ telegramFileIds: first.telegramFileIds, delivered: 2 });
      expect(botMessages(gen.chatId).filter((m) => m.photo)).toHaveLength(2);
    });

    it('keeps the caption within 1024 characters for a 1500-character prompt', async () => {
      const longPrompt = `${'очень подробное описание сцены, '.repeat(48)}конец`.slice(0, 1500);
      expect(longPrompt).toHaveLength(1500);
      const gen = await newGeneration('IMAGEN4', longPrompt);
      const images = await storeImages(gen, [[512, 512], [512, 512]]);
      const { imageIds } = await record(gen, images);

      await run(activities.deliverImages, deliverInput(gen, images, imageIds));

      const first = botMessages(gen.chatId)[0]!;
      expect(first.caption!.length).toBeLessThanOrEqual(CAPTION_LIMIT);
      const quoted = /«(.*)»/s.exec(first.caption!)![1]!;
      expect(quoted.length).toBeLessThanOrEqual(PROMPT_EXCERPT_CHARS);
      expect(quoted.endsWith('…')).toBe(true);
      expect(longPrompt.startsWith(quoted.slice(0, -1))).toBe(true);
      expect(first.caption!.startsWith('🎨 Imagen 4 · 2 изображения\n«очень подробное описание сцены,')).toBe(true);
    });

    it('re-encodes an image over 10 MB so Telegram takes it, at the same size', async () => {
      const gen = await newGeneration();
      const images = await storeImages(gen, [[2200, 2000]], 'png');
      const original = await storage.get('generations', images[0]!.objectKey);
      expect(original.length).toBeGreaterThan(10 * 1024 * 1024); // the precondition: Telegram refuses this as a photo

      const { imageIds } = await record(gen, images);
      await run(activities.deliverImages, deliverInput(gen, images, imageIds));
      const { size, data } = received(botMessages(gen.chatId)[0]!);
      expect(size).toMatchObject({ width: 2200, height: 2000 });
      expect(data.length).toBeLessThanOrEqual(10 * 1024 * 1024);
      expect((await sharp(data).metadata()).format).toBe('jpeg');
    });

    it('maps failures: a missing object is final, a chat Telegram does not know is an outcome (not delivered), 429 waits for retry_after', async () => {
      const gen = await newGeneration();
      const images = await storeImages(gen, [[512, 512]]);
      const { imageIds } = await record(gen, images);
      const input = deliverInput(gen, images, imageIds);

      await expect(run(activities.deliverImages, { ...input, objectKeys: [`${gen.userId}/${gen.generationId}/missing.jpg`] })).rejects.toMatchObject({
        type: GenerationStoreErrors.objectMissing,
        nonRetryable: true,
      });
      expect(await run(activities.deliverImages, { ...input, chatId: uniqueTelegramId() })).toEqual({ telegramFileIds: [], delivered: 0, undelivered: 'blocked' });
      await expect(run(activities.deliverImages, { ...input, imageIds: ['not-a-uuid'] })).rejects.toMatchObject({ type: GenerationStoreErrors.invalidInput, nonRetryable: true });
      expect(botMessages(gen.chatId)).toHaveLength(0);

      telegram.knobs.rateLimitPerChat = 1;
      try {
        await run(activities.deliverImages, input);
        // The same rows again as if never sent (a sent image is not sent twice: see the retry tests above).
        await prisma.image.updateMany({ where: { id: { in: imageIds } }, data: { telegramFileId: null } });
        const limited = await run(activities.deliverImages, input).then(
          () => null,
          (err: unknown) => err,
        );
        expect(limited).toMatchObject({ type: TelegramErrors.rateLimited, nonRetryable: false });
        expect((limited as { nextRetryDelay?: unknown }).nextRetryDelay).toBe('1s');
      } finally {
        telegram.knobs.rateLimitPerChat = 0;
      }
      expect(botMessages(gen.chatId)).toHaveLength(1);
    });
  });

  describe('gallery data (lib/db/images)', () => {
    it("finds and toggles only the user's own images; forged and malformed ids find nothing", async () => {
      const gen = await newGeneration('IMAGEN4', 'a bowl of ramen');
      const images = await storeImages(gen, [[512, 512], [512, 512]]);
      const { imageIds } = await record(gen, images);
      const [mine, deleted] = imageIds as [string, string];
      const stranger = await newUser();

      expect(await findOwnImage(prisma, gen.userId, mine)).toEqual({
        id: mine,
        prompt: 'a bowl of ramen',
        enhancedPrompt: 'a bowl of ramen, cinematic',
        qualityScore: 7,
        qualityVerdict: { defects: [], summary: 'image 0' },
        isFavorite: false,
        generationId: gen.generationId,
      });
      expect(await findOwnImage(prisma, stranger.userId, mine)).toBeNull();
      expect(await findOwnImage(prisma, gen.userId, 'not-a-uuid')).toBeNull();
      expect(await findOwnImage(prisma, gen.userId, "' OR 1=1 --")).toBeNull();
      expect(await findOwnImage(prisma, gen.userId, randomUUID())).toBeNull();

      expect(await toggleFavorite(prisma, gen.userId, mine)).toBe(true);
      expect(await toggleFavorite(prisma, stranger.userId, mine)).toBeNull();
      expect(await toggleFavorite(prisma, stranger.userId, 'zzz')).toBeNull();
      expect((await findOwnImage(prisma, gen.userId, mine))?.isFavorite).toBe(true); // the stranger changed nothing
      expect(await toggleFavorite(prisma, gen.userId, mine)).toBe(false);
      expect(await toggleFavorite(prisma, gen.userId, mine)).toBe(true);
      expect((await prisma.image.findUniqueOrThrow({ where: { id: mine } })).isFavorite).toBe(true);

      await prisma.image.update({ where: { id: deleted }, data: { deletedAt: new Date() } });
      expect(await findOwnImage(prisma, gen.userId, deleted)).toBeNull();
      expect(await toggleFavorite(prisma, gen.userId, deleted)).toBeNull();
    });
  });

  it('logs deliveries through the activity logger', () => {
    expect(logs.some((l) => l.message === 'generation images delivered')).toBe(true);
  });
});

import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger, LogLevel, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPhotoActivities, PHOTO_ASSESSMENT_PROMPT_V1, toPhotoAssessment, type BuildArchiveInput, type PhotoActivities, type PreparePhotoInput, type PreparedPhoto } from '../../activities/photos';
import type { Config } from '../../lib/config';
import { dHash, hammingDistance } from '../../lib/image-hash';
import { createMinio, ensureBuckets, type MinioClient } from '../../lib/minio';
import { createOpenAI } from '../../lib/openai';
import { createStorage, type Storage } from '../../lib/storage';
import { downloadTelegramFile, TelegramFileTooBigError } from '../../lib/telegram-files';
import { OpenAISandbox } from '../../sandbox/openai/server';
import { TelegramSandbox } from '../../sandbox/telegram/server';
import { TEST_BOT_TOKEN, testConfig, uniqueTelegramId } from '../helpers/config';

const run = promisify(execFile);
type Sharp = ReturnType<typeof sharp>;

// ---- photos made here (sandbox/openai/README.md: markers are the top-left block's colour) ----

type RGB = [number, number, number];
const RED: RGB = [255, 0, 0];
const BLUE: RGB = [0, 0, 255];
const BLACK: RGB = [0, 0, 0];
const MAGENTA: RGB = [255, 0, 255];

/**
 * A textured "photo": broad light/dark shapes (what a perceptual hash sees)
 * plus fine ripples (so the sandbox does not call it blurred). `seed` moves
 * the shapes, so different seeds are different pictures.
 */
function texturedPhoto(width: number, height: number, seed = 0): Sharp {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const broad = 55 * Math.sin(x / 140 + seed * 1.3) * Math.cos(y / 110 - seed * 0.9);
      const i = (y * width + x) * 3;
      px[i] = 130 + broad + 30 * Math.sin(x / 7);
      px[i + 1] = 140 + broad + 25 * Math.cos(y / 9);
      px[i + 2] = 120 + broad + 20 * Math.sin((x + y) / 11);
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } });
}

async function withMarker(img: Sharp, [r, g, b]: RGB): Promise<Sharp> {
  const block = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r, g, b } } }).png().toBuffer();
  return sharp(await img.png().toBuffer()).composite([{ input: block, left: 0, top: 0 }]);
}

const goodJpeg = (seed = 0) => texturedPhoto(1024, 768, seed).jpeg({ quality: 92 }).toBuffer();
const markedJpeg = async (marker: RGB) => (await withMarker(texturedPhoto(1024, 768), marker)).jpeg({ quality: 92 }).toBuffer();

/** Telegram keeps several sizes of a photo; the last is the original. */
const photoFileId = (u: Update) => {
  const sizes = u.message?.photo;
  if (!sizes?.length) throw new Error('not a photo update');
  return { fileId: sizes.at(-1)!.file_id, fileUniqueId: sizes.at(-1)!.file_unique_id };
};
const documentFileId = (u: Update) => {
  const doc = u.message?.document;
  if (!doc) throw new Error('not a document update');
  return { fileId: doc.file_id, fileUniqueId: doc.file_unique_id };
};

/** Collects the activity logger's lines (the default one prints to the console). */
class CollectingLogger implements Logger {
  readonly lines: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  log(level: LogLevel, message: string, meta?: LogMetadata) {
    this.lines.push({ level, message, meta });
  }
  trace = (m: string, meta?: LogMetadata) => this.log('TRACE', m, meta);
  debug = (m: string, meta?: LogMetadata) => this.log('DEBUG', m, meta);
  info = (m: string, meta?: LogMetadata) => this.log('INFO', m, meta);
  warn = (m: string, meta?: LogMetadata) => this.log('WARN', m, meta);
  error = (m: string, meta?: LogMetadata) => this.log('ERROR', m, meta);
}

// ---- the activities on MinIO, the Telegram sandbox and the OpenAI sandbox -----------------

describe('photo pipeline activities', () => {
  let telegram: TelegramSandbox;
  let openaiSandbox: OpenAISandbox;
  let config: Config;
  let minio: MinioClient;
  let storage: Storage;
  let activities: PhotoActivities;
  let dir: string;
  const logger = new CollectingLogger();
  const env = new MockActivityEnvironment({}, { logger });
  const users: number[] = [];

  beforeAll(async () => {
    telegram = await new TelegramSandbox({ token: TEST_BOT_TOKEN }).start();
    openaiSandbox = await new OpenAISandbox({ seed: 3 }).start();
    config = testConfig({ TELEGRAM_API_ROOT: telegram.apiRoot, OPENAI_BASE_URL: openaiSandbox.baseUrl, OPENAI_API_KEY: 'sk-sandbox-photos-test' });
    minio = createMinio(config.minio);
    await ensureBuckets(minio);
    storage = createStorage(minio, config.minio);
    activities = createPhotoActivities({
      config,
      storage,
      telegramApi: new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot }),
      openai: createOpenAI(config.openai),
    });
    dir = await mkdtemp(join(tmpdir(), 'aisha-photos-test-'));
  });
  afterAll(async () => {
    for (const id of users) await storage?.removePrefix('avatars', `${id}/`);
    await telegram?.stop();
    await openaiSandbox?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    openaiSandbox.resetKnobs();
    openaiSandbox.clearRequests();
  });

  const newUser = () => {
    const userId = uniqueTelegramId();
    users.push(userId);
    return { userId, avatarId: randomUUID() };
  };
  /** Runs an activity in Temporal's mock activity context (the activity logger needs one). */
  const inActivity = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => env.run(fn, ...args) as Promise<R>;
  const prepare = (input: PreparePhotoInput) => inActivity(activities.preparePhoto, input);
  const assess = (objectKey: string) => inActivity(activities.assessPhoto, { objectKey });
  const archive = (input: BuildArchiveInput) => inActivity(activities.buildTrainingArchive, input);
  const sendPhoto = async (owner: { userId: number; avatarId: string }, bytes: Buffer) => ({ ...owner, ...photoFileId(await telegram.users.sendPhoto(owner.userId, bytes)) });
  const sendDocument = async (owner: { userId: number; avatarId: string }, bytes: Buffer, fileName: string) => ({
    ...owner,
    ...documentFileId(await telegram.users.sendMedia(owner.userId, 'document', bytes, { fileName })),
  });
  const accepted = (p: PreparedPhoto) => {
    if (!p.ok) throw new Error(`photo rejected: ${p.reason}`);
    return p;
  };

  describe('preparePhoto', () => {
    it('stores a good photo as a normalised JPEG: orientation applied, EXIF stripped, hashes and size returned', async () => {
      const owner = newUser();
      const original = await texturedPhoto(1024, 768)
        .jpeg({ quality: 92 })
        .withExif({ IFD0: { Make: 'AishaTestCam', Model: 'X1', Copyright: 'secret owner' } })
        .withMetadata({ orientation: 6 })
        .toBuffer();
      const before = await sharp(original).metadata();
      expect(before.exif).toBeDefined(); // the precondition: the upload does carry EXIF
      expect(before.orientation).toBe(6);

      const result = accepted(await prepare(await sendPhoto(owner, original)));
      expect(result.objectKey).toBe(`${owner.userId}/${owner.avatarId}/photos/${result.sha256}.jpg`);
      expect(result).toMatchObject({ width: 768, height: 1024 }); // orientation 6: stored upright

      const stored = await storage.get('avatars', result.objectKey);
      expect(createHash('sha256').update(stored).digest('hex')).toBe(result.sha256);
      expect(result.sizeBytes).toBe(stored.length);
      expect(result.phash).toBe(await dHash(stored));
      const meta = await sharp(stored).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 768, height: 1024 });
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(stored.includes('AishaTestCam')).toBe(false);
      const stat = await minio.statObject('avatars', result.objectKey);
      expect(stat.metaData['content-type']).toBe('image/jpeg');
    });

    it('converts a PNG photo and a WebP document to JPEG', async () => {
      const owner = newUser();
      const png = accepted(await prepare(await sendPhoto(owner, await texturedPhoto(900, 700, 1).png().toBuffer())));
      const webp = accepted(await prepare(await sendDocument(owner, await texturedPhoto(700, 900, 2).webp().toBuffer(), 'me.webp')));
      expect(png).toMatchObject({ width: 900, height: 700 });
      expect(webp).toMatchObject({ width: 700, height: 900 });
      for (const key of [png.objectKey, webp.objectKey]) {
        expect((await sharp(await storage.get('avatars', key)).metadata()).format).toBe('jpeg');
      }
    });

    it('downscales a photo longer than 2048 px to 2048 on the long side', async () => {
      const owner = newUser();
      const result = accepted(await prepare(await sendDocument(owner, await texturedPhoto(3000, 1500).jpeg().toBuffer(), 'big.jpg')));
      expect(result).toMatchObject({ width: 2048, height: 1024 });
      expect(await sharp(await storage.get('avatars', result.objectKey)).metadata()).toMatchObject({ width: 2048, height: 1024 });
    });

    it('rejects files that are not JPEG, PNG or WebP images as not_image', async () => {
      const owner = newUser();
      const text = Buffer.from('This is not a photo, just text that pretends to be one.\n'.repeat(50));
      expect(await prepare(await sendDocument(owner, text, 'photo.jpg'))).toEqual({ ok: false, reason: 'not_image' });
      const gif = await texturedPhoto(600, 600).gif().toBuffer();
      expect(await prepare(await sendDocument(owner, gif, 'photo.gif'))).toEqual({ ok: false, reason: 'not_image' });
      // a JPEG cut in half decodes partly: still not a photo we keep
      const jpeg = await goodJpeg();
      expect(await prepare(await sendDocument(owner, jpeg.subarray(0, jpeg.length >> 1), 'cut.jpg'))).toEqual({ ok: false, reason: 'not_image' });
    });

    it('rejects a photo whose short side is under 512 px as too_small', async () => {
      const owner = newUser();
      expect(await prepare(await sendPhoto(owner, await texturedPhoto(100, 100).jpeg().toBuffer()))).toEqual({ ok: false, reason: 'too_small' });
      expect(await prepare(await sendPhoto(owner, await texturedPhoto(1024, 511).jpeg().toBuffer()))).toEqual({ ok: false, reason: 'too_small' });
    });

    it('rejects a file over 20 MB as too_large, whether Telegram or the activity refuses it', async () => {
      const owner = newUser();
      const big = Buffer.alloc(21 * 1024 * 1024, 0x5a);
      const input = await sendDocument(owner, big, 'huge.jpg');
      expect(await prepare(input)).toEqual({ ok: false, reason: 'too_large' }); // cloud Bot API: getFile answers 400 "file is too big"

      const cap = telegram.knobs.maxDownloadBytes;
      telegram.knobs.maxDownloadBytes = 2000 * 1024 * 1024; // a local Bot API server serves it: our own limit applies
      try {
        expect(await prepare(input)).toEqual({ ok: false, reason: 'too_large' });
      } finally {
        telegram.knobs.maxDownloadBytes = cap;
      }
    });

    it('rejects an unknown file id as download_failed', async () => {
      const owner = newUser();
      expect(await prepare({ ...owner, fileId: 'BQACno-such-file', fileUniqueId: 'AQADnone' })).toEqual({ ok: false, reason: 'download_failed' });
    });

    it('is idempotent, dedupes identical uploads by sha256, and finds a re-encoded copy by dHash', async () => {
      const owner = newUser();
      const original = await goodJpeg(4);
      const first = accepted(await prepare(await sendPhoto(owner, original)));
      const input = await sendPhoto(owner, original); // the same bytes sent again: a new file_id
      const second = accepted(await prepare(input));
      const retried = accepted(await prepare(input));
      expect(second).toEqual(first);
      expect(retried).toEqual(first);
      expect(hammingDistance(first.phash, second.phash)).toBe(0);

      const reencoded = await sharp(original).jpeg({ quality: 70 }).toBuffer();
      const copy = accepted(await prepare(await sendPhoto(owner, reencoded)));
      expect(copy.sha256).not.toBe(first.sha256);
      expect(hammingDistance(first.phash, copy.phash)).toBeLessThanOrEqual(6);

      const other = accepted(await prepare(await sendPhoto(owner, await goodJpeg(7))));
      expect(hammingDistance(first.phash, other.phash)).toBeGreaterThan(6);
    });

    it('never logs the bot token', () => {
      expect(logger.lines.length).toBeGreaterThan(0);
      expect(JSON.stringify(logger.lines)).not.toContain(config.telegram.token.split(':')[1]);
    });
  });

  describe('assessPhoto', () => {
    const prepared = async (bytes: Buffer) => accepted(await prepare(await sendPhoto(newUser(), bytes))).objectKey;

    it('accepts a textured photo with one clear face, asking the vision model and moderation', async () => {
      const key = await prepared(await goodJpeg());
      expect(await assess(key)).toEqual({ ok: true });

      const chat = openaiSandbox.requests.find((r) => r.path === '/v1/chat/completions');
      expect(chat).toMatchObject({ status: 200, purpose: 'photo_assessment', model: config.openai.visionModel });
      const body = chat!.body as { messages: { role: string; content: unknown }[]; response_format: { json_schema: { strict: boolean } } };
      expect(body.messages[0]).toEqual({ role: 'system', content: PHOTO_ASSESSMENT_PROMPT_V1 });
      expect(body.response_format.json_schema.strict).toBe(true);
      expect(JSON.stringify(body.messages[1]!.content)).toContain('data:image/jpeg;base64,');
      const moderation = openaiSandbox.requests.find((r) => r.path === '/v1/moderations');
      expect(moderation).toMatchObject({ status: 200, model: 'omni-moderation-latest' });
      expect(JSON.stringify((moderation!.body as { input: unknown }).input)).toContain('data:image/jpeg;base64,');
    });

    it.each([
      ['red', 'no_face', RED],
      ['blue', 'many_faces', BLUE],
      ['black', 'occluded', BLACK],
      ['magenta', 'explicit', MAGENTA],
    ] as const)('rejects a photo with the %s marker as %s', async (_name, reason, marker) => {
      const key = await prepared(await markedJpeg(marker));
      expect(await assess(key)).toEqual({ ok: false, reason });
    });

    it('rejects a uniform grey photo as blurred', async () => {
      const grey = await sharp({ create: { width: 1024, height: 768, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toBuffer();
      expect(await assess(await prepared(grey))).toEqual({ ok: false, reason: 'blurred' });
    });

    it('rejects as explicit when only moderation flags the photo', async () => {
      const key = await prepared(await goodJpeg(3));
      // The sandbox flags both checks by the same marker: here moderation alone sees a flagged (magenta-marked) image.
      const client = createOpenAI(config.openai);
      const moderate = client.moderations.create.bind(client.moderations);
      const flaggedImage = `data:image/jpeg;base64,${(await markedJpeg(MAGENTA)).toString('base64')}`;
      client.moderations.create = ((body, options) =>
        moderate({ ...body, input: [{ type: 'image_url', image_url: { url: flaggedImage } }] }, options)) as typeof client.moderations.create;
      const telegramApi = new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot });
      const withFlaggingModeration = createPhotoActivities({ config, storage, telegramApi, openai: client });

      expect(await assess(key)).toEqual({ ok: true }); // the vision model alone accepts it
      expect(await inActivity(withFlaggingModeration.assessPhoto, { objectKey: key })).toEqual({ ok: false, reason: 'explicit' });
    });

    it('treats a refusal by the model as explicit', async () => {
      const key = await prepared(await goodJpeg(1));
      openaiSandbox.setKnobs({ refuseNext: 1 });
      expect(await assess(key)).toEqual({ ok: false, reason: 'explicit' });
    });

    it('throws on an OpenAI server error so Temporal retries, then succeeds', async () => {
      const key = await prepared(await goodJpeg(2));
      openaiSandbox.setKnobs({ fail5xxNext: 1 });
      await expect(assess(key)).rejects.toMatchObject({ status: 500 });
      expect(await assess(key)).toEqual({ ok: true });
    });

    it('maps the verdict and moderation to one reason, moderation and explicit content first', () => {
      const clean = { face_count: 1, clear_face: true, blurred: false, occluded: false, sunglasses: false, explicit: false, acceptable: true, reason: 'fine' };
      expect(toPhotoAssessment(clean, false)).toEqual({ ok: true });
      expect(toPhotoAssessment(clean, true)).toEqual({ ok: false, reason: 'explicit' }); // flagged by moderation alone
      expect(toPhotoAssessment({ ...clean, face_count: 0, explicit: true }, false)).toEqual({ ok: false, reason: 'explicit' });
      expect(toPhotoAssessment({ ...clean, face_count: 3, blurred: true }, false)).toEqual({ ok: false, reason: 'many_faces' });
      expect(toPhotoAssessment({ ...clean, blurred: true, sunglasses: true }, false)).toEqual({ ok: false, reason: 'blurred' });
      expect(toPhotoAssessment({ ...clean, sunglasses: true }, false)).toEqual({ ok: false, reason: 'occluded' });
    });

    it('fails without retries when the photo object does not exist', async () => {
      await expect(assess(`${uniqueTelegramId()}/${randomUUID()}/photos/missing.jpg`)).rejects.toMatchObject({ type: 'PhotoObjectMissing', nonRetryable: true });
    });
  });

  describe('buildTrainingArchive', () => {
    it('zips 10 photos as photo_01.jpg … photo_10.jpg, the same bytes on a retry', async () => {
      const owner = newUser();
      const photos = await Promise.all(Array.from({ length: 10 }, async (_, i) => accepted(await prepare(await sendPhoto(owner, await goodJpeg(10 + i))))));
      const objectKeys = photos.map((p) => p.objectKey);
      expect(new Set(objectKeys).size).toBe(10);

      const result = await archive({ ...owner, objectKeys });
      expect(result).toMatchObject({ objectKey: `${owner.userId}/${owner.avatarId}/training.zip`, count: 10 });
      const zip = await storage.get('avatars', result.objectKey);
      expect(zip.length).toBe(result.sizeBytes);
      expect((await minio.statObject('avatars', result.objectKey)).metaData['content-type']).toBe('application/zip');

      const file = join(dir, `${owner.avatarId}.zip`);
      await writeFile(file, zip);
      const listing = (await run('unzip', ['-Z1', file])).stdout.trim().split('\n');
      expect(listing).toEqual(Array.from({ length: 10 }, (_, i) => `photo_${String(i + 1).padStart(2, '0')}.jpg`));
      expect((await run('unzip', ['-l', file])).stdout).toMatch(/\s10 files\s*$/);
      await run('unzip', ['-tq', file]); // CRCs check out (throws otherwise)
      const third = await run('unzip', ['-p', file, 'photo_03.jpg'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
      expect(third.stdout.equals(await storage.get('avatars', objectKeys[2]!))).toBe(true);

      const again = await archive({ ...owner, objectKeys });
      expect(again).toEqual(result);
      expect((await storage.get('avatars', result.objectKey)).equals(zip)).toBe(true);
    });

    it("refuses another user's photos and an empty list, without retries", async () => {
      const owner = newUser();
      const stranger = newUser();
      const theirs = accepted(await prepare(await sendPhoto(stranger, await goodJpeg(30))));
      await expect(archive({ ...owner, objectKeys: [theirs.objectKey] })).rejects.toMatchObject({
        type: 'PhotoForeignObject',
        nonRetryable: true,
      });
      await expect(archive({ ...owner, objectKeys: [] })).rejects.toMatchObject({ type: 'PhotoArchiveEmpty', nonRetryable: true });
      expect(await storage.exists('avatars', `${owner.userId}/${owner.avatarId}/training.zip`)).toBe(false);
    });
  });
});

// ---- downloadTelegramFile's streaming limit, against a server that gives no file_size -------

describe('downloadTelegramFile', () => {
  let server: http.Server;
  let apiRoot: string;
  const body = Buffer.alloc(3 * 1024 * 1024, 7);
  const requested: string[] = [];

  beforeAll(async () => {
    // Telegram may omit file_size; the file is then sent chunked (no content-length) here.
    // File id "sized" comes with its file_size, as Telegram usually sends it.
    server = http.createServer(async (req, res) => {
      requested.push(req.url ?? '');
      if (req.url?.endsWith('/getFile')) {
        let raw = '';
        for await (const chunk of req) raw += String(chunk);
        const sized = (JSON.parse(raw) as { file_id: string }).file_id === 'sized';
        const result = { file_id: 'x', file_unique_id: 'y', file_path: 'documents/big.bin', ...(sized ? { file_size: body.length } : {}) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
        return;
      }
      if (req.url === `/file/bot${TEST_BOT_TOKEN}/documents/big.bin`) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let i = 0; i < body.length; i += 64 * 1024) res.write(body.subarray(i, i + 64 * 1024));
        res.end();
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('stops a download without file_size once it passes the limit, and returns a file within it', async () => {
    const api = new Api(TEST_BOT_TOKEN, { apiRoot });
    const tooBig = await downloadTelegramFile(api, { token: TEST_BOT_TOKEN, apiRoot }, 'x', 1024 * 1024).then(() => 'downloaded', (err: unknown) => err);
    expect(tooBig).toBeInstanceOf(TelegramFileTooBigError);
    const ok = await downloadTelegramFile(api, { token: TEST_BOT_TOKEN, apiRoot }, 'x', 4 * 1024 * 1024);
    expect(ok.filePath).toBe('documents/big.bin');
    expect(ok.data.equals(body)).toBe(true);
  });

  it('refuses a file whose file_size is over the limit without downloading it', async () => {
    const api = new Api(TEST_BOT_TOKEN, { apiRoot });
    requested.length = 0;
    await expect(downloadTelegramFile(api, { token: TEST_BOT_TOKEN, apiRoot }, 'sized', 1024 * 1024)).rejects.toBeInstanceOf(TelegramFileTooBigError);
    expect(requested).toEqual([`/bot${TEST_BOT_TOKEN}/getFile`]);
  });
});

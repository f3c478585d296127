import http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFalTrainingActivities, FAL_UNAVAILABLE, FalTrainingErrors, TRAINER_ENDPOINTS, type TrainingStatus } from '../../activities/fal-training';
import { createFal } from '../../lib/fal';
import { createMinio, ensureBuckets } from '../../lib/minio';
import { createPrisma } from '../../lib/prisma';
import { createStorage, type Storage } from '../../lib/storage';
import { createZip } from '../../lib/zip';
import { DEFAULT_KNOBS } from '../../sandbox/fal/knobs';
import { FalSandbox } from '../../sandbox/fal/server';
import { listen, readBody } from '../../sandbox/http-util';
import { testConfig, uniqueSuffix } from '../helpers/config';

/**
 * The training activities against the FAL sandbox (through the real
 * @fal-ai/client in proxy mode) and the real MinIO: archive hand-over in both
 * modes, status with progress, result, failure, cancel and the LoRA copy.
 */
const KNOBS = { queueMs: 50, trainingJobMs: 1500, webhookRetries: 0 };
const FAL_KEY = 'sandbox-key-id:sandbox-key-secret';

async function photosZip(count: number): Promise<Buffer> {
  const photos = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp({ create: { width: 128, height: 160, channels: 3, background: { r: 25 * i, g: 120, b: 220 - 15 * i } } }).jpeg().toBuffer(),
    ),
  );
  return createZip(photos.map((data, i) => ({ name: `photo-${String(i + 1).padStart(2, '0')}.jpg`, data })));
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

function loraMetadata(lora: Buffer): Record<string, string> {
  const length = Number(lora.readBigUInt64LE(0));
  return (JSON.parse(lora.subarray(8, 8 + length).toString('utf8')) as { __metadata__: Record<string, string> }).__metadata__;
}

describe('FAL training activities (FAL sandbox + MinIO)', () => {
  const sandbox = new FalSandbox({ seed: 11, knobs: KNOBS });
  const suffix = uniqueSuffix();
  const logs: LogEntry[] = [];
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('TRACE', (entry) => logs.push(entry)) });
  /** Runs an activity in an activity context (its `log` needs one). */
  const run = <A, R>(fn: (input: A) => Promise<R>, input: A): Promise<R> => env.run(() => fn(input));
  let storage: Storage;
  let minioBase: string;
  let receiver: http.Server;
  let webhookUrl: string;
  const hooks: { path: string; body: { request_id: string; status: string } }[] = [];
  const keys = { photos: `t-${suffix}/photos.zip`, three: `t-${suffix}/three.zip` };

  const prisma = createPrisma(testConfig().databaseUrl);
  const activitiesFor = (archiveUpload: 'fal_storage' | 'presigned') => {
    const config = testConfig({
      FAL_KEY,
      FAL_PROXY_URL: sandbox.url,
      FAL_JWKS_URL: sandbox.jwksUrl,
      FAL_ARCHIVE_UPLOAD: archiveUpload,
      MINIO_PUBLIC_URL: minioBase,
    });
    return createFalTrainingActivities({ config, fal: createFal(config.fal), storage, prisma });
  };
  const sandboxInput = (requestId: string) => sandbox.jobs.get(requestId)!.input;

  async function pollUntilCompleted(acts: ReturnType<typeof activitiesFor>, ref: { endpoint: string; requestId: string }): Promise<TrainingStatus[]> {
    const seen: TrainingStatus[] = [];
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await run(acts.trainingStatus, ref);
      seen.push(status);
      if (status.status === 'COMPLETED') return seen;
      if (Date.now() > deadline) throw new Error(`request ${ref.requestId} did not complete: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  beforeAll(async () => {
    await sandbox.start();
    minioBase = `http://127.0.0.1:${inject('env').MINIO_PORT}`;
    const config = testConfig();
    const minio = createMinio(config.minio);
    await ensureBuckets(minio);
    storage = createStorage(minio, config.minio);
    await storage.put('avatars', keys.photos, await photosZip(10), 'application/zip');
    await storage.put('avatars', keys.three, await photosZip(3), 'application/zip');

    receiver = http.createServer((req, res) => {
      void readBody(req).then((raw) => {
        hooks.push({ path: req.url ?? '', body: JSON.parse(raw.toString('utf8')) as { request_id: string; status: string } });
        res.writeHead(200).end();
      });
    });
    webhookUrl = `http://127.0.0.1:${await listen(receiver, 0)}/webhooks/fal/avatar-${suffix}`;
  });
  afterEach(() => {
    Object.assign(sandbox.knobs, DEFAULT_KNOBS, KNOBS);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await sandbox.stop();
    await storage?.removePrefix('avatars', `t-${suffix}/`);
    receiver?.closeAllConnections();
    await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  });

  describe.each(['fal_storage', 'presigned'] as const)('archive handed over as %s', (mode) => {
    it('trains a portrait LoRA: progress rises to 1, the result is copied into MinIO byte for byte', async () => {
      const acts = activitiesFor(mode);
      const submitted = await run(acts.submitTraining, {
        avatarId: `av-${suffix}-${mode}`,
        kind: 'PORTRAIT',
        archiveObjectKey: keys.photos,
        triggerPhrase: 'ohwx person',
        webhookUrl,
        steps: 1000,
      });
      expect(submitted.endpoint).toBe('fal-ai/flux-lora-portrait-trainer');

      const input = sandboxInput(submitted.requestId);
      expect(input).toMatchObject({ trigger_phrase: 'ohwx person', steps: 1000 });
      expect(input).not.toHaveProperty('is_style');
      // fal_storage: the bytes were uploaded to FAL; presigned: FAL fetches them from MinIO itself.
      const archiveUrl = String(input.images_data_url);
      if (mode === 'presigned') {
        expect(archiveUrl.startsWith(`${minioBase}/avatars/${keys.photos}?`)).toBe(true);
        expect(archiveUrl).toContain('X-Amz-Signature=');
      } else {
        expect(archiveUrl.startsWith(`${sandbox.url}/files/`)).toBe(true);
      }

      const statuses = await pollUntilCompleted(acts, submitted);
      const progress = statuses.map((s) => s.progress).filter((p): p is number => p !== undefined);
      expect(progress.length).toBeGreaterThan(2);
      expect(progress).toEqual([...progress].sort((a, b) => a - b)); // never goes back
      expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
      expect(progress.at(-1)).toBe(1);
      expect(statuses.some((s) => s.status === 'IN_PROGRESS' && /step \d+\/1000/.test(s.lastLog ?? ''))).toBe(true);

      const outcome = await run(acts.trainingResult, submitted);
      if (!outcome.ok) throw new Error(`training failed: ${outcome.error}`);
      expect(outcome.configUrl).toMatch(/^http/);

      const direct = await download(outcome.loraUrl);
      expect(loraMetadata(direct)).toMatchObject({ trigger_word: 'ohwx person', steps: '1000', images: '10' });
      const objectKey = `t-${suffix}/${mode}/lora.safetensors`;
      const copied = await run(acts.copyToStorage, { url: outcome.loraUrl, bucket: 'avatars', objectKey, contentType: 'application/octet-stream' });
      expect(copied).toEqual({ objectKey, sizeBytes: direct.length });
      expect((await storage.get('avatars', objectKey)).equals(direct)).toBe(true);

      // FAL was told where to report: our webhook got the OK for this request.
      await expect.poll(() => hooks.find((h) => h.body.request_id === submitted.requestId)).toMatchObject({ body: { status: 'OK' } });

      // The activity logged the submit, but never the archive URL (a presigned URL is a credential) nor the key.
      const logged = JSON.stringify(logs.map((l) => [l.message, l.meta]));
      expect(logged).toContain(submitted.requestId);
      expect(logged).not.toContain(archiveUrl);
      expect(logged).not.toContain('X-Amz-Signature');
      expect(logged).not.toContain(FAL_KEY);
    });
  });

  it('submits the style trainer with is_style: true and create_masks: false', async () => {
    const acts = activitiesFor('fal_storage');
    const submitted = await run(acts.submitTraining, {
      avatarId: `av-${suffix}-style`,
      kind: 'STYLE',
      archiveObjectKey: keys.photos,
      triggerPhrase: 'in the style of ohwx',
      webhookUrl,
    });
    expect(submitted.endpoint).toBe(TRAINER_ENDPOINTS.STYLE);
    const requests = (await (await fetch(`${sandbox.url}/sandbox/requests`)).json()) as { request_id: string; endpoint: string; webhook_url?: string }[];
    expect(requests.find((r) => r.request_id === submitted.requestId)).toMatchObject({ endpoint: 'fal-ai/flux-lora-fast-training', webhook_url: webhookUrl });
    expect(sandboxInput(submitted.requestId)).toMatchObject({ trigger_word: 'in the style of ohwx', is_style: true, create_masks: false });
    expect(sandboxInput(submitted.requestId)).not.toHaveProperty('steps');

    await pollUntilCompleted(acts, submitted);
    const outcome = await run(acts.trainingResult, submitted);
    if (!outcome.ok) throw new Error(`training failed: ${outcome.error}`);
    // The trainer's own config file says how it trained.
    expect(JSON.parse((await download(outcome.configUrl!)).toString('utf8'))).toMatchObject({ is_style: true, create_masks: false, trigger_word: 'in the style of ohwx' });
  });

  it('reports a training on 3 photos as a failed outcome with FAL’s reason, not an exception', async () => {
    const acts = activitiesFor('presigned');
    const submitted = await run(acts.submitTraining, { avatarId: `av-${suffix}-3`, kind: 'PORTRAIT', archiveObjectKey: keys.three, triggerPhrase: 'ohwx', webhookUrl });
    await pollUntilCompleted(acts, submitted);
    const outcome = await run(acts.trainingResult, submitted);
    expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/at least 10 images.*found 3/i) });
    await expect.poll(() => hooks.find((h) => h.body.request_id === submitted.requestId)?.body.status).toBe('ERROR');
  });

  it('cancels a running training; status and result show it; cancelling again is fine', async () => {
    sandbox.knobs.trainingJobMs = 60_000;
    const acts = activitiesFor('fal_storage');
    const submitted = await run(acts.submitTraining, { avatarId: `av-${suffix}-c`, kind: 'PORTRAIT', archiveObjectKey: keys.photos, triggerPhrase: 'ohwx', webhookUrl });
    await expect.poll(async () => (await run(acts.trainingStatus, submitted)).status, { timeout: 10_000 }).toBe('IN_PROGRESS');

    await run(acts.cancelTraining, submitted);
    const status = await run(acts.trainingStatus, submitted);
    expect(status.status).toBe('COMPLETED');
    expect(status.lastLog).toMatch(/cancel/i);
    expect(await run(acts.trainingResult, submitted)).toEqual({ ok: false, error: expect.stringMatching(/cancel/i) });
    expect(sandbox.jobs.get(submitted.requestId)!.cancelled).toBe(true);

    await expect(run(acts.cancelTraining, submitted)).resolves.toBeUndefined();
  });

  it('copyToStorage is idempotent: a second copy after FAL deleted the file still answers from MinIO', async () => {
    const acts = activitiesFor('fal_storage');
    const submitted = await run(acts.submitTraining, { avatarId: `av-${suffix}-i`, kind: 'PORTRAIT', archiveObjectKey: keys.photos, triggerPhrase: 'ohwx', webhookUrl });
    await pollUntilCompleted(acts, submitted);
    const outcome = await run(acts.trainingResult, submitted);
    if (!outcome.ok) throw new Error(outcome.error);
    const objectKey = `t-${suffix}/idem/lora.safetensors`;
    const first = await run(acts.copyToStorage, { url: outcome.loraUrl, bucket: 'avatars', objectKey, contentType: 'application/octet-stream' });

    sandbox.knobs.fileTtlMs = 1; // FAL's CDN expiry: its files now answer 404
    expect((await fetch(outcome.loraUrl)).status).toBe(404);
    expect(await run(acts.copyToStorage, { url: outcome.loraUrl, bucket: 'avatars', objectKey, contentType: 'application/octet-stream' })).toEqual(first);

    // Never copied and gone at FAL: a non-retryable failure the workflow can report.
    const gone = await run(acts.copyToStorage, { url: outcome.configUrl!, bucket: 'avatars', objectKey: `t-${suffix}/idem/config.json`, contentType: 'application/json' })
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ApplicationFailure);
    expect(gone).toMatchObject({ type: FalTrainingErrors.fileGone, nonRetryable: true });
    expect(await storage.exists('avatars', `t-${suffix}/idem/config.json`)).toBe(false);
  });

  it('throws retryable failures for FAL outages and non-retryable ones for refusals', async () => {
    const acts = activitiesFor('presigned');
    const ref = { endpoint: TRAINER_ENDPOINTS.PORTRAIT, requestId: '00000000-0000-4000-8000-000000000000' };

    const missing = await run(acts.trainingStatus, ref).catch((e: unknown) => e);
    expect(missing).toMatchObject({ type: FalTrainingErrors.notFound, nonRetryable: true });

    Object.assign(sandbox.knobs, { fail5xxNext: 1, http5xxStatus: 501 }); // a 5xx the client does not retry itself
    const outage = await run(acts.trainingResult, ref).catch((e: unknown) => e);
    expect(outage).toBeInstanceOf(ApplicationFailure);
    expect(outage).toMatchObject({ type: FAL_UNAVAILABLE, nonRetryable: false });

    const noArchive = await run(acts.submitTraining, { avatarId: 'x', kind: 'STYLE', archiveObjectKey: `t-${suffix}/missing.zip`, triggerPhrase: 'x', webhookUrl })
      .catch((e: unknown) => e);
    expect(noArchive).toMatchObject({ type: FalTrainingErrors.archiveMissing, nonRetryable: true });

    const keyless = createFalTrainingActivities({ config: testConfig(), fal: createFal({ ...testConfig().fal, proxyUrl: sandbox.url, key: undefined }), storage, prisma });
    const unauthorized = await run(keyless.trainingStatus, ref).catch((e: unknown) => e);
    expect(unauthorized).toMatchObject({ type: FalTrainingErrors.auth, nonRetryable: true });
  });
});

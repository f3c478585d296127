import http from 'node:http';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../lib/config';
import { createFal, FalApiError, FalValidationError, type FalClient } from '../../lib/fal';
import { createFalWebhookVerifier, type FalWebhookVerdict } from '../../lib/fal-webhook';
import { createZip } from '../../lib/zip';
import { DEFAULT_KNOBS } from '../../sandbox/fal/knobs';
import { FalSandbox } from '../../sandbox/fal/server';
import { listen, readBody } from '../../sandbox/http-util';

/**
 * The FAL sandbox driven by the real @fal-ai/client through lib/fal.ts (proxy
 * mode, as FAL_PROXY_URL configures it), with webhooks checked by our verifier.
 */
const FAST = { queueMs: 30, imageJobMs: 200, trainingJobMs: 300, webhookRetryBaseMs: 50 };

interface WebhookBody {
  request_id: string;
  gateway_request_id: string;
  status: 'OK' | 'ERROR';
  payload: Record<string, unknown> | null;
  error?: string;
}
interface Delivery {
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  body: WebhookBody;
  verdict: FalWebhookVerdict;
}

async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('FAL sandbox with the real @fal-ai/client', () => {
  const sandbox = new FalSandbox({ seed: 7, knobs: FAST });
  let cfg: Config['fal'];
  let fal: FalClient;
  let receiver: http.Server;
  let hookUrl: string;
  const deliveries: Delivery[] = [];
  const deliveriesOf = (requestId: string) => deliveries.filter((d) => d.body.request_id === requestId);

  beforeAll(async () => {
    await sandbox.start();
    cfg = { key: 'sandbox-key-id:sandbox-key-secret', proxyUrl: `${sandbox.url}/api/fal/proxy`, jwksUrl: sandbox.jwksUrl, archiveUpload: 'fal_storage', pollIntervalSeconds: 30, pollMaxSeconds: 300 };
    fal = createFal(cfg);
    const verifier = createFalWebhookVerifier({ jwksUrl: cfg.jwksUrl });
    // The receiver answers as the bot will: 200 for a verified delivery, 401 otherwise.
    receiver = http.createServer((req, res) => {
      void (async () => {
        const rawBody = await readBody(req);
        const verdict = await verifier.verify({ headers: req.headers, rawBody });
        deliveries.push({ headers: req.headers, rawBody, body: JSON.parse(rawBody.toString('utf8')) as WebhookBody, verdict });
        res.writeHead(verdict.ok ? 200 : 401).end();
      })();
    });
    hookUrl = `http://127.0.0.1:${await listen(receiver, 0)}/webhooks/fal/test-workflow`;
  });
  afterEach(() => {
    Object.assign(sandbox.knobs, DEFAULT_KNOBS, FAST);
  });
  afterAll(async () => {
    await sandbox.stop();
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });

  async function webhookFor(requestId: string): Promise<Delivery> {
    return waitFor(() => deliveriesOf(requestId)[0], `a webhook for ${requestId}`);
  }

  it('runs fal-ai/flux-lora: signed webhook accepted by our verifier, real images of the reported size', async () => {
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', {
      input: { prompt: 'a red fox in the snow', num_images: 2, image_size: 'landscape_16_9', output_format: 'jpeg' },
      webhookUrl: hookUrl,
    });
    const delivery = await webhookFor(request_id);
    expect(delivery.verdict).toEqual({ ok: true, requestId: request_id });
    expect(delivery.body).toMatchObject({ request_id, gateway_request_id: request_id, status: 'OK' });

    const payload = delivery.body.payload as { images: { url: string; width: number; height: number; content_type: string }[]; has_nsfw_concepts: boolean[]; seed: number };
    expect(payload.images).toHaveLength(2);
    expect(payload.has_nsfw_concepts).toEqual([false, false]);
    expect(Number.isInteger(payload.seed)).toBe(true);
    for (const image of payload.images) {
      expect(image).toMatchObject({ width: 1024, height: 576, content_type: 'image/jpeg' });
      const meta = await sharp(await download(image.url)).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 1024, height: 576 });
    }

    const status = await fal.queue.status('fal-ai/flux-lora', { requestId: request_id, logs: true });
    expect(status.status).toBe('COMPLETED');
    expect((status as { logs: { message: string }[] }).logs.map((l) => l.message)).toContain('step 28/28');
  });

  it('rejects a tampered body, a signature from another key and a stale timestamp', async () => {
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'verifier check', image_size: 'square' }, webhookUrl: hookUrl });
    const { rawBody, headers } = await webhookFor(request_id);
    const verifier = createFalWebhookVerifier({ jwksUrl: cfg.jwksUrl });
    const now = Math.floor(Date.now() / 1000);

    // The untouched delivery, and a fresh signature by the sandbox's own key, pass.
    expect((await verifier.verify({ headers, rawBody })).ok).toBe(true);
    expect((await verifier.verify({ headers: sandbox.signWebhook(rawBody, { requestId: request_id }), rawBody })).ok).toBe(true);

    const tampered = Buffer.from(rawBody.toString('utf8').replace('"status":"OK"', '"status":"ERROR"'));
    expect(tampered.equals(rawBody)).toBe(false);
    expect(await verifier.verify({ headers, rawBody: tampered })).toMatchObject({ ok: false });

    const other = new FalSandbox(); // its own ED25519 key, never published at cfg.jwksUrl
    expect(await verifier.verify({ headers: other.signWebhook(rawBody, { requestId: request_id }), rawBody })).toMatchObject({ ok: false });

    const stale = sandbox.signWebhook(rawBody, { requestId: request_id, timestamp: now - 301 });
    expect(await verifier.verify({ headers: stale, rawBody })).toMatchObject({ ok: false, reason: expect.stringMatching(/timestamp/) });
    const future = sandbox.signWebhook(rawBody, { requestId: request_id, timestamp: now + 301 });
    expect(await verifier.verify({ headers: future, rawBody })).toMatchObject({ ok: false });

    // Stale deliveries from the sandbox itself are refused by the receiver, and retried.
    Object.assign(sandbox.knobs, { webhookClockSkewSeconds: -600, webhookRetries: 1 });
    const late = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'late', image_size: 'square' }, webhookUrl: hookUrl });
    await waitFor(() => sandbox.deliveries.find((d) => d.requestId === late.request_id && d.state === 'failed'), 'the failed delivery');
    expect(deliveriesOf(late.request_id).map((d) => d.verdict.ok)).toEqual([false, false]);
  });

  it('still gives the result by polling when the webhook is lost', async () => {
    sandbox.knobs.webhookLossRate = 1;
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'lost webhook', num_images: 1, image_size: 'square' }, webhookUrl: hookUrl });
    const done = await fal.queue.subscribeToStatus('fal-ai/flux-lora', { requestId: request_id, pollInterval: 50 });
    expect(done.status).toBe('COMPLETED');
    const { data, requestId } = await fal.queue.result('fal-ai/flux-lora', { requestId: request_id });
    expect(requestId).toBe(request_id);
    expect(data.images).toHaveLength(1);
    expect((await sharp(await download(data.images[0]!.url)).metadata()).format).toBe('jpeg');
    expect(sandbox.deliveries.filter((d) => d.requestId === request_id).map((d) => d.state)).toEqual(['dropped']);
    expect(deliveriesOf(request_id)).toEqual([]);
  });

  it('serves fal-ai/imagen4/preview status and result under the app root', async () => {
    const { request_id } = await fal.queue.submit('fal-ai/imagen4/preview', { input: { prompt: 'a lighthouse at dusk', aspect_ratio: '16:9' } });
    const done = await fal.queue.subscribeToStatus('fal-ai/imagen4/preview', { requestId: request_id, pollInterval: 50, logs: true });
    expect(done.logs.map((l) => l.message)).toContain('step 50/50');
    const { data } = await fal.queue.result('fal-ai/imagen4/preview', { requestId: request_id });
    expect(data.images).toHaveLength(1);
    const meta = await sharp(await download(data.images[0]!.url)).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 1408, height: 768 });
    expect(data.images[0]).toMatchObject({ width: 1408, height: 768, content_type: 'image/png' });

    // FAL keeps requests under owner/alias: the endpoint's sub-path is not a request path.
    const wrong = await fetch(cfg.proxyUrl!, {
      headers: { authorization: `Key ${cfg.key}`, 'x-fal-target-url': `https://queue.fal.run/fal-ai/imagen4/preview/requests/${request_id}/status` },
    });
    expect(wrong.status).toBe(404);
  });

  it('flags the image indices named by an [nsfw:…] marker', async () => {
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'beach portrait [nsfw:1]', num_images: 3, image_size: 'square' } });
    await fal.queue.subscribeToStatus('fal-ai/flux-lora', { requestId: request_id, pollInterval: 50 });
    const { data } = await fal.queue.result('fal-ai/flux-lora', { requestId: request_id });
    expect(data.has_nsfw_concepts).toEqual([false, true, false]);
    // As on FAL, a flagged image is delivered black; the others are not.
    const brightest = async (url: string) => Math.max(...(await sharp(await download(url)).stats()).channels.map((c) => c.max));
    expect(await brightest(data.images[1]!.url)).toBeLessThan(8);
    expect(await brightest(data.images[0]!.url)).toBeGreaterThan(100);
  });

  it('verifier: caches the JWKS, refetches for an unknown key at most once a minute, never throws', async () => {
    const rotated = new FalSandbox(); // the key FAL rotates to
    let clock = Date.now();
    const served = [sandbox.signer.jwks(), rotated.signer.jwks()];
    let fetches = 0;
    const verifier = createFalWebhookVerifier({
      jwksUrl: 'https://rest.alpha.fal.ai/.well-known/jwks.json',
      now: () => clock,
      fetchImpl: (() => Promise.resolve(Response.json(served[Math.min(fetches++, 1)]))) as typeof fetch,
    });
    const body = Buffer.from('{"request_id":"r-1","status":"OK","payload":{}}');
    const ts = () => Math.floor(clock / 1000);
    const upper = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));

    expect(await verifier.verify({ headers: upper(sandbox.signWebhook(body, { requestId: 'r-1', timestamp: ts() })), rawBody: body })).toEqual({ ok: true, requestId: 'r-1' });
    for (let i = 0; i < 5; i++) {
      expect((await verifier.verify({ headers: rotated.signWebhook(body, { requestId: 'r-1', timestamp: ts() }), rawBody: body })).ok).toBe(false);
    }
    expect(fetches).toBe(1);
    clock += 61_000;
    expect((await verifier.verify({ headers: rotated.signWebhook(body, { requestId: 'r-1', timestamp: ts() }), rawBody: body })).ok).toBe(true);
    expect(fetches).toBe(2);

    const garbage = [{}, { 'x-fal-webhook-signature': 'zz' }, { ...rotated.signWebhook(body, { requestId: 'r-1', timestamp: ts() }), 'x-fal-webhook-timestamp': 'soon' }];
    for (const headers of garbage) expect(await verifier.verify({ headers, rawBody: body })).toMatchObject({ ok: false });
    const down = createFalWebhookVerifier({ jwksUrl: 'http://127.0.0.1:1/jwks.json' });
    expect(await down.verify({ headers: sandbox.signWebhook(body, { requestId: 'r-1' }), rawBody: body })).toEqual({ ok: false, code: 'jwks_unavailable', reason: 'JWKS unavailable' });
  });

  async function photosZip(count: number): Promise<Buffer> {
    const photos = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        sharp({ create: { width: 96, height: 128, channels: 3, background: { r: 20 * i, g: 100, b: 200 - 10 * i } } }).jpeg().toBuffer(),
      ),
    );
    return createZip(photos.map((data, i) => ({ name: `photo-${String(i + 1).padStart(2, '0')}.jpg`, data })));
  }

  it('trains a LoRA from a zip of 10 photos uploaded through fal.storage', async () => {
    const zipUrl = await fal.storage.upload(new Blob([await photosZip(10)], { type: 'application/zip' }));
    expect(zipUrl.startsWith(sandbox.url)).toBe(true);
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora-portrait-trainer', {
      input: { images_data_url: zipUrl, trigger_phrase: 'ohwx person', steps: 1000 },
      webhookUrl: hookUrl,
    });
    const delivery = await webhookFor(request_id);
    expect(delivery.verdict.ok).toBe(true);
    expect(delivery.body.status).toBe('OK');

    const status = await fal.queue.status('fal-ai/flux-lora-portrait-trainer', { requestId: request_id, logs: true });
    expect((status as { logs: { message: string }[] }).logs.map((l) => l.message)).toEqual(expect.arrayContaining(['step 500/1000', 'step 1000/1000']));

    const { data } = await fal.queue.result('fal-ai/flux-lora-portrait-trainer', { requestId: request_id });
    expect(data).toEqual(delivery.body.payload);
    const lora = await download(data.diffusers_lora_file.url);
    expect(lora.length).toBe(data.diffusers_lora_file.file_size);
    expect(lora.length).toBeGreaterThan(4096);
    const headerLength = Number(lora.readBigUInt64LE(0));
    const header = JSON.parse(lora.subarray(8, 8 + headerLength).toString('utf8')) as { __metadata__: Record<string, string> };
    expect(header.__metadata__).toMatchObject({ trigger_word: 'ohwx person', steps: '1000', images: '10' });
    const config = JSON.parse((await download(data.config_file.url)).toString('utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ trigger_word: 'ohwx person', images: 10 });
  });

  it('fails a training whose zip has fewer than 10 photos, with a validation error', async () => {
    const zipUrl = await fal.storage.upload(new Blob([await photosZip(3)], { type: 'application/zip' }));
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora-fast-training', {
      input: { images_data_url: zipUrl, trigger_word: 'ohwx', is_style: false },
      webhookUrl: hookUrl,
    });
    const delivery = await webhookFor(request_id);
    expect(delivery.verdict.ok).toBe(true);
    expect(delivery.body).toMatchObject({ status: 'ERROR', error: 'Invalid status code: 422' });
    const detail = (delivery.body.payload as { detail: { loc: string[]; msg: string }[] }).detail;
    expect(detail[0]!.loc).toEqual(['body', 'images_data_url']);
    expect(detail[0]!.msg).toMatch(/found 3/);

    const error = await fal.queue.result('fal-ai/flux-lora-fast-training', { requestId: request_id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FalValidationError);
    expect((error as InstanceType<typeof FalValidationError>).fieldErrors[0]!.loc).toEqual(['body', 'images_data_url']);
  });

  it('delivers webhookDuplicates extra copies, all with the same request_id and valid signatures', async () => {
    sandbox.knobs.webhookDuplicates = 2;
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'duplicates', image_size: 'square' }, webhookUrl: hookUrl });
    const copies = await waitFor(() => (deliveriesOf(request_id).length >= 3 ? deliveriesOf(request_id) : undefined), 'three deliveries');
    await waitFor(() => sandbox.deliveries.filter((d) => d.requestId === request_id).every((d) => d.state === 'delivered'), 'all copies delivered');
    expect(deliveriesOf(request_id)).toHaveLength(3);
    expect(copies.every((d) => d.verdict.ok && d.headers['x-fal-webhook-request-id'] === request_id)).toBe(true);
  });

  it('answers 401 to a call without a key', async () => {
    const keyless = createFal({ ...cfg, key: undefined });
    const error = await keyless.queue.submit('fal-ai/flux-lora', { input: { prompt: 'no key' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FalApiError);
    expect((error as FalApiError<unknown>).status).toBe(401);
    expect(sandbox.jobs.all().some((j) => j.input.prompt === 'no key')).toBe(false);
  });

  it('cancels a queued request; a finished one answers ALREADY_COMPLETED; unknown ids are 404', async () => {
    sandbox.knobs.queueMs = 60_000;
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'to be cancelled' } });
    const queued = await fal.queue.status('fal-ai/flux-lora', { requestId: request_id });
    expect(queued).toMatchObject({ status: 'IN_QUEUE', queue_position: 0 });

    await fal.queue.cancel('fal-ai/flux-lora', { requestId: request_id });
    const after = await fal.queue.status('fal-ai/flux-lora', { requestId: request_id });
    expect(after).toMatchObject({ status: 'COMPLETED', error_type: 'client_cancelled' });
    expect(await fal.queue.result('fal-ai/flux-lora', { requestId: request_id }).catch((e: unknown) => e)).toBeInstanceOf(FalApiError);

    const again = await fal.queue.cancel('fal-ai/flux-lora', { requestId: request_id }).catch((e: unknown) => e);
    expect(again).toMatchObject({ status: 400, body: { status: 'ALREADY_COMPLETED' } });

    // A running request is stopped too.
    Object.assign(sandbox.knobs, { queueMs: 0, imageJobMs: 60_000 });
    const running = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'long run', image_size: 'square' } });
    await waitFor(async () => (await fal.queue.status('fal-ai/flux-lora', { requestId: running.request_id })).status === 'IN_PROGRESS', 'IN_PROGRESS');
    await fal.queue.cancel('fal-ai/flux-lora', { requestId: running.request_id });
    expect(await fal.queue.status('fal-ai/flux-lora', { requestId: running.request_id })).toMatchObject({ status: 'COMPLETED', error_type: 'client_cancelled' });

    const unknown = await fal.queue.status('fal-ai/flux-lora', { requestId: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 404 });
  });

  it('fails a request marked [fail] with a runner error', async () => {
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'doomed [fail]', image_size: 'square' }, webhookUrl: hookUrl });
    const delivery = await webhookFor(request_id);
    expect(delivery.body).toMatchObject({ status: 'ERROR', error: 'Invalid status code: 500', payload: { error_type: 'runner_server_error' } });
    const error = await fal.queue.result('fal-ai/flux-lora', { requestId: request_id }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500 });
  });

  it('injects 5xx answers from knobs set over HTTP; the client retries through them', async () => {
    const set = (knobs: object) => fetch(`${sandbox.url}/sandbox/knobs`, { method: 'POST', body: JSON.stringify(knobs) }).then((r) => r.json());
    expect(await set({ fail5xxNext: 1 })).toMatchObject({ fail5xxNext: 1, imageJobMs: FAST.imageJobMs });
    const direct = await fetch(`${sandbox.url}/fal-ai/flux-lora`, { method: 'POST', headers: { authorization: `Key ${cfg.key}` }, body: '{"prompt":"x"}' });
    expect(direct.status).toBe(503);
    expect(direct.headers.get('x-fal-request-id')).toBeTruthy();

    await set({ fail5xxNext: 2 });
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'through the storm', image_size: 'square' } });
    expect(request_id).toBeTruthy();
    expect(await fetch(`${sandbox.url}/sandbox/knobs`).then((r) => r.json())).toMatchObject({ fail5xxNext: 0 });
    expect(await set({ noSuchKnob: 1 }).catch(() => null)).toMatchObject({ detail: ['unknown knob noSuchKnob'] });
  });

  it('speaks the queue protocol directly too (no proxy): URLs point back at the sandbox', async () => {
    const headers = { authorization: `Key ${cfg.key}`, 'content-type': 'application/json' };
    const submit = await fetch(`${sandbox.url}/fal-ai/imagen4/preview/fast`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'direct', aspect_ratio: '3:4', output_format: 'jpeg' }) });
    const queued = (await submit.json()) as { request_id: string; status_url: string; response_url: string; cancel_url: string };
    expect(submit.headers.get('x-fal-request-id')).toBe(queued.request_id);
    expect(queued.status_url).toBe(`${sandbox.url}/fal-ai/imagen4/requests/${queued.request_id}/status`);
    await waitFor(async () => ((await (await fetch(queued.status_url, { headers })).json()) as { status: string }).status === 'COMPLETED', 'COMPLETED');
    const result = (await (await fetch(queued.response_url, { headers })).json()) as { images: { url: string }[] };
    expect(await sharp(await download(result.images[0]!.url)).metadata()).toMatchObject({ format: 'jpeg', width: 896, height: 1280 });
  });
});

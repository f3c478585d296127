import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Bot } from 'grammy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../bot/context';
import { createFalWebhookHandler, FAL_WEBHOOK_MAX_BODY_BYTES } from '../../bot/fal-webhook';
import { recordFalRequest } from '../../lib/db/fal-requests';
import { createPrisma, type PrismaClient } from '../../lib/prisma';
import { createRedis, type Redis } from '../../lib/redis';
import { createHttpServer, TELEGRAM_WEBHOOK_PATH } from '../../bot/http-server';
import type { Config } from '../../lib/config';
import { createFal, type FalClient } from '../../lib/fal';
import { createFalWebhookVerifier } from '../../lib/fal-webhook';
import { createLogger } from '../../lib/logger';
import { installTemporalRuntime } from '../../lib/temporal-runtime';
import { DEFAULT_KNOBS } from '../../sandbox/fal/knobs';
import { FalSandbox } from '../../sandbox/fal/server';
import { listen } from '../../sandbox/http-util';
import { falWebhookUrl } from '../../workflows/fal-api';
import { TEST_BOT_INFO, testConfig, uniqueSuffix } from '../helpers/config';
import { falReceivedQuery, type falReceiverWorkflow } from '../workflows/fal-receiver';

/**
 * The bot's HTTP server with the FAL webhook endpoint, a real Temporal client
 * and a test workflow that records `falResult` signals. Deliveries come from
 * the FAL sandbox (really signed, really sent) or are signed with its key.
 */
const FAST = { queueMs: 20, imageJobMs: 100, webhookRetryBaseMs: 50 };
const TELEGRAM_SECRET = 'telegram-secret-0123456789';
const receiverPath = fileURLToPath(new URL('../workflows/fal-receiver.ts', import.meta.url));

describe('FAL webhook endpoint → workflow signal', () => {
  const sandbox = new FalSandbox({ seed: 5, knobs: FAST });
  const suffix = uniqueSuffix();
  const taskQueue = `fal-webhook-${suffix}`;
  const logLines: string[] = [];
  let config: Config;
  let fal: FalClient;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let temporal: Client;
  let worker: Worker;
  let workerRun: Promise<void>;
  let server: http.Server;
  let baseUrl: string;
  let prisma: PrismaClient;
  let redis: Redis;
  const started: WorkflowHandle<typeof falReceiverWorkflow>[] = [];

  beforeAll(async () => {
    await sandbox.start();
    config = testConfig({
      BOT_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      PUBLIC_BASE_URL: 'https://bot.example.test',
      FAL_KEY: 'sandbox-key-id:sandbox-key-secret',
      FAL_PROXY_URL: sandbox.url,
      FAL_JWKS_URL: sandbox.jwksUrl,
      LOG_LEVEL: 'info',
    });
    const logger = createLogger({ level: 'info', secrets: config.secrets, destination: { write: (line: string) => void logLines.push(line) } });
    installTemporalRuntime(createLogger({ level: 'error' }), 'ERROR');
    fal = createFal(config.fal);

    nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    worker = await Worker.create({ connection: nativeConnection, namespace: config.temporal.namespace, taskQueue, workflowsPath: receiverPath });
    workerRun = worker.run();
    connection = await Connection.connect({ address: config.temporal.address });
    temporal = new Client({ connection, namespace: config.temporal.namespace });

    prisma = createPrisma(config.databaseUrl);
    redis = createRedis(config.redisUrl);
    const falWebhook = createFalWebhookHandler({ verifier: createFalWebhookVerifier({ jwksUrl: config.fal.jwksUrl }), temporal, prisma, redis, logger });
    // A known bot (no getMe: Telegram is out of reach) with no handlers: the Telegram route only has to accept updates.
    const bot = new Bot<AppContext>(config.telegram.token, { botInfo: TEST_BOT_INFO });
    server = createHttpServer({ bot, config, logger, falWebhook });
    baseUrl = `http://127.0.0.1:${await listen(server, 0)}`;
  });
  afterEach(() => {
    Object.assign(sandbox.knobs, DEFAULT_KNOBS, FAST);
  });
  afterAll(async () => {
    for (const handle of started) await handle.terminate('test finished').catch(() => undefined);
    await sandbox.stop();
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    worker?.shutdown();
    await workerRun;
    await connection?.close();
    await nativeConnection?.close();
    await prisma?.$disconnect();
    redis?.disconnect();
  });

  async function startReceiver(name: string, expected: number) {
    const handle = await temporal.workflow.start<typeof falReceiverWorkflow>('falReceiverWorkflow', {
      taskQueue,
      workflowId: `fal-recv:${suffix}:${name}`,
      args: [{ expected }],
    });
    started.push(handle);
    return handle;
  }
  const hookUrl = (workflowId: string) => falWebhookUrl(baseUrl, workflowId);
  /** What the submit activities do: record which workflow submitted the request. */
  const record = (requestId: string, workflowId: string) => recordFalRequest(prisma, { requestId, workflowId, endpoint: 'fal-ai/flux-lora' });
  /** Submits to the FAL sandbox for a workflow and records it, as `submitGeneration` does (FAL redelivers a webhook that comes first). */
  async function submitFor(workflowId: string, prompt: string) {
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt, image_size: 'square', num_images: 1 }, webhookUrl: hookUrl(workflowId) });
    await record(request_id, workflowId);
    return request_id;
  }
  async function historyLength(handle: WorkflowHandle): Promise<number> {
    return ((await handle.fetchHistory()).events ?? []).length;
  }

  async function signalsIn(handle: WorkflowHandle): Promise<number> {
    const history = await handle.fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes != null).length;
  }

  /** A webhook body as FAL sends it, and the headers the sandbox's key signs it with. */
  function signed(requestId: string = randomUUID(), timestamp?: number) {
    const raw = Buffer.from(JSON.stringify({ request_id: requestId, gateway_request_id: requestId, status: 'OK', payload: { images: [{ url: 'https://x.test/a.jpg' }] } }));
    return { requestId, raw, headers: sandbox.signWebhook(raw, { requestId, timestamp }) };
  }

  async function post(url: string, body: Buffer | string, headers: Record<string, string> = {}) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  }

  const deliveriesOf = (requestId: string) => sandbox.deliveries.filter((d) => d.requestId === requestId);

  it('forwards a delivery signed and sent by FAL to the workflow named in the path', async () => {
    const handle = await startReceiver('ok', 1);
    const request_id = await submitFor(handle.workflowId, 'a webhook test');
    const state = await handle.result();
    expect(state.results).toHaveLength(1);
    expect(state.results[0]).toMatchObject({ requestId: request_id, status: 'OK', payload: { images: [expect.objectContaining({ width: 512, height: 512 })] } });
    expect(await signalsIn(handle)).toBe(1);
    await expect.poll(() => deliveriesOf(request_id).map((d) => [d.state, d.lastStatus])).toEqual([['delivered', 200]]);

    // A late redelivery (already signalled) is acknowledged so FAL stops retrying, and not signalled again.
    const late = signed(request_id);
    expect(await post(hookUrl(handle.workflowId), late.raw, late.headers)).toEqual({ status: 200, body: { ok: true, duplicate: true } });
  });

  it('refuses tampered, foreign-key, stale and unsigned deliveries with 401; the workflow gets no signal', async () => {
    const handle = await startReceiver('forged', 1);
    const url = hookUrl(handle.workflowId);
    const genuine = signed();

    const tampered = Buffer.from(genuine.raw.toString('utf8').replace('"status":"OK"', '"status":"ERROR"'));
    expect(tampered.equals(genuine.raw)).toBe(false);
    expect(await post(url, tampered, genuine.headers)).toEqual({ status: 401, body: { ok: false, error: 'invalid signature' } });

    const other = new FalSandbox(); // its own key, not in the JWKS
    expect((await post(url, genuine.raw, other.signWebhook(genuine.raw, { requestId: genuine.requestId }))).status).toBe(401);

    const stale = signed(genuine.requestId, Math.floor(Date.now() / 1000) - 400);
    expect((await post(url, stale.raw, stale.headers)).status).toBe(401);
    expect((await post(url, genuine.raw)).status).toBe(401);

    // A real delivery whose signed timestamp is 10 minutes old: refused on every attempt.
    Object.assign(sandbox.knobs, { webhookClockSkewSeconds: -600, webhookRetries: 1 });
    const { request_id } = await fal.queue.submit('fal-ai/flux-lora', { input: { prompt: 'stale', image_size: 'square' }, webhookUrl: url });
    await expect.poll(() => deliveriesOf(request_id).map((d) => [d.state, d.attempts, d.lastStatus]), { timeout: 15_000 }).toEqual([['failed', 2, 401]]);

    expect(await signalsIn(handle)).toBe(0);
    expect(await handle.query(falReceivedQuery)).toEqual({ results: [], signals: 0 });

    // The reasons are logged, the signatures are not.
    const refused = logLines.filter((l) => l.includes('fal webhook refused: not authentic'));
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(refused.join('\n')).toMatch(/signature does not verify/);
    expect(refused.join('\n')).toMatch(/timestamp outside the allowed window/);
    expect(refused.join('\n')).toMatch(/missing webhook signature headers/);
    expect(logLines.join('\n')).not.toContain(genuine.headers['x-fal-webhook-signature']);

    // The same workflow does take the genuine delivery, so the silence above was the endpoint's doing.
    await record(genuine.requestId, handle.workflowId);
    expect(await post(url, genuine.raw, genuine.headers)).toEqual({ status: 200, body: { ok: true } });
    expect((await handle.result()).results).toEqual([{ requestId: genuine.requestId, status: 'OK', payload: { images: [{ url: 'https://x.test/a.jpg' }] } }]);
    expect(await signalsIn(handle)).toBe(1);
  });

  it('FAL\'s duplicate deliveries are all answered 200 and signalled once', async () => {
    const handle = await startReceiver('dup', 1);
    sandbox.knobs.webhookDuplicates = 2;
    const request_id = await submitFor(handle.workflowId, 'duplicates');
    await expect.poll(() => deliveriesOf(request_id).map((d) => [d.copy, d.state, d.lastStatus]), { timeout: 15_000 }).toEqual([
      [0, 'delivered', 200],
      [1, 'delivered', 200],
      [2, 'delivered', 200],
    ]);
    expect(await signalsIn(handle)).toBe(1);
    const state = await handle.query(falReceivedQuery);
    expect(state.signals).toBe(1);
    expect(state.results.map((r) => r.requestId)).toEqual([request_id]);
  });

  it('a genuine delivery replayed 50 times, or re-posted to another workflow, adds no signal', async () => {
    const target = await startReceiver('replay-target', 2);
    const bystander = await startReceiver('replay-bystander', 1);
    const delivery = signed();
    await record(delivery.requestId, target.workflowId);
    expect(await post(hookUrl(target.workflowId), delivery.raw, delivery.headers)).toEqual({ status: 200, body: { ok: true } });
    await expect.poll(() => signalsIn(target)).toBe(1);
    // The signal's workflow task settles first: the history stops growing.
    let targetEvents = -1;
    await expect.poll(async () => targetEvents === (targetEvents = await historyLength(target)), { interval: 300 }).toBe(true);
    const bystanderEvents = await historyLength(bystander);

    for (let i = 0; i < 50; i++) {
      expect(await post(hookUrl(target.workflowId), delivery.raw, delivery.headers)).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    }
    // Re-targeted: the signature does not cover the path; the request was not submitted by these workflows.
    expect((await post(hookUrl(bystander.workflowId), delivery.raw, delivery.headers)).status).toBe(403);
    expect((await post(hookUrl(`bill-${target.workflowId}`), delivery.raw, delivery.headers)).status).toBe(403);

    expect(await signalsIn(target)).toBe(1);
    expect(await historyLength(target)).toBe(targetEvents);
    expect(await historyLength(bystander)).toBe(bystanderEvents);
    expect(await signalsIn(bystander)).toBe(0);
  });

  it('refuses a body whose request id is not the signed one, and a request no workflow submitted; no signal', async () => {
    const handle = await startReceiver('mismatch', 1);
    const submitted = randomUUID();
    await record(submitted, handle.workflowId);
    // Signed for another request id, the body names this workflow's request.
    const raw = Buffer.from(JSON.stringify({ request_id: submitted, gateway_request_id: submitted, status: 'OK', payload: {} }));
    const mismatched = await post(hookUrl(handle.workflowId), raw, sandbox.signWebhook(raw, { requestId: randomUUID() }));
    expect(mismatched).toEqual({ status: 400, body: { ok: false, error: 'request id mismatch' } });

    const unknown = signed();
    expect((await post(hookUrl(handle.workflowId), unknown.raw, unknown.headers)).status).toBe(404);
    expect(await signalsIn(handle)).toBe(0);
  });

  it('a signed body nested too deep for a signal is refused with 400, not reported as Temporal being down', async () => {
    const handle = await startReceiver('nested', 1);
    const requestId = randomUUID();
    await record(requestId, handle.workflowId);
    const depth = 100_000;
    const raw = Buffer.from(`{"request_id":"${requestId}","status":"OK","payload":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    const res = await post(hookUrl(handle.workflowId), raw, sandbox.signWebhook(raw, { requestId }));
    expect(res.status).toBe(400);
    expect(await signalsIn(handle)).toBe(0);
  });

  it('answers 200 "ignored" for a workflow that does not run (any more)', async () => {
    const delivery = signed();
    await record(delivery.requestId, `avatar-no-such-${suffix}`);
    expect(await post(hookUrl(`avatar-no-such-${suffix}`), delivery.raw, delivery.headers)).toEqual({ status: 200, body: { ok: true, ignored: true } });
  });

  it('refuses malformed requests: bad workflow id 400, non-JSON 400, oversized body 413', async () => {
    const delivery = signed();
    expect((await post(`${baseUrl}/webhooks/fal/has%20space`, delivery.raw, delivery.headers)).status).toBe(400);
    expect((await post(`${baseUrl}/webhooks/fal/${'a'.repeat(201)}`, delivery.raw, delivery.headers)).status).toBe(400);
    expect((await post(`${baseUrl}/webhooks/fal/a%2Fb`, delivery.raw, delivery.headers)).status).toBe(400);
    expect((await post(`${baseUrl}/webhooks/fal/`, delivery.raw, delivery.headers)).status).toBe(400);

    const notJson = Buffer.from('{"request_id": "r-1", ');
    expect(await post(hookUrl(`wf-${suffix}`), notJson, sandbox.signWebhook(notJson, { requestId: 'r-1' }))).toEqual({ status: 400, body: { ok: false, error: 'invalid JSON' } });
    const notFal = Buffer.from('{"hello":"world"}');
    expect((await post(hookUrl(`wf-${suffix}`), notFal, sandbox.signWebhook(notFal, { requestId: 'r-2' }))).status).toBe(400);

    const huge = Buffer.alloc(FAL_WEBHOOK_MAX_BODY_BYTES + 1, 0x20);
    expect(await post(hookUrl(`wf-${suffix}`), huge, sandbox.signWebhook(huge, { requestId: 'r-3' }))).toEqual({ status: 413, body: { ok: false, error: 'payload too large' } });

    // Without a declared length (chunked), the cap holds while reading.
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 8) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(hookUrl(`wf-${suffix}`), { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('keeps /healthz, the Telegram webhook and 404s working', async () => {
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    // grammY's webhook still takes updates on the Telegram path, guarded by its secret token.
    const update = JSON.stringify({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'A' }, text: 'hi' } });
    const telegram = (secret: string) =>
      fetch(`${baseUrl}${TELEGRAM_WEBHOOK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: update });
    expect((await telegram('wrong-secret-0123456789')).status).toBe(401);
    expect((await telegram(TELEGRAM_SECRET)).status).toBe(200);
    expect((await fetch(`${baseUrl}/webhooks/fal/x`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/nope`)).status).toBe(404);
  });
});

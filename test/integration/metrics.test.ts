import type http from 'node:http';
import { Bot } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../bot/context';
import { createHttpServer, TELEGRAM_WEBHOOK_PATH } from '../../bot/http-server';
import { createBotMetrics } from '../../bot/metrics';
import { createReadinessCheck, type Readiness } from '../../bot/readiness';
import { recordFalRequest } from '../../lib/db/fal-requests';
import { applyLedgerEntry } from '../../lib/db/ledger';
import { upsertUser } from '../../lib/db/users';
import { createLogger } from '../../lib/logger';
import { createMinio } from '../../lib/minio';
import { createRedis } from '../../lib/redis';
import { installTemporalRuntime } from '../../lib/temporal-runtime';
import { listen } from '../../sandbox/http-util';
import { createMetricsServer, freeLoopbackPort } from '../../workers/metrics-server';
import { JobKindKey, UserIdKey } from '../../vocabulary/search-attributes';
import { TEST_BOT_INFO, testConfig, uniqueSuffix, uniqueTelegramId } from '../helpers/config';
import { sampleValue, scrape } from '../helpers/metrics';
import { eventually, startStack, testWorkflowsPath, type Stack } from '../helpers/stack';
import type { PaidJobInput } from '../workflows/paid-job';


/**
 * Prometheus /metrics of the bot (its real HTTP server, updates through the
 * real grammY bot) and of the worker (workers/metrics-server.ts over the
 * workers' registry, merged with the Temporal SDK's exporter), and /readyz.
 */
describe('metrics and readiness', () => {
  let stack: Stack;
  let botUrl: string;
  let workerServer: http.Server;
  let workerUrl: string;
  const servers: http.Server[] = [];

  beforeAll(async () => {
    // Before any connection: the SDK's Prometheus exporter on a loopback port, read by the worker's /metrics.
    const sdkPort = await freeLoopbackPort();
    installTemporalRuntime(createLogger({ level: 'error' }), 'ERROR', { prometheusBindAddress: `127.0.0.1:${sdkPort}` });
    stack = await startStack({ workflowsPath: testWorkflowsPath });
    botUrl = stack.config.http.publicBaseUrl;
    workerServer = createMetricsServer({ registry: stack.workerMetrics.registry, sdkMetricsUrl: `http://127.0.0.1:${sdkPort}/metrics`, logger: stack.logger });
    workerUrl = `http://127.0.0.1:${await listen(workerServer, 0)}`;
  });
  afterAll(async () => {
    for (const s of [workerServer, ...servers]) {
      s?.closeAllConnections();
      await new Promise((r) => (s ? s.close(r) : r(undefined)));
    }
    await stack?.stop();
  });

  it('the bot counts and times updates by type', async () => {
    const id = uniqueTelegramId();
    stack.telegram.sendText(id, '/start', { language_code: 'en' });
    await eventually(() => stack.telegram.world.botMessages(id).length > 0);
    stack.telegram.sendText(id, '/balance');
    await eventually(() => stack.telegram.world.botMessages(id).length > 1);

    await expect.poll(async () => sampleValue(await scrape(`${botUrl}/metrics`), 'aisha_bot_updates_total', { type: 'message', result: 'ok' })).toBe(2);
    const text = await scrape(`${botUrl}/metrics`);
    expect(sampleValue(text, 'aisha_bot_update_duration_seconds_count', { type: 'message' })).toBe(2);
    expect(sampleValue(text, 'aisha_bot_update_duration_seconds_sum', { type: 'message' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'aisha_bot_update_duration_seconds_bucket', { type: 'message', le: '+Inf' })).toBe(2);
  });

  it('the bot counts FAL webhook verifications by result', async () => {
    const body = JSON.stringify({ request_id: 'r-forged', status: 'OK', payload: {} });
    const forged = (timestamp: number) => ({
      'content-type': 'application/json',
      'x-fal-webhook-request-id': 'r-forged',
      'x-fal-webhook-user-id': 'someone',
      'x-fal-webhook-timestamp': String(timestamp),
      'x-fal-webhook-signature': 'ab'.repeat(64),
    });
    const post = (headers: Record<string, string>) => fetch(`${botUrl}/webhooks/fal/gen-forged-${uniqueSuffix()}`, { method: 'POST', headers, body });
    const now = Math.floor(Date.now() / 1000);

    expect((await post(forged(now))).status).toBe(401);
    expect((await post(forged(now - 3600))).status).toBe(401);
    expect((await post(forged(now))).status).toBe(401);
    expect((await post({ 'content-type': 'application/json' })).status).toBe(401);

    const text = await scrape(`${botUrl}/metrics`);
    const fal = (result: string) => sampleValue(text, 'aisha_bot_fal_webhooks_total', { result });
    expect([fal('bad_signature'), fal('stale'), fal('missing_headers'), fal('ok')]).toEqual([2, 1, 1, 0]);

    // A genuine delivery, signed by the FAL stand-in, for a workflow that is not running: verified, then ignored.
    const requestId = `r-gone-${uniqueSuffix()}`;
    const gone = `gen-gone-${uniqueSuffix()}`;
    await recordFalRequest(stack.prisma, { requestId, workflowId: gone, endpoint: 'fal-ai/imagen4/preview' });
    const raw = Buffer.from(JSON.stringify({ request_id: requestId, status: 'OK', payload: {} }));
    const deliver = (workflowId: string) =>
      fetch(`${botUrl}/webhooks/fal/${workflowId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...stack.fal.signWebhook(raw, { requestId }) }, body: raw });
    expect((await deliver(gone)).status).toBe(200);
    // The same delivery posted to another workflow: refused and counted.
    expect((await deliver(`gen-other-${uniqueSuffix()}`)).status).toBe(403);
    const after = await scrape(`${botUrl}/metrics`);
    expect(sampleValue(after, 'aisha_bot_fal_webhooks_total', { result: 'ignored' })).toBe(1);
    expect(sampleValue(after, 'aisha_bot_fal_webhooks_total', { result: 'wrong_workflow' })).toBe(1);
  });

  it('the bot counts Telegram webhook requests by result (webhook mode)', async () => {
    const secret = 'metrics-webhook-secret-0123';
    const config = testConfig({ BOT_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: secret, PUBLIC_BASE_URL: 'https://bot.example.test' });
    const metrics = createBotMetrics({ processMetrics: false });
    const bot = new Bot<AppContext>(config.telegram.token, { botInfo: TEST_BOT_INFO });
    bot.use(metrics.middleware);
    const server = createHttpServer({ bot, config, logger: stack.logger, metrics });
    servers.push(server);
    const url = `http://127.0.0.1:${await listen(server, 0)}${TELEGRAM_WEBHOOK_PATH}`;
    const update = JSON.stringify({ update_id: 1, callback_query: { id: 'q1', chat_instance: 'c', from: { id: 5, is_bot: false, first_name: 'A' } } });
    const post = (token: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': token }, body: update });

    expect((await post('wrong-secret-0123456789')).status).toBe(401);
    expect((await post(secret)).status).toBe(200);
    const text = await metrics.registry.metrics();
    expect(sampleValue(text, 'aisha_bot_telegram_webhooks_total', { result: 'unauthorized' })).toBe(1);
    expect(sampleValue(text, 'aisha_bot_telegram_webhooks_total', { result: 'ok' })).toBe(1);
    expect(sampleValue(text, 'aisha_bot_updates_total', { type: 'callback_query', result: 'ok' })).toBe(1);
  });

  it('the worker counts jobs by kind and outcome and credits charged and refunded, next to the Temporal SDK metrics', async () => {
    const telegramId = uniqueTelegramId();
    stack.telegram.world.user(telegramId);
    const user = await upsertUser(stack.prisma, { telegramId });
    await applyLedgerEntry(stack.prisma, { userId: user.id, kind: 'GRANT', amount: 100, idempotencyKey: `seed:${user.id}` });
    // Started the way the bot starts a job: with the UserId and JobKind search attributes.
    const run = async (outcome: PaidJobInput['outcome'], delivered: number) => {
      const handle = await stack.temporal.workflow.start('paidJobWorkflow', {
        taskQueue: stack.config.temporal.taskQueue,
        workflowId: `gen-metrics-${uniqueSuffix()}`,
        args: [{ userId: user.id, telegramId, language: 'en', units: 2, unitPrice: 5, deadlineSeconds: 60, outcome, delivered, duplicateSettles: 0 } satisfies PaidJobInput],
        typedSearchAttributes: [
          { key: UserIdKey, value: String(telegramId) },
          { key: JobKindKey, value: 'generation' },
        ],
      });
      await handle.result().catch(() => undefined);
      await stack.temporal.workflow.getHandle(`bill-${handle.workflowId}`).result();
    };
    await run('settle', 1); // charged 10, refunded 5 (one of two images delivered)
    await run('fail', 0); // charged 10, refunded 10; the job workflow fails

    const worker = (name: string, labels: Record<string, string>) => async () => sampleValue(await scrape(`${workerUrl}/metrics`), name, labels);
    await expect.poll(worker('aisha_jobs_failed_total', { kind: 'generation', status: 'error' })).toBe(1);
    await expect.poll(worker('aisha_jobs_completed_total', { kind: 'billing', status: 'refunded' })).toBe(2);
    const text = await scrape(`${workerUrl}/metrics`);
    expect(sampleValue(text, 'aisha_jobs_started_total', { kind: 'generation' })).toBe(2);
    expect(sampleValue(text, 'aisha_jobs_completed_total', { kind: 'generation', status: 'completed' })).toBe(1);
    expect(sampleValue(text, 'aisha_jobs_started_total', { kind: 'billing' })).toBe(2);
    expect(sampleValue(text, 'aisha_credits_charged_total', { kind: 'generation' })).toBe(20);
    expect(sampleValue(text, 'aisha_credits_refunded_total', { kind: 'generation' })).toBe(15);
    expect(sampleValue(text, 'aisha_credits_charged_total', { kind: 'transcription' })).toBe(0);
    // prom-client's process metrics and the SDK's own series, in the same scrape.
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^temporal_workflow_completed\{.*workflow_type="paidJobWorkflow".*\} \d/m);
    expect(text).toMatch(/^temporal_activity_execution_latency_bucket\{.*activity_type="chargeJob"/m);
  });

  it('/readyz is 200 with every dependency when all answer, /healthz stays liveness only', async () => {
    const res = await fetch(`${botUrl}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Readiness;
    expect(body).toMatchObject({ ok: true, failing: [] });
    expect(Object.keys(body.checks).sort()).toEqual(['minio', 'postgres', 'redis', 'temporal']);
    for (const check of Object.values(body.checks)) expect(check.ok).toBe(true);
    expect(await (await fetch(`${botUrl}/healthz`)).json()).toEqual({ ok: true });
  });

  it('/readyz is 503 naming Redis when Redis does not answer', async () => {
    const redis = createRedis('redis://127.0.0.1:1'); // nothing listens there
    redis.on('error', () => undefined);
    try {
      const readiness = createReadinessCheck({ prisma: stack.prisma, redis, minio: createMinio(stack.config.minio), temporal: stack.temporal, timeoutMs: 1000 });
      const server = createHttpServer({ bot: stack.bot, config: stack.config, logger: stack.logger, readiness });
      servers.push(server);
      const res = await fetch(`http://127.0.0.1:${await listen(server, 0)}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as Readiness;
      expect(body.ok).toBe(false);
      expect(body.failing).toEqual(['redis']);
      expect(body.checks.redis).toMatchObject({ ok: false, error: expect.any(String) });
      expect(body.checks.postgres.ok && body.checks.minio.ok && body.checks.temporal.ok).toBe(true);
    } finally {
      redis.disconnect();
    }
  });
});

// End-to-end image generation on this machine: the real worker and workflow
// on a private task queue, real PostgreSQL/MinIO/Temporal, the FAL, OpenAI and
// Telegram stand-ins with realistic latencies (FAL 3 s per job, LLM 1 s,
// vision 1 s). Prints p50/p99 from start to delivered images, the overhead
// over the upstream latencies on the critical path (enhance 1 s + FAL 3 s +
// quality check 1 s = 5 s), and jobs per second with many concurrent users.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createFalWebhookHandler } from '../bot/fal-webhook';
import { createFalWebhookVerifier } from '../lib/fal-webhook';
import { createRedis } from '../lib/redis';
import { falWebhookUrl } from '../workflows/fal-api';
import type { generationWorkflow } from '../workflows/generation';
import type { GenerationInput } from '../workflows/generation-api';
import { startBenchStack } from './stack';
import { measure, printRow } from './stats';

const CRITICAL_PATH_MS = 1000 + 3000 + 1000;

export async function generationBench(): Promise<void> {
  const { config, logger, client, deps, sandboxes, users: makeUsers, stop } = await startBenchStack('gen');
  Object.assign(sandboxes.fal!.knobs, { imageJobMs: 3000, queueMs: 0 });
  Object.assign(sandboxes.openai!.knobs, { latencyMs: 1000 });
  const redis = createRedis(config.redisUrl);
  // FAL's signed webhooks reach the workflows through the production handler, as in the bot.
  const falWebhook = createFalWebhookHandler({ verifier: createFalWebhookVerifier({ jwksUrl: config.fal.jwksUrl }), temporal: client, prisma: deps.prisma, redis, logger });
  const webhookServer = http.createServer((req, res) => void falWebhook(req, res));
  await new Promise<void>((resolve) => webhookServer.listen(0, '127.0.0.1', resolve));
  const publicBaseUrl = `http://127.0.0.1:${(webhookServer.address() as { port: number }).port}`;
  const users = await makeUsers(50);
  const job = async (i: number) => {
    const user = users[i % users.length]!;
    const generationId = randomUUID();
    const input: GenerationInput = {
      generationId,
      userId: user.id,
      telegramId: user.telegramId,
      chatId: user.telegramId,
      language: 'en',
      mode: 'IMAGEN4',
      prompt: `a lighthouse in a storm, variant ${i}`,
      aspectRatio: '1:1',
      numImages: 1,
      unitPrice: 4,
      pollSeconds: 30,
      deadlineSeconds: 900,
      qualityThreshold: 1,
      webhookUrl: falWebhookUrl(publicBaseUrl, `gen-${generationId}`),
    };
    const handle = await client.workflow.start<typeof generationWorkflow>('generationWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId: `gen-${generationId}`,
      args: [input],
    });
    const status = await handle.result();
    if (status.delivered !== 1) throw new Error(`job ${i} delivered ${status.delivered}`);
  };

  try {
    const one = await measure(6, 1, job);
    printRow('generation, 1 user at a time (end to end)', one);
    process.stdout.write(`  overhead over the ${CRITICAL_PATH_MS / 1000} s of upstream latency on the critical path: p50 +${(one.p50ms - CRITICAL_PATH_MS).toFixed(0)} ms, p99 +${(one.p99ms - CRITICAL_PATH_MS).toFixed(0)} ms\n`);
    const many = await measure(60, 30, job);
    printRow('generation, 30 concurrent users', many);
    process.stdout.write(`  jobs per second with 30 concurrent users: ${many.opsPerSecond.toFixed(2)}\n`);
  } finally {
    await stop();
    redis.disconnect();
    webhookServer.closeAllConnections();
    await new Promise((r) => webhookServer.close(r));
  }
}

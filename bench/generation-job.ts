// What the benches that run generations share: FAL's signed webhooks served by
// the production handler (as the bot serves them), and one Imagen generation
// started straight on the worker's queue and awaited until settled.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Client } from '@temporalio/client';
import { createFalWebhookHandler } from '../bot/fal-webhook';
import { createFalWebhookVerifier } from '../lib/fal-webhook';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../lib/prisma';
import type { Redis } from '../lib/redis';
import { falWebhookUrl } from '../workflows/fal-api';
import type { generationWorkflow } from '../workflows/generation';
import { GENERATION_REVISION, type GenerationInput } from '../workflows/generation-api';

export interface FalWebhookServer {
  publicBaseUrl: string;
  close(): Promise<void>;
}

/** `POST /webhooks/fal/<workflowId>` through bot/fal-webhook.ts on a loopback port. */
export async function serveFalWebhooks(deps: { jwksUrl: string; client: Client; prisma: PrismaClient; redis: Redis; logger: Logger }): Promise<FalWebhookServer> {
  const handler = createFalWebhookHandler({ verifier: createFalWebhookVerifier({ jwksUrl: deps.jwksUrl }), temporal: deps.client, prisma: deps.prisma, redis: deps.redis, logger: deps.logger });
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    publicBaseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** One 1-image Imagen generation for `user`; resolves with its workflow id once it delivered and settled. */
export async function runGeneration(
  client: Client,
  opts: { taskQueue: string; publicBaseUrl: string; user: { id: number; telegramId: number }; variant: number },
): Promise<string> {
  const { user } = opts;
  const generationId = randomUUID();
  const workflowId = `gen-${generationId}`;
  const input: GenerationInput = {
    generationId,
    userId: user.id,
    telegramId: user.telegramId,
    chatId: user.telegramId,
    language: 'en',
    mode: 'IMAGEN4',
    prompt: `a lighthouse in a storm, variant ${opts.variant}`,
    aspectRatio: '1:1',
    numImages: 1,
    unitPrice: 4,
    pollSeconds: 30,
    deadlineSeconds: 900,
    qualityThreshold: 1,
    webhookUrl: falWebhookUrl(opts.publicBaseUrl, workflowId),
    revision: GENERATION_REVISION,
  };
  const status = await client.workflow.execute<typeof generationWorkflow>('generationWorkflow', { taskQueue: opts.taskQueue, workflowId, args: [input] });
  if (status.delivered !== 1) throw new Error(`generation ${opts.variant} delivered ${status.delivered}`);
  return workflowId;
}

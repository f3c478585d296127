import type http from 'node:http';
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { falRequestOwner } from '../lib/db/fal-requests';
import type { FalWebhookVerifier } from '../lib/fal-webhook';
import { jsonDepthExceeds, readLimited } from '../lib/http-body';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../lib/prisma';
import type { Redis } from '../lib/redis';
import type { BotMetrics } from './metrics';
import { falResultSignal, type FalResult } from '../workflows/fal-api';

/**
 * `POST /webhooks/fal/<workflowId>`: a FAL webhook, verified (Ed25519 over
 * FAL's JWKS, ±300 s) and forwarded to that workflow as the `falResult`
 * signal, at most once per request:
 * - forged, tampered or stale deliveries: 401, nothing signalled;
 * - the signed request id (header) must be the body's `request_id`, and the
 *   workflow in the path must be the one that submitted that request (the
 *   submit activity records it: lib/db/fal-requests.ts) — the signature does
 *   not cover the path, so a genuine delivery re-posted to another workflow is
 *   refused (403; 404 for a request no workflow of ours submitted);
 * - each request is signalled once (a claim in Redis that outlives FAL's 2 h of
 *   redeliveries): a replayed or redelivered delivery is answered 200 with no
 *   signal; a claim whose signal failed is released, so FAL's redelivery goes through;
 * - a body that cannot be turned into a signal (too deep) is 400, and only an
 *   unreachable Temporal is 503 (FAL redelivers);
 * - a workflow that no longer runs: 200, so FAL stops retrying.
 */
export const FAL_WEBHOOK_PATH_PREFIX = '/webhooks/fal/';

/** FAL's payloads are small (file URLs, not files). */
export const FAL_WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;
/** Model outputs are shallow JSON; far deeper than any of them cannot be a real payload. */
export const FAL_WEBHOOK_MAX_DEPTH = 32;
/** How long a signalled request is remembered: beyond FAL's redelivery window (10 tries over 2 hours). */
export const FAL_WEBHOOK_CLAIM_SECONDS = 3 * 3600;

const WORKFLOW_ID = /^[\w.:-]{1,200}$/;

export type FalWebhookHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

interface WebhookBody {
  request_id?: unknown;
  status?: unknown;
  payload?: unknown;
  error?: unknown;
  payload_error?: unknown;
}

function reply(res: http.ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** The workflow id from the request path, URL-decoded; null when absent or malformed. */
function workflowIdOf(req: http.IncomingMessage): string | null {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (!path.startsWith(FAL_WEBHOOK_PATH_PREFIX)) return null;
  try {
    const id = decodeURIComponent(path.slice(FAL_WEBHOOK_PATH_PREFIX.length));
    return WORKFLOW_ID.test(id) ? id : null;
  } catch {
    return null;
  }
}

export function createFalWebhookHandler({
  verifier,
  temporal,
  prisma,
  redis,
  logger,
  metrics,
  claimPrefix = 'aisha:fal-webhook:',
}: {
  verifier: FalWebhookVerifier;
  temporal: Client;
  /** Where the submit activities record which workflow submitted which request. */
  prisma: PrismaClient;
  /** Remembers signalled requests (shared by every bot instance). */
  redis: Redis;
  logger: Logger;
  claimPrefix?: string;
  /** Counts every delivery by result (`aisha_bot_fal_webhooks_total`). */
  metrics?: Pick<BotMetrics, 'falWebhook'>;
}): FalWebhookHandler {
  const log = logger.child({ component: 'fal-webhook' });
  const count = metrics ? metrics.falWebhook : () => undefined;

  return async (req, res) => {
    const rawBody = await readLimited(req, FAL_WEBHOOK_MAX_BODY_BYTES);
    if (!rawBody) {
      log.warn({ contentLength: req.headers['content-length'] }, 'fal webhook refused: body too large');
      // The unread rest of the body is not worth keeping the connection for.
      count('too_large');
      reply(res, 413, { ok: false, error: 'payload too large' }, { connection: 'close' });
      req.resume();
      return;
    }

    const verdict = await verifier.verify({ headers: req.headers, rawBody });
    if (!verdict.ok) {
      // The reason names the failed check only; headers, body and keys are never logged.
      log.warn({ reason: verdict.reason, path: (req.url ?? '').slice(0, 256) }, 'fal webhook refused: not authentic');
      count(verdict.code);
      reply(res, 401, { ok: false, error: 'invalid signature' });
      return;
    }

    let body: WebhookBody;
    try {
      body = JSON.parse(rawBody.toString('utf8')) as WebhookBody;
    } catch {
      log.warn({ requestId: verdict.requestId }, 'fal webhook refused: body is not JSON');
      count('bad_body');
      reply(res, 400, { ok: false, error: 'invalid JSON' });
      return;
    }
    if (!body || typeof body !== 'object' || typeof body.request_id !== 'string' || (body.status !== 'OK' && body.status !== 'ERROR')) {
      log.warn({ requestId: verdict.requestId }, 'fal webhook refused: not a FAL webhook body');
      count('bad_body');
      reply(res, 400, { ok: false, error: 'invalid webhook body' });
      return;
    }
    if (jsonDepthExceeds(body, FAL_WEBHOOK_MAX_DEPTH)) {
      log.warn({ requestId: verdict.requestId }, 'fal webhook refused: payload nested too deep');
      count('bad_body');
      reply(res, 400, { ok: false, error: 'payload nested too deep' });
      return;
    }
    if (body.request_id !== verdict.requestId) {
      log.warn({ requestId: verdict.requestId }, 'fal webhook refused: the body names another request than the signature');
      count('request_mismatch');
      reply(res, 400, { ok: false, error: 'request id mismatch' });
      return;
    }

    const workflowId = workflowIdOf(req);
    if (!workflowId) {
      log.warn({ requestId: body.request_id }, 'fal webhook refused: bad workflow id in path');
      count('bad_workflow_id');
      reply(res, 400, { ok: false, error: 'invalid workflow id' });
      return;
    }

    const owner = await falRequestOwner(prisma, verdict.requestId);
    if (owner !== workflowId) {
      // Re-targeted (a genuine delivery posted to another workflow) or a request no workflow of ours submitted.
      log.warn({ workflowId, requestId: verdict.requestId, known: owner !== null }, 'fal webhook refused: the workflow did not submit this request');
      count(owner === null ? 'unknown_request' : 'wrong_workflow');
      reply(res, owner === null ? 404 : 403, { ok: false, error: 'not a request of this workflow' });
      return;
    }

    const claim = `${claimPrefix}${verdict.requestId}`;
    if ((await redis.set(claim, workflowId, 'EX', FAL_WEBHOOK_CLAIM_SECONDS, 'NX')) !== 'OK') {
      log.info({ workflowId, requestId: verdict.requestId }, 'fal webhook already signalled: acknowledged, not signalled again');
      count('duplicate');
      reply(res, 200, { ok: true, duplicate: true });
      return;
    }

    const error = typeof body.error === 'string' ? body.error : typeof body.payload_error === 'string' ? body.payload_error : undefined;
    const result: FalResult = { requestId: body.request_id, status: body.status, payload: body.payload ?? null, ...(error === undefined ? {} : { error }) };
    try {
      await temporal.workflow.getHandle(workflowId).signal(falResultSignal, result);
    } catch (err) {
      await redis.del(claim);
      if (err instanceof WorkflowNotFoundError) {
        log.info({ workflowId, requestId: result.requestId }, 'fal webhook for a workflow that is not running: ignored');
        count('ignored');
        reply(res, 200, { ok: true, ignored: true });
        return;
      }
      if (!isGrpcServiceError(err)) {
        // The signal was never sent (its payload could not be converted): redelivering cannot help.
        log.warn({ err, workflowId, requestId: result.requestId }, 'fal webhook refused: payload cannot be signalled');
        count('unconvertible');
        reply(res, 400, { ok: false, error: 'payload cannot be forwarded' });
        return;
      }
      // Temporal unreachable: FAL redelivers on a non-2xx answer.
      log.error({ err, workflowId, requestId: result.requestId }, 'fal webhook could not be forwarded');
      count('unavailable');
      reply(res, 503, { ok: false, error: 'temporarily unavailable' });
      return;
    }
    log.info({ workflowId, requestId: result.requestId, status: result.status }, 'fal webhook forwarded');
    count('ok');
    reply(res, 200, { ok: true });
  };
}

import type http from 'node:http';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FalWebhookVerifier } from '../lib/fal-webhook';
import type { Logger } from '../lib/logger';
import type { BotMetrics } from './metrics';
import { falResultSignal, type FalResult } from '../workflows/fal-api';

/**
 * `POST /webhooks/fal/<workflowId>`: a FAL webhook, verified (Ed25519 over
 * FAL's JWKS, ±300 s) and forwarded to that workflow as the `falResult`
 * signal. Forged, tampered or stale deliveries get 401 and reach nothing.
 * A workflow that no longer runs answers 200 so FAL stops retrying;
 * duplicates are signalled again and deduplicated by the workflow.
 */
export const FAL_WEBHOOK_PATH_PREFIX = '/webhooks/fal/';

/** FAL's payloads are small (file URLs, not files). */
export const FAL_WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

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

/**
 * Reads at most `limit` bytes; null when the body is larger. An oversized body
 * is not buffered: the rest is discarded while the 413 goes out (breaking out
 * of the stream would destroy the socket before the answer is written).
 */
function readLimited(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(null);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    const onError = (err: Error) => reject(err);
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
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
  logger,
  metrics,
}: {
  verifier: FalWebhookVerifier;
  temporal: Client;
  logger: Logger;
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

    const workflowId = workflowIdOf(req);
    if (!workflowId) {
      log.warn({ requestId: body.request_id }, 'fal webhook refused: bad workflow id in path');
      count('bad_workflow_id');
      reply(res, 400, { ok: false, error: 'invalid workflow id' });
      return;
    }

    const error = typeof body.error === 'string' ? body.error : typeof body.payload_error === 'string' ? body.payload_error : undefined;
    const result: FalResult = { requestId: body.request_id, status: body.status, payload: body.payload ?? null, ...(error === undefined ? {} : { error }) };
    try {
      await temporal.workflow.getHandle(workflowId).signal(falResultSignal, result);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        log.info({ workflowId, requestId: result.requestId }, 'fal webhook for a workflow that is not running: ignored');
        count('ignored');
        reply(res, 200, { ok: true, ignored: true });
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

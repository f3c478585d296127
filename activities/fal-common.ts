import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { recordFalRequest } from '../lib/db/fal-requests';
import type { PrismaClient } from '../lib/prisma';
import { FalApiError, FalValidationError, type FalClient } from '../lib/fal';

/** What every FAL activity (training, generation) shares: failure types, error mapping, reading a completed request. */

/** Stable `type`s of the non-retryable failures these activities throw. */
export const FalErrors = {
  /** FAL refused the input (422). */
  validation: 'FalValidation',
  /** The key is missing or refused (401/403): retrying cannot help. */
  auth: 'FalAuth',
  /** FAL does not know the request (wrong endpoint or id). */
  notFound: 'FalNotFound',
  /** Any other 4xx answer. */
  rejected: 'FalRejected',
  /** The training archive is not in MinIO. */
  archiveMissing: 'FalArchiveMissing',
  /** A result file is gone from FAL's CDN and we never copied it. */
  fileGone: 'FalFileGone',
} as const;

/** Retryable: FAL or the network failed (5xx, 408, 429, transport); Temporal retries. */
export const FAL_UNAVAILABLE = 'FalUnavailable';
/** Retryable: the result was asked for before the request completed. */
export const FAL_NOT_COMPLETED = 'FalNotCompleted';

/** Maps a FAL client error to a Temporal failure: retryable for outages, non-retryable (with a stable type) for refusals. */
export function falFailure(err: unknown, what: string): ApplicationFailure {
  const cause = err instanceof Error ? err : new Error(String(err));
  if (!(err instanceof FalApiError)) {
    return ApplicationFailure.create({ message: `${what}: FAL unreachable`, type: FAL_UNAVAILABLE, cause });
  }
  const status = err.status;
  if (status >= 500 || status === 408 || status === 429) {
    return ApplicationFailure.create({ message: `${what}: FAL answered ${status}`, type: FAL_UNAVAILABLE, cause });
  }
  const type =
    err instanceof FalValidationError || status === 422
      ? FalErrors.validation
      : status === 401 || status === 403
        ? FalErrors.auth
        : status === 404
          ? FalErrors.notFound
          : FalErrors.rejected;
  return ApplicationFailure.create({ message: `${what}: FAL refused (${status}) ${describeApiError(err)}`, type, nonRetryable: true, cause });
}

/** A short human text from FAL's error body (`detail` string or a list of `{msg}`). */
export function describeApiError(err: InstanceType<typeof FalApiError>): string {
  if (err instanceof FalValidationError) {
    const msgs = err.fieldErrors.map((e) => e.msg).filter(Boolean);
    if (msgs.length) return msgs.join('; ');
  }
  const detail = (err.body as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === 'string' && detail) return detail;
  return err.message || `HTTP ${err.status}`;
}

/**
 * The output of a completed request, or the error FAL reports for a failed one
 * (a business outcome, not an exception). FAL marks a failed request COMPLETED
 * with `error`/`error_type` on its status, so that is read first; a completed
 * request whose result is refused (422 bad input, 499 cancelled) is FAL's
 * verdict too. Outages throw (retryable); not yet completed throws FAL_NOT_COMPLETED.
 */
export async function completedOutput(fal: FalClient, endpoint: string, requestId: string, what: string): Promise<{ ok: true; data: unknown } | { ok: false; error: string }> {
  let status;
  try {
    status = await fal.queue.status(endpoint, { requestId, logs: false });
  } catch (err) {
    throw falFailure(err, `status of ${requestId}`);
  }
  if (status.status !== 'COMPLETED') {
    throw ApplicationFailure.create({ message: `request ${requestId} is still ${status.status}`, type: FAL_NOT_COMPLETED });
  }
  const failed = status as { error?: unknown; error_type?: unknown };
  if (typeof failed.error === 'string' && failed.error) {
    const error = typeof failed.error_type === 'string' ? `${failed.error} (${failed.error_type})` : failed.error;
    log.warn(`FAL ${what} failed`, { endpoint, requestId, error });
    return { ok: false, error };
  }
  try {
    const { data } = await fal.queue.result(endpoint, { requestId });
    return { ok: true, data };
  } catch (err) {
    if (err instanceof FalApiError && err.status >= 400 && err.status < 500 && ![401, 403, 404, 408, 429].includes(err.status)) {
      const error = describeApiError(err);
      log.warn(`FAL ${what} failed`, { endpoint, requestId, status: err.status, error });
      return { ok: false, error };
    }
    throw falFailure(err, `result of ${requestId}`);
  }
}

/**
 * Records that the running workflow submitted this FAL request, so its
 * webhook is forwarded to this workflow and no other (bot/fal-webhook.ts).
 * Best effort: the request is already submitted and must not be submitted
 * again by a retry; without the row its webhook is refused and the workflow's
 * polling finds the result.
 */
export async function recordSubmitted(prisma: PrismaClient, endpoint: string, requestId: string): Promise<void> {
  const workflowId = Context.current().info.workflowExecution?.workflowId;
  if (!workflowId) return;
  try {
    await recordFalRequest(prisma, { requestId, workflowId, endpoint });
  } catch (err) {
    log.warn('FAL request not recorded: its webhook will be refused and polling finds the result', { requestId, error: String(err) });
  }
}

import { HttpError, type Transformer } from 'grammy';

/** A connection broken (not refused, not timed out). */
const BROKEN_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * node-fetch (grammY's client on Node) says "request to … failed" when no
 * answer came at all; a break while the answer was being read ("Invalid
 * response body …") means Telegram has answered, so the call is not sent again.
 */
function brokeBeforeAnswer(err: HttpError): boolean {
  const cause = err.error as { code?: unknown; message?: unknown } | undefined;
  const message = String(cause?.message ?? '');
  if (!message.startsWith('request to ')) return false;
  return (typeof cause?.code === 'string' && BROKEN_CODES.has(cause.code)) || /socket hang up/i.test(message);
}

/**
 * A Bot API call whose connection broke before any answer (the server closed
 * a kept-alive socket just as it was reused, a proxy restarted) is sent once
 * more, at once. Without it one such reset fails the whole update: a pressed
 * Create, a command's answer. Timeouts, refusals, a break while the answer
 * was read and a call aborted by its caller are not resent. What remains: a
 * server that read the whole call, acted on it and then broke the connection
 * without a word sends a message twice; the workers' Temporal retries take
 * that same chance. Not @grammyjs/auto-retry: it resends network errors
 * without a bound, from 3 s doubling up to an hour, which would hold a chat's
 * updates (docs/decisions.md).
 */
export function resendOnBrokenConnection(): Transformer {
  return async (prev, method, payload, signal) => {
    try {
      return await prev(method, payload, signal);
    } catch (err) {
      if (!(err instanceof HttpError) || signal?.aborted || !brokeBeforeAnswer(err)) throw err;
      return prev(method, payload, signal);
    }
  };
}

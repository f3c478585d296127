import { HttpError, type Transformer } from 'grammy';

/** How node-fetch (grammY's client on Node) reports a connection that broke before any answer came. */
const BROKEN_CODES = new Set(['ECONNRESET', 'EPIPE']);

function brokeBeforeAnswer(err: HttpError): boolean {
  const cause = err.error as { code?: unknown; message?: unknown } | undefined;
  return (typeof cause?.code === 'string' && BROKEN_CODES.has(cause.code)) || /socket hang up/i.test(String(cause?.message ?? ''));
}

/**
 * A Bot API call whose connection broke before any answer (the server closed
 * a kept-alive socket just as it was reused, a proxy restarted) is sent once
 * more, at once. Without it one such reset fails the whole update: a pressed
 * Create, a command's answer. Timeouts, refusals and other answers are not
 * resent, nor a call aborted by its caller. Not @grammyjs/auto-retry: it
 * resends network errors without a bound, from 3 s doubling up to an hour,
 * which would hold a chat's updates (docs/decisions.md).
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

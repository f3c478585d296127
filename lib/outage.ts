/**
 * Is this error a service we depend on being unreachable for a moment — a
 * PostgreSQL restart, Redis gone, the Temporal server restarting, a refused
 * or reset connection — rather than something wrong with the request? Such a
 * failure is worth trying again later: a bot in webhook mode answers Telegram
 * non-2xx and Telegram redelivers the update (bot/create-bot.ts), instead of
 * apologising and losing what the user sent (found by the chaos drill: a
 * recording sent during a PostgreSQL restart got an apology and no transcript).
 * The error and its `cause` chain are looked at.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTCONN']);
/** Prisma: can't reach, timed out, server closed the connection, pool timeout. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** PostgreSQL SQLSTATEs: connection exceptions (08…), admin or crash shutdown, cannot connect now, too many connections. */
const SQLSTATE = /^(08\w{3}|57P0[123]|53300)$/;
const MESSAGES =
  /Can't reach database server|database system is (shutting down|starting up|in recovery mode)|terminating connection due to administrator command|Connection terminated|Connection is closed|max retries per request|Server closed the connection/i;
/** gRPC UNAVAILABLE, as the Temporal client reports a server that is down or restarting. */
const GRPC_UNAVAILABLE = 14;

export function isServiceOutage(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const o = e as { name?: unknown; code?: unknown; message?: unknown; details?: unknown; cause?: unknown };
    if (o.name === 'PrismaClientInitializationError' || o.name === 'MaxRetriesPerRequestError') return true;
    if (typeof o.code === 'string' && (NETWORK_CODES.has(o.code) || PRISMA_CODES.has(o.code) || SQLSTATE.test(o.code))) return true;
    if (o.code === GRPC_UNAVAILABLE && typeof o.details === 'string') return true;
    if (typeof o.message === 'string' && MESSAGES.test(o.message)) return true;
    e = o.cause;
  }
  return false;
}

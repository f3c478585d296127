import { Redis } from 'ioredis';
import type { Logger } from './logger';

export type { Redis };

/**
 * A Redis client that reconnects on its own. ioredis emits `error` on every
 * failed reconnect and prints "Unhandled error event" with a stack when nobody
 * listens; with `logger`, an outage is one warning when it starts and one line
 * when Redis answers again (the chaos drill restarts Redis with its data wiped).
 */
export function createRedis(url: string, logger?: Pick<Logger, 'warn' | 'info'>): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false, enableAutoPipelining: true });
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger?.warn({ err: { message: err.message } }, 'redis unreachable; reconnecting');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger?.info('redis reachable again');
  });
  return redis;
}

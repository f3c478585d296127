import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import type { Logger } from './logger';

/**
 * Connects, retrying while the Temporal server does not answer: a bot or a
 * worker (re)started while the server restarts waits for it instead of
 * exiting (the chaos drill restarted a killed worker during a server restart,
 * and it died with "Connection refused"). Gives up after `maxWaitMs`.
 */
export async function connectPatiently<T>(connect: () => Promise<T>, logger?: Pick<Logger, 'warn'>, { maxWaitMs = 5 * 60_000, firstDelayMs = 500 } = {}): Promise<T> {
  const deadline = Date.now() + maxWaitMs;
  for (let attempt = 1, delay = firstDelayMs; ; attempt++, delay = Math.min(delay * 2, 10_000)) {
    try {
      return await connect();
    } catch (err) {
      if (Date.now() + delay > deadline) throw err;
      logger?.warn({ err: { message: (err as Error).message }, attempt, retryInMs: delay }, 'Temporal unreachable; connecting again');
      await sleep(delay);
    }
  }
}

export async function createTemporalClient(cfg: Config['temporal'], logger?: Pick<Logger, 'warn'>): Promise<Client> {
  const connection = await connectPatiently(() => Connection.connect({ address: cfg.address }), logger);
  return new Client({ connection, namespace: cfg.namespace });
}

import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../lib/config';

export const TEST_BOT_TOKEN = '7000000001:AAsandbox-test-token-0123456789abcdef';

/** A unique id for this test run: task queues, Telegram ids and keys never collide between files. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

let nextTelegramId = Date.now() % 1_000_000_000 * 10 + Math.floor(Math.random() * 10);
export function uniqueTelegramId(): number {
  return nextTelegramId++;
}

/** The real local services (from the global setup) plus per-test overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TEMPORAL_TASK_QUEUE: `aisha-t${uniqueSuffix()}`,
    ...inject('env'),
    ...overrides,
  });
}

import { randomBytes, randomInt } from 'node:crypto';
import type { UserFromGetMe } from 'grammy/types';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../lib/config';

export const TEST_BOT_TOKEN = '7000000001:AAsandbox-test-token-0123456789abcdef';

/** A unique id for this test run: task queues, Telegram ids and keys never collide between files. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/**
 * Test files run in parallel processes against one database: each starts its
 * ids at a random point of a wide range (not the clock, where two files
 * started a few milliseconds apart overlapped after a few dozen users, and a
 * "new" user was greeted as returning).
 */
let nextTelegramId = randomInt(1_000_000_000, 8_000_000_000);
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

/** The bot as getMe describes it, for bots built without calling getMe. */
export const TEST_BOT_INFO: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: 'Aisha test',
  username: 'aisha_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

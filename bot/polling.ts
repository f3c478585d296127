import { run, type RunnerHandle } from '@grammyjs/runner';
import type { Bot } from 'grammy';
import type { AppContext } from './context';

/** The updates the bot asks Telegram for, in both modes. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'pre_checkout_query', 'my_chat_member'] as const;

/**
 * Long polling with grammY's runner: updates of different chats are handled
 * concurrently, one chat's in order (`sequentialize` in createBot), so a chat
 * whose handler waits (a slow Telegram call, a Temporal start during a
 * restart) delays nobody else — `bot.start()` handles one update at a time for
 * everyone. Trade-off (docs/decisions.md): the runner confirms updates as it
 * fetches them, so an update being handled when the process is killed is not
 * fetched again; production runs webhook mode, where Telegram redelivers.
 */
export function startPolling(bot: Bot<AppContext>): RunnerHandle {
  return run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
}

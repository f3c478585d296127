import type { Transformer } from 'grammy';
import type { Redis } from './redis';

/**
 * Where a private chat's bottom is. Telegram numbers the messages of a
 * private chat in one sequence for both sides, so the newest id seen in a
 * chat (the user's updates, the bot's own sends) tells how many messages came
 * after any other one. A status message far above that is out of sight: it is
 * sent again at the bottom instead of being edited (activities/telegram.ts).
 */
const PREFIX = 'aisha:chat-top:';
const TTL_SECONDS = 7 * 24 * 3600;

/** Keeps the larger of the stored and the given id (one round trip, atomic). */
const KEEP_MAX = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) else redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/** A status message with more newer messages than this below it is re-sent at the bottom. */
export const FLOAT_AFTER_MESSAGES = 5;

export async function noteChatMessage(redis: Redis, chatId: number, messageId: number): Promise<void> {
  if (chatId <= 0) return; // groups and channels: the bot only answers in private chats
  await redis.eval(KEEP_MAX, 1, `${PREFIX}${chatId}`, String(messageId), String(TTL_SECONDS));
}

/** How many messages are known to be newer than `messageId` in the chat (0 when nothing is known). */
export async function messagesBelow(redis: Redis, chatId: number, messageId: number): Promise<number> {
  const top = Number(await redis.get(`${PREFIX}${chatId}`));
  return Number.isFinite(top) && top > messageId ? top - messageId : 0;
}

/** A grammY API transformer (bot and workers): every message sent moves its chat's bottom; a Redis error never fails the send. */
export function noteSentMessages(redis: Redis): Transformer {
  return async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (res.ok && method.startsWith('send')) {
      const sent = (Array.isArray(res.result) ? res.result : [res.result]) as { message_id?: number; chat?: { id: number; type: string } }[];
      for (const m of sent) {
        if (m?.message_id && m.chat?.type === 'private') await noteChatMessage(redis, m.chat.id, m.message_id).catch(() => undefined);
      }
    }
    return res;
  };
}

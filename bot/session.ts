import type { StorageAdapter } from 'grammy';
import type { Redis } from '../lib/redis';

/** Multi-step state of one user. Kept in Redis: it survives restarts and works with several bot instances. */
export interface SessionData {
  step?: 'avatar-name' | 'avatar-photos' | 'avatar-rename' | 'gen-prompt';
  /** With `gen-prompt`: which model the awaited prompt is for (older sessions: the avatar). */
  promptMode?: 'AVATAR' | 'IMAGEN4';
  /** With `gen-prompt`: the photo the picture should be like. */
  promptReference?: string;
  avatarType?: 'PORTRAIT' | 'STYLE';
  avatarId?: string;
  /** The options of a generation being set up (mode, prompt, aspect ratio, count). */
  generation?: GenerationDraft;
  /** The last photo or text sent outside any flow, for the buttons that offer what to do with it. */
  loose?: { photoFileId?: string; text?: string };
  /** An action refused for lack of credits; after a top-up that covers `price`, "▶ Continue" resumes it. */
  waiting?: { kind: 'avatar-start'; avatarId: string; price: number } | { kind: 'generation'; draft: GenerationDraft; price: number };
}

export interface GenerationDraft {
  /** Names this draft's options message: its Create button carries it, so an older message cannot start this draft. */
  id?: string;
  mode: 'AVATAR' | 'IMAGEN4';
  prompt: string;
  aspectRatio: '1:1' | '3:4' | '4:3' | '9:16' | '16:9';
  numImages: number;
  avatarId?: string;
  avatarName?: string;
  referenceFileId?: string;
  /** The user's request (their prompt, or the message whose button made this offer): the result replies to it. */
  requestMessageId?: number;
}

/** grammY session storage on ioredis, one JSON value per user with a TTL (a forgotten flow expires). */
export function redisSessionStorage(redis: Redis, { prefix = 'aisha:session:', ttlSeconds = 7 * 24 * 3600 } = {}): StorageAdapter<SessionData> {
  return {
    async read(key) {
      const raw = await redis.get(prefix + key);
      return raw ? (JSON.parse(raw) as SessionData) : undefined;
    },
    async write(key, value) {
      await redis.set(prefix + key, JSON.stringify(value), 'EX', ttlSeconds);
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
  };
}

import type { StorageAdapter } from 'grammy';
import type { Redis } from '../lib/redis';

/** Multi-step state of one user. Kept in Redis: it survives restarts and works with several bot instances. */
export interface SessionData {
  step?: 'avatar-name' | 'avatar-photos' | 'avatar-rename' | 'gen-prompt';
  /** With `gen-prompt`: which model the awaited prompt is for (older sessions: the avatar). */
  promptMode?: 'AVATAR' | 'IMAGEN4';
  avatarType?: 'PORTRAIT' | 'STYLE';
  avatarId?: string;
  /** The options of a generation being set up (mode, prompt, aspect ratio, count). */
  generation?: GenerationDraft;
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

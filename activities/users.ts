import type { PrismaClient } from '../lib/prisma';
import { upsertUser, type TelegramProfile, type UserSummary } from '../lib/db/users';

export function createUserActivities({ prisma }: { prisma: PrismaClient }) {
  return {
    /** Idempotent: the user is keyed by Telegram id. */
    async ensureUser(profile: TelegramProfile): Promise<UserSummary> {
      return upsertUser(prisma, profile);
    },
  };
}

export type UserActivities = ReturnType<typeof createUserActivities>;

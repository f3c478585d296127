import { preparedRows, type PrismaClient } from '../prisma';
import { pickLanguage, type Language } from '../i18n';
import { welcomeGrantKey } from './ledger';

export interface TelegramProfile {
  telegramId: number;
  username?: string;
  firstName?: string;
  languageCode?: string;
}

export interface UserSummary {
  id: number;
  telegramId: number;
  firstName: string | null;
  language: Language;
  created: boolean;
}

const userSelect = { id: true, telegramId: true, firstName: true, language: true, createdAt: true, updatedAt: true } as const;

/**
 * Creates the user (with an empty balance) or refreshes their profile.
 * The language is chosen once from Telegram's `language_code`; later only /lang changes it.
 */
export async function upsertUser(prisma: PrismaClient, p: TelegramProfile): Promise<UserSummary> {
  const telegramId = BigInt(p.telegramId);
  const now = new Date();
  const user = await prisma.user.upsert({
    where: { telegramId },
    create: {
      telegramId,
      username: p.username ?? null,
      firstName: p.firstName ?? null,
      language: pickLanguage(p.languageCode),
      lastSeenAt: now,
      balance: { create: {} },
    },
    update: { username: p.username ?? null, firstName: p.firstName ?? null, lastSeenAt: now },
    select: userSelect,
  });
  return {
    id: user.id,
    telegramId: Number(user.telegramId),
    firstName: user.firstName,
    language: user.language,
    created: user.createdAt.getTime() === user.updatedAt.getTime(),
  };
}

export interface UserRow {
  id: number;
  firstName: string | null;
  language: Language;
  timeZone: string | null;
  speakerLabels: boolean;
  createdAt: Date;
}

/** The user's row, read on every update (a prepared statement: lib/prisma.ts); null before /start. */
export async function findUserByTelegramId(prisma: PrismaClient, telegramId: number): Promise<UserRow | null> {
  const [row] = await preparedRows<UserRow>(
    prisma,
    'user-by-telegram-id',
    `SELECT id, first_name AS "firstName", language::text AS language, time_zone AS "timeZone", speaker_labels AS "speakerLabels",
            created_at AT TIME ZONE 'UTC' AS "createdAt"
       FROM users WHERE telegram_id = $1`,
    [String(telegramId)],
  );
  return row ?? null;
}

/** Stores the time zone chosen in /profile (an IANA name; null: back to the language's default). */
export async function setUserTimeZone(prisma: PrismaClient, userId: number, timeZone: string | null): Promise<void> {
  await prisma.user.update({ where: { id: userId }, data: { timeZone }, select: { id: true } });
}

/**
 * For a known user's /start (bot/features/start.ts): refreshes the Telegram
 * profile when it changed (what the onboarding workflow's upsert does) and
 * reads the balance and whether the welcome grant (ledger key
 * `welcome:<userId>`) is there. One prepared statement.
 */
export async function refreshProfileForGreeting(
  prisma: PrismaClient,
  userId: number,
  p: Pick<TelegramProfile, 'username' | 'firstName'>,
): Promise<{ balance: number; welcomed: boolean }> {
  const [row] = await preparedRows<{ balance: number; welcomed: boolean }>(
    prisma,
    'refresh-profile-for-greeting',
    `WITH changed AS (
       UPDATE users SET username = $2, first_name = $3, updated_at = now() AT TIME ZONE 'UTC'
        WHERE id = $1 AND (username IS DISTINCT FROM $2 OR first_name IS DISTINCT FROM $3)
     )
     SELECT coalesce((SELECT credits FROM balances WHERE user_id = $1), 0) AS balance,
            EXISTS (SELECT 1 FROM transactions WHERE idempotency_key = $4) AS welcomed`,
    [userId, p.username ?? null, p.firstName ?? null, welcomeGrantKey(userId)],
  );
  return row!;
}

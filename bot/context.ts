import type { Client } from '@temporalio/client';
import type { Context, SessionFlavor } from 'grammy';
import type { Config } from '../lib/config';
import type { I18n, Language, Translate } from '../lib/i18n';
import type { Logger } from '../lib/logger';
import type { UserRow } from '../lib/db/users';
import type { PrismaClient } from '../lib/prisma';
import type { Redis } from '../lib/redis';
import type { Storage } from '../lib/storage';
import type { BotMetrics } from './metrics';
import type { SessionData } from './session';

/**
 * What every handler may use: it reads the DB and talks to Temporal. Storage
 * is for views only (the gallery reads its images and transcripts' files, and
 * removes an image the user deletes); jobs' files are written by activities.
 */
export interface BotServices {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  temporal: Client;
  i18n: I18n;
  redis: Redis;
  storage: Storage;
  /** Prometheus series (`GET /metrics`); updates are counted when present. */
  metrics?: BotMetrics;
}

export type AppContext = Context &
  SessionFlavor<SessionData> & {
  services: BotServices;
  logger: Logger;
  /** The sender's row as it was when the update arrived; null before /start (and for updates without a sender). */
  user: UserRow | null;
  language: Language;
  /** The IANA zone the user's dates are shown in (lib/time-zone.ts: their choice, else their language's default). */
  timeZone: string;
  t: Translate;
};

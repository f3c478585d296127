import type { Client } from '@temporalio/client';
import type { Context } from 'grammy';
import type { Config } from '../lib/config';
import type { I18n, Language, Translate } from '../lib/i18n';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../lib/prisma';

/** What every handler may use: it reads the DB and talks to Temporal, nothing else. */
export interface BotServices {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  temporal: Client;
  i18n: I18n;
}

export type AppContext = Context & {
  services: BotServices;
  logger: Logger;
  language: Language;
  t: Translate;
};

import type { Api } from 'grammy';
import type { Config } from '../lib/config';
import type { I18n } from '../lib/i18n';
import type { PrismaClient } from '../lib/prisma';
import type { QueueKind } from '../workflows/task-queues';
import { createBillingActivities } from './billing';
import { createLedgerActivities } from './ledger';
import { createPaymentActivities } from './payments';
import { createTelegramActivities } from './telegram';
import { createUserActivities } from './users';

export interface ActivityDeps {
  config: Config;
  prisma: PrismaClient;
  telegramApi: Api;
  i18n: I18n;
}

/** Activities grouped by the task queue whose Worker runs them. */
export type Activities = Record<QueueKind, Record<string, (...args: never[]) => Promise<unknown>>>;

export function createActivities(deps: ActivityDeps) {
  const ledger = createLedgerActivities({ prisma: deps.prisma, tariffs: deps.config.tariffs });
  return {
    main: {
      ...createUserActivities({ prisma: deps.prisma }),
      ...ledger,
      ...createBillingActivities({ prisma: deps.prisma, ledger }),
      ...createPaymentActivities({ prisma: deps.prisma }),
    },
    telegram: createTelegramActivities({ api: deps.telegramApi, i18n: deps.i18n }),
    fal: {},
    openai: {},
    media: {},
  } satisfies Activities;
}

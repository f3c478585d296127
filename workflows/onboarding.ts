import { upsertSearchAttributes } from '@temporalio/workflow';
import { mainMenuButtons } from '../vocabulary/main-menu';
import { dbActivities, telegramActivities } from './proxies';
import { JobStatusKey } from '../vocabulary/search-attributes';

export interface OnboardingInput {
  telegramId: number;
  chatId: number;
  username?: string;
  firstName?: string;
  languageCode?: string;
}

export interface OnboardingResult {
  userId: number;
  newUser: boolean;
  granted: number;
  balance: number;
}

/**
 * `/start`: create the user, grant the welcome credits once (ledger key
 * `welcome:<userId>`), greet in the user's language. Safe to run any number of
 * times for the same user: only the first run grants. The greeting carries the
 * main menu.
 */
export async function onboardingWorkflow(input: OnboardingInput): Promise<OnboardingResult> {
  const db = dbActivities();
  const telegram = telegramActivities();

  const user = await db.ensureUser({
    telegramId: input.telegramId,
    username: input.username,
    firstName: input.firstName,
    languageCode: input.languageCode,
  });
  const grant = await db.grantWelcomeCredits({ userId: user.id });

  const name = input.firstName || input.username || '';
  await telegram.sendMessage({
    chatId: input.chatId,
    language: user.language,
    message: grant.granted
      ? { key: 'welcome-new', params: { name, credits: grant.credits, balance: grant.balance } }
      : { key: 'welcome-back', params: { name, balance: grant.balance } },
    // The main menu (vocabulary/main-menu.ts). Only this activity's input changed: replay checks activity types, not inputs.
    buttons: mainMenuButtons(),
  });

  upsertSearchAttributes([{ key: JobStatusKey, value: 'completed' }]);
  return { userId: user.id, newUser: user.created, granted: grant.granted ? grant.credits : 0, balance: grant.balance };
}

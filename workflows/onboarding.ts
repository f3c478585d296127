import { upsertSearchAttributes } from '@temporalio/workflow';
import type { Language } from '../vocabulary/languages';
import { mainMenuButtons } from '../vocabulary/main-menu';
import { dbActivities, localDbActivities, telegramActivities } from './proxies';
import { JobStatusKey } from '../vocabulary/search-attributes';

export interface OnboardingInput {
  telegramId: number;
  chatId: number;
  username?: string;
  firstName?: string;
  languageCode?: string;
  /**
   * The bot waits for this workflow's result and greets itself (bot/features/start.ts): a reply from the bot
   * is not held behind the Telegram queue's ≈ 25 sends/s, which made 200 /start at once take 10 s. It also
   * chooses the lean path: the writes as local activities. Absent (a bot from before this, and every history
   * recorded before): three activities, and the workflow greets.
   */
  greetedByBot?: boolean;
}

export interface OnboardingResult {
  userId: number;
  newUser: boolean;
  granted: number;
  balance: number;
  /** The user's language, for the bot's greeting (absent in results from before the bot greeted). */
  language?: Language;
  /** Whether this workflow sent the greeting; absent in results from before the bot greeted, which always did. */
  greeted?: boolean;
}

/**
 * `/start`: create the user, grant the welcome credits once (ledger key
 * `welcome:<userId>`), greet in the user's language. Safe to run any number of
 * times for the same user: only the first run grants. The greeting carries the
 * main menu.
 *
 * Started by the bot that greets, both writes are local activities: one
 * workflow task from start to end, no round trip through a task queue per
 * write (a burst of new users is bound by the Temporal server's work per
 * workflow). The input chooses the path, as a generation's revision does, so
 * no patch marker is recorded; inputs from before run the three activities
 * their histories recorded.
 */
export async function onboardingWorkflow(input: OnboardingInput): Promise<OnboardingResult> {
  const local = input.greetedByBot === true;
  const db = local ? localDbActivities() : dbActivities();
  const telegram = telegramActivities();

  const user = await db.ensureUser({
    telegramId: input.telegramId,
    username: input.username,
    firstName: input.firstName,
    languageCode: input.languageCode,
  });
  const grant = await db.grantWelcomeCredits({ userId: user.id });

  const greet = !local;
  if (greet) {
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
  }

  upsertSearchAttributes([{ key: JobStatusKey, value: 'completed' }]);
  return {
    userId: user.id,
    newUser: user.created,
    granted: grant.granted ? grant.credits : 0,
    balance: grant.balance,
    language: user.language,
    greeted: greet,
  };
}

// A deliberately incompatible version of the onboarding workflow: it greets
// before granting (activities in a different order). Replaying a recorded
// history against it must be reported as nondeterminism.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { UserActivities } from '../../../activities/users';
import type { LedgerActivities } from '../../../activities/ledger';
import type { TelegramActivities } from '../../../activities/telegram';
import type { OnboardingInput } from '../../../workflows/onboarding';
import { taskQueueName } from '../../../workflows/task-queues';

export async function onboardingWorkflow(input: OnboardingInput): Promise<void> {
  const db = proxyActivities<UserActivities & LedgerActivities>({ startToCloseTimeout: '30 seconds' });
  const telegram = proxyActivities<TelegramActivities>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'telegram'),
    startToCloseTimeout: '30 seconds',
  });
  const user = await db.ensureUser({ telegramId: input.telegramId });
  await telegram.sendMessage({ chatId: input.chatId, language: user.language, message: { key: 'welcome-back' } });
  await db.grantWelcomeCredits({ userId: user.id });
}

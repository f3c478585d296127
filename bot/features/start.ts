import { Composer } from 'grammy';
import { workflowIds } from '../../vocabulary/ids';
import type { onboardingWorkflow } from '../../workflows/onboarding';
import type { AppContext } from '../context';
import { startUserWorkflow } from '../start-workflow';

export const startFeature = new Composer<AppContext>();

/**
 * `/start` only starts the onboarding workflow; the workflow creates the user,
 * grants the welcome credits once and sends the greeting. The workflow id
 * carries the update id, so a redelivered update is rejected as a duplicate.
 */
startFeature.command('start', async (ctx) => {
  if (!ctx.from || ctx.chat.type !== 'private') return;
  await startUserWorkflow<typeof onboardingWorkflow>(ctx, 'onboardingWorkflow', {
    workflowId: workflowIds.onboarding(ctx.from.id, ctx.update.update_id),
    kind: 'onboarding',
    summary: `/start by ${ctx.from.username ? `@${ctx.from.username}` : ctx.from.first_name}`,
    args: [
      {
        telegramId: ctx.from.id,
        chatId: ctx.chat.id,
        username: ctx.from.username,
        firstName: ctx.from.first_name,
        languageCode: ctx.from.language_code,
      },
    ],
  });
});

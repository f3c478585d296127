import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Composer } from 'grammy';
import { workflowIds } from '../../workflows/ids';
import type { onboardingWorkflow } from '../../workflows/onboarding';
import { JobKindKey, JobStatusKey, UserIdKey } from '../../workflows/search-attributes';
import type { AppContext } from '../context';

export const startFeature = new Composer<AppContext>();

/**
 * `/start` only starts the onboarding workflow; the workflow creates the user,
 * grants the welcome credits once and sends the greeting. The workflow id
 * carries the update id, so a redelivered update is rejected as a duplicate.
 */
startFeature.command('start', async (ctx) => {
  if (!ctx.from || ctx.chat.type !== 'private') return;
  const { temporal, config } = ctx.services;
  const workflowId = workflowIds.onboarding(ctx.from.id, ctx.update.update_id);
  try {
    await temporal.workflow.start<typeof onboardingWorkflow>('onboardingWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowExecutionTimeout: '1 hour',
      args: [
        {
          telegramId: ctx.from.id,
          chatId: ctx.chat.id,
          username: ctx.from.username,
          firstName: ctx.from.first_name,
          languageCode: ctx.from.language_code,
        },
      ],
      typedSearchAttributes: [
        { key: UserIdKey, value: String(ctx.from.id) },
        { key: JobKindKey, value: 'onboarding' },
        { key: JobStatusKey, value: 'running' },
      ],
    });
    ctx.logger.info({ workflowId }, 'onboarding started');
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      ctx.logger.info({ workflowId }, 'redelivered /start ignored');
      return;
    }
    throw err;
  }
});

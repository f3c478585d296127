import { Composer } from 'grammy';
import type { AppContext } from '../context';
import { jobsListView, runningJobsOf } from './jobs';

/**
 * Stopping paid work:
 * - `/cancel` outside a multi-step flow (flows handle their own step first,
 *   bot/features/avatar.ts): one running job is cancelled at once, several
 *   get a choice (the /jobs list); whatever was not delivered is refunded by
 *   the job itself, which says so.
 * - The user blocks the bot (`my_chat_member` → kicked): every running job of
 *   theirs is cancelled with reason `user_blocked` — nothing more can reach
 *   them, so nothing stays charged.
 */
export const cancelFeature = new Composer<AppContext>();

cancelFeature.command('cancel', async (ctx) => {
  const jobs = await runningJobsOf(ctx, ctx.from!.id);
  if (!jobs.length) return ctx.reply(ctx.t('nothing-to-cancel'));
  if (jobs.length > 1) {
    const view = jobsListView(ctx, jobs, ctx.t('cancel-which'));
    return ctx.reply(view.text, { reply_markup: view.keyboard });
  }
  const [job] = jobs;
  await ctx.services.temporal.workflow.getHandle(job!.workflowId).signal('cancel', { reason: 'user' });
  ctx.logger.info({ workflowId: job!.workflowId }, 'job cancelled by the user with /cancel');
  return ctx.reply(ctx.t('cancel-sent', { kind: job!.kind }));
});

cancelFeature.on('my_chat_member', async (ctx) => {
  const update = ctx.myChatMember;
  if (update.chat.type !== 'private' || update.new_chat_member.status !== 'kicked') return;
  const jobs = await runningJobsOf(ctx, update.from.id);
  for (const job of jobs) {
    await ctx.services.temporal.workflow
      .getHandle(job.workflowId)
      .signal('cancel', { reason: 'user_blocked' })
      .catch((err: unknown) => ctx.logger.warn({ err, workflowId: job.workflowId }, 'job already ended'));
  }
  ctx.logger.info({ jobs: jobs.map((j) => j.workflowId) }, 'the user blocked the bot: running jobs cancelled');
});

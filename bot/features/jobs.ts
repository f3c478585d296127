import { Composer, InlineKeyboard } from 'grammy';
import { callbacks } from '../../lib/callback-data';
import { JobKindKey, JobStatusKey, UserIdKey } from '../../workflows/search-attributes';
import type { AppContext } from '../context';

/**
 * `/jobs`: the user's running jobs, read from Temporal visibility by the
 * `UserId` search attribute, with their stage and a cancel button. A button
 * names a workflow id; it is signalled only when that workflow's own `UserId`
 * is the presser's and it is a cancellable job that is still running.
 */
export const jobsFeature = new Composer<AppContext>();

const CANCELLABLE_KINDS = ['avatar_training', 'generation', 'transcription'] as const;
const MAX_LISTED = 10;

interface RunningJob {
  workflowId: string;
  kind: string;
  stage: string;
  startTime: Date;
}

async function runningJobsOf(ctx: AppContext, telegramId: number): Promise<RunningJob[]> {
  const kinds = CANCELLABLE_KINDS.map((k) => `'${k}'`).join(', ');
  const query = `UserId = '${telegramId}' AND JobKind IN (${kinds}) AND ExecutionStatus = 'Running'`;
  const jobs: RunningJob[] = [];
  for await (const wf of ctx.services.temporal.workflow.list({ query, pageSize: MAX_LISTED })) {
    jobs.push({
      workflowId: wf.workflowId,
      kind: wf.typedSearchAttributes.get(JobKindKey) ?? 'unknown',
      stage: wf.typedSearchAttributes.get(JobStatusKey) ?? 'running',
      startTime: wf.startTime,
    });
    if (jobs.length >= MAX_LISTED) break;
  }
  return jobs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

jobsFeature.command('jobs', async (ctx) => {
  const jobs = await runningJobsOf(ctx, ctx.from!.id);
  if (!jobs.length) return ctx.reply(ctx.t('jobs-empty'));
  const lines = jobs.map((j, i) =>
    ctx.t('jobs-line', { n: i + 1, kind: j.kind, stage: j.stage, started: j.startTime.toISOString().slice(0, 16).replace('T', ' ') }),
  );
  const keyboard = InlineKeyboard.from(jobs.map((j, i) => [InlineKeyboard.text(ctx.t('button-job-cancel', { n: i + 1 }), callbacks.jobCancel.pack({ id: j.workflowId }))]));
  await ctx.reply([ctx.t('jobs-title'), ...lines].join('\n'), { reply_markup: keyboard });
});

jobsFeature.callbackQuery(callbacks.jobCancel.filter, async (ctx) => {
  const workflowId = callbacks.jobCancel.unpack(ctx.callbackQuery.data)?.id ?? '';
  const handle = ctx.services.temporal.workflow.getHandle(workflowId);
  const description = await handle.describe().catch(() => null);
  const attrs = description?.typedSearchAttributes;
  const own =
    description?.status.name === 'RUNNING' &&
    attrs?.get(UserIdKey) === String(ctx.from.id) &&
    (CANCELLABLE_KINDS as readonly string[]).includes(attrs.get(JobKindKey) ?? '');
  if (!own) return ctx.answerCallbackQuery({ text: ctx.t('job-not-found') });
  await handle.signal('cancel', { reason: 'user' });
  ctx.logger.info({ workflowId }, 'job cancelled by the user from /jobs');
  await ctx.answerCallbackQuery({ text: ctx.t('job-cancel-sent') });
});

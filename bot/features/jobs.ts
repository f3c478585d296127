import { Composer, GrammyError, InlineKeyboard } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import { elapsed } from '../../lib/time-zone';
import type { AvatarStage } from '../../workflows/avatar-api';
import type { GenerationStage } from '../../workflows/generation-api';
import { workflowIds } from '../../vocabulary/ids';
import { JobKindKey, JobStatusKey, UserIdKey } from '../../vocabulary/search-attributes';
import type { TranscriptionStage } from '../../workflows/transcription-api';
import type { AppContext } from '../context';

/**
 * `/jobs`: the user's running jobs, read from Temporal visibility by the
 * `UserId` search attribute, with their stage in words, how long they have
 * been running, a cancel button each and 🔄, which redraws the list in place.
 * A cancel button names a workflow id; it is signalled only when that
 * workflow's own `UserId` is the presser's and it is a cancellable job that is
 * still running.
 */
export const jobsFeature = new Composer<AppContext>();

/**
 * Every value the job workflows put in `JobStatus` (the bot starts them as
 * "running"; avatar stages are lower-cased). The locale key `job-stage` names
 * each one; this list fails to compile when a workflow's stage type gains a
 * value, and test/unit/time-zone.test.ts checks both languages name them all.
 */
type JobStage = 'running' | Lowercase<AvatarStage> | GenerationStage | TranscriptionStage;
const STAGES: Record<JobStage, true> = {
  running: true,
  collecting_photos: true,
  ready: true,
  charged: true,
  training: true,
  charging: true,
  preparing: true,
  generating: true,
  checking: true,
  delivering: true,
  awaiting_confirmation: true,
  transcribing: true,
  completed: true,
  partial: true,
  failed: true,
  cancelled: true,
  rejected: true,
};
export const JOB_STAGES = Object.keys(STAGES) as JobStage[];

const CANCELLABLE_KINDS = ['avatar_training', 'generation', 'transcription'] as const;
type CancellableKind = (typeof CANCELLABLE_KINDS)[number];

/**
 * A job in a button: a one-letter kind and the job's UUID (a workflow id can be
 * 43 characters; Telegram allows 64 bytes of callback data for everything).
 */
const JOB_KEYS: Record<CancellableKind, { key: string; workflowId: (id: string) => string }> = {
  avatar_training: { key: 'a', workflowId: workflowIds.avatar },
  generation: { key: 'g', workflowId: workflowIds.generation },
  transcription: { key: 't', workflowId: workflowIds.transcription },
};

/** The button data of a job's cancel button; null when the workflow id is not one of ours. */
export function jobCancelData(kind: string, workflowId: string): string | null {
  const job = JOB_KEYS[kind as CancellableKind];
  const id = job && workflowId.startsWith(job.workflowId('')) ? workflowId.slice(job.workflowId('').length) : '';
  try {
    return job ? callbacks.jobCancel.pack({ k: job.key, id }) : null;
  } catch {
    return null;
  }
}

function workflowIdOfButton(data: string | undefined): string | null {
  const button = callbacks.jobCancel.unpack(data);
  const job = button && Object.values(JOB_KEYS).find((j) => j.key === button.k);
  return job ? job.workflowId(button!.id) : null;
}
const MAX_LISTED = 10;

export interface RunningJob {
  workflowId: string;
  kind: string;
  stage: string;
  startTime: Date;
}

/** The user's running cancellable jobs, oldest first (Temporal visibility, by the `UserId` search attribute). */
export async function runningJobsOf(ctx: AppContext, telegramId: number): Promise<RunningJob[]> {
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

/**
 * The list of running jobs under `title`: stage in words, time running ("12 мин",
 * "1 ч 5 мин"), a cancel button each; with `refresh`, a 🔄 button below.
 */
export function jobsListView(ctx: AppContext, jobs: RunningJob[], title: string, { refresh = false, now = new Date() } = {}) {
  const lines = jobs.map((j, i) =>
    ctx.t('jobs-line', { n: i + 1, kind: j.kind, stage: ctx.t('job-stage', { stage: j.stage, kind: j.kind }), elapsed: ctx.t('elapsed', elapsed(j.startTime, now)) }),
  );
  const rows = jobs.flatMap((j, i) => {
    const data = jobCancelData(j.kind, j.workflowId);
    return data ? [[InlineKeyboard.text(ctx.t('button-job-cancel', { n: i + 1 }), data)]] : [];
  });
  if (refresh) rows.push([InlineKeyboard.text(ctx.t('button-jobs-refresh'), callbacks.jobsRefresh.pack({}))]);
  return { text: [title, ...lines].join('\n'), keyboard: InlineKeyboard.from(rows) };
}

/** What /jobs shows now: the list, or "nothing is running"; both with 🔄. */
async function jobsView(ctx: AppContext) {
  const jobs = await runningJobsOf(ctx, ctx.from!.id);
  if (jobs.length) return jobsListView(ctx, jobs, ctx.t('jobs-title'), { refresh: true });
  return { text: ctx.t('jobs-empty'), keyboard: new InlineKeyboard().text(ctx.t('button-jobs-refresh'), callbacks.jobsRefresh.pack({})) };
}

jobsFeature.command('jobs', async (ctx) => {
  const view = await jobsView(ctx);
  await ctx.reply(view.text, { reply_markup: view.keyboard });
});

/** 🔄: the same message, redrawn; an unchanged list ("message is not modified") is fine. */
jobsFeature.callbackQuery(callbacks.jobsRefresh.filter, async (ctx) => {
  const view = await jobsView(ctx);
  try {
    await ctx.editMessageText(view.text, { reply_markup: view.keyboard });
  } catch (err) {
    if (!(err instanceof GrammyError && err.description.includes('message is not modified'))) throw err;
  }
  await ctx.answerCallbackQuery({ text: ctx.t('jobs-refreshed') });
});

jobsFeature.callbackQuery(callbacks.jobCancel.filter, async (ctx) => {
  const workflowId = workflowIdOfButton(ctx.callbackQuery.data);
  if (!workflowId) return ctx.answerCallbackQuery({ text: ctx.t('job-not-found') });
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

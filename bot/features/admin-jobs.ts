import { WorkflowNotFoundError, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import type { adminRefundWorkflow } from '../../workflows/admin';
import { settleSignal } from '../../workflows/billing-api';
import { falWebhookUrl, pollNowSignal } from '../../workflows/fal-api';
import type { generationWorkflow } from '../../workflows/generation';
import { GENERATION_REVISION, type GenerationInput } from '../../workflows/generation-api';
import { workflowIds } from '../../vocabulary/ids';
import type { transcriptionWorkflow } from '../../workflows/transcription';
import { TRANSCRIPTION_REVISION, type TranscriptionInput } from '../../workflows/transcription-api';
import { seededUuid } from '../../lib/seeded-uuid';
import type { AppContext } from '../context';
import { startUserWorkflow } from '../start-workflow';

/**
 * `/admin refund <job>` and `/admin retry <job>`: operators act on a user's
 * job through the job's own signals while it runs, and through new workflows
 * once it has ended. Money always moves through the ledger's idempotency keys.
 */

const JOB_ID = /^(gen|tr|avatar)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
type JobPrefix = 'gen' | 'tr' | 'avatar';

/** The job's prefix for a well-formed job workflow id, else null. */
export function jobPrefix(workflowId: string): JobPrefix | null {
  return (JOB_ID.exec(workflowId)?.[1] as JobPrefix | undefined) ?? null;
}

async function describe(handle: WorkflowHandle): Promise<WorkflowExecutionDescription | null> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/**
 * Refund: a running job is cancelled (`cancel {reason: 'admin'}`) so its own
 * billing refunds what was not delivered; an ended job whose billing still
 * waits gets that billing settled with nothing delivered (full refund); when
 * both have ended, `admin-refund-<job>` refunds whatever the ledger says is
 * left of the charge, once.
 */
export async function adminRefundJob(ctx: AppContext, job: string): Promise<unknown> {
  const { temporal, prisma } = ctx.services;
  const jobHandle = temporal.workflow.getHandle(job);
  if ((await describe(jobHandle))?.status.name === 'RUNNING') {
    await jobHandle.signal('cancel', { reason: 'admin' });
    ctx.logger.info({ job }, 'admin refund: running job cancelled');
    return ctx.reply(ctx.t('admin-refund-cancel-sent', { job }));
  }
  const billingHandle = temporal.workflow.getHandle(workflowIds.billing(job));
  if ((await describe(billingHandle))?.status.name === 'RUNNING') {
    // The job ended without settling: its billing also closes its row and tells its user.
    await billingHandle.signal(settleSignal, { deliveredUnits: 0, abandoned: true });
    ctx.logger.info({ job }, 'admin refund: open billing settled with nothing delivered');
    return ctx.reply(ctx.t('admin-refund-settle-sent', { job }));
  }
  const charge = await prisma.transaction.findFirst({ where: { jobId: job, kind: 'CHARGE' }, select: { user: { select: { telegramId: true } } } });
  if (!charge) return ctx.reply(ctx.t('admin-job-nothing-left', { job, charged: 0, refunded: 0 }));
  await startUserWorkflow<typeof adminRefundWorkflow>(ctx, 'adminRefundWorkflow', {
    workflowId: workflowIds.adminRefund(job),
    kind: 'admin',
    userTelegramId: Number(charge.user.telegramId),
    summary: `admin ${ctx.from!.id} refunds what is left of ${job}`,
    args: [{ adminChatId: ctx.chat!.id, adminLanguage: ctx.language, jobWorkflowId: job }],
    // The workflow reads the ledger: a repeat finds nothing left.
    reusePolicy: 'ALLOW_DUPLICATE',
  });
  return ctx.reply(ctx.t('admin-started'));
}

/** The input a workflow was started with, from its history (null when the server no longer has it). */
async function startInput<T>(ctx: AppContext, handle: WorkflowHandle): Promise<T | null> {
  const history = await handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return null;
  return ctx.services.temporal.workflow.options.loadedDataConverter.payloadConverter.fromPayload<T>(payload);
}

/**
 * Retry: a running job waiting on FAL is told to check FAL now (`pollNow`);
 * an ended generation or transcription that failed or was cancelled starts
 * again with the same input under a new job id (charged again by its own
 * billing, refunded again if it fails).
 */
export async function adminRetryJob(ctx: AppContext, job: string, prefix: JobPrefix): Promise<unknown> {
  const { temporal, prisma, config } = ctx.services;
  const handle = temporal.workflow.getHandle(job);
  const description = await describe(handle);
  if (!description) return ctx.reply(ctx.t('admin-job-not-found', { job }));

  if (description.status.name === 'RUNNING') {
    const { stage } = await handle.query<{ stage: string }>('status');
    const waitsOnFal = (prefix === 'gen' && stage === 'generating') || (prefix === 'avatar' && stage === 'TRAINING');
    if (!waitsOnFal) return ctx.reply(ctx.t('admin-retry-running', { job, stage }));
    await handle.signal(pollNowSignal);
    ctx.logger.info({ job }, 'admin retry: pollNow sent');
    return ctx.reply(ctx.t('admin-retry-poll-sent', { job }));
  }

  if (prefix === 'avatar') return ctx.reply(ctx.t('admin-retry-avatar', { job }));
  const id = job.slice(job.indexOf('-') + 1);
  const row = prefix === 'gen'
    ? await prisma.generation.findUnique({ where: { id }, select: { status: true } })
    : await prisma.transcript.findUnique({ where: { id }, select: { status: true } });
  // The row says what the user got: a delivered job is never retried (it would be paid twice), even if its
  // workflow failed afterwards (e.g. the last message refused). A workflow that failed, timed out or was
  // terminated may have left its row "pending"/"running": that job delivered nothing.
  const ended = row
    ? row.status !== 'COMPLETED' && row.status !== 'PARTIAL' // the workflow is closed here (a running one was handled above)
    : description.status.name !== 'COMPLETED';
  if (!ended) return ctx.reply(ctx.t('admin-retry-not-retriable', { job, status: (row?.status ?? description.status.name).toLowerCase() }));

  const newId = seededUuid(`admin-retry:${job}:${ctx.update.update_id}`);
  const summary = `retry of ${job} by admin ${ctx.from!.id}`;
  let newJob: string;
  if (prefix === 'gen') {
    const input = await startInput<GenerationInput>(ctx, handle);
    if (!input) return ctx.reply(ctx.t('admin-job-not-found', { job }));
    newJob = workflowIds.generation(newId);
    await startUserWorkflow<typeof generationWorkflow>(ctx, 'generationWorkflow', {
      workflowId: newJob,
      kind: 'generation',
      userTelegramId: input.telegramId,
      summary: `${summary}: ${input.prompt.replace(/\s+/g, ' ').slice(0, 100)}`,
      // A new run takes today's path (its history starts now).
      args: [{ ...input, generationId: newId, webhookUrl: falWebhookUrl(config.http.publicBaseUrl, newJob), revision: GENERATION_REVISION }],
    });
  } else {
    const input = await startInput<TranscriptionInput>(ctx, handle);
    if (!input) return ctx.reply(ctx.t('admin-job-not-found', { job }));
    newJob = workflowIds.transcription(newId);
    await startUserWorkflow<typeof transcriptionWorkflow>(ctx, 'transcriptionWorkflow', {
      workflowId: newJob,
      kind: 'transcription',
      userTelegramId: input.telegramId,
      summary: `${summary}: ${input.fileName ?? 'recording'}`,
      args: [{ ...input, transcriptId: newId, revision: TRANSCRIPTION_REVISION }],
    });
  }
  ctx.logger.info({ job, newJob }, 'admin retry: job started again');
  return ctx.reply(ctx.t('admin-retry-started', { job, newJob }));
}

import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import type { Workflow, WorkflowStartOptions } from '@temporalio/client';
import { JobKindKey, JobStatusKey, UserIdKey, type JobKind } from '../vocabulary/search-attributes';
import type { Logger } from '../lib/logger';
import type { AppContext, BotServices } from './context';

/** Memos are for people: one line. */
const MEMO_SUMMARY_MAX = 200;

/**
 * Starts a workflow for the user of this update the one way the bot does it:
 * a meaningful id, USE_EXISTING for a running one and REJECT_DUPLICATE for a
 * finished one (a redelivered update never makes a second job), and the
 * search attributes operators query by. Returns null for a duplicate.
 */
export interface JobStartOptions<W extends Workflow> {
  workflowId: string;
  kind: JobKind;
  args: Parameters<W>;
  /** A short human description for operators: the workflow's memo `summary` (Web UI, `temporal workflow describe`). */
  summary: string;
  /** Operations that may be attempted again once finished (they guard themselves) pass ALLOW_DUPLICATE. */
  reusePolicy?: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE';
}

/**
 * Starts a workflow for the user of this update the one way the bot does it:
 * a meaningful id, USE_EXISTING for a running one and REJECT_DUPLICATE for a
 * finished one (a redelivered update never makes a second job), and the
 * search attributes operators query by. Returns null for a duplicate.
 */
export async function startUserWorkflow<W extends Workflow>(
  ctx: AppContext,
  workflowType: string,
  opts: JobStartOptions<W> & { userTelegramId?: number },
): Promise<WorkflowHandle<W> | null> {
  return startJobWorkflow<W>(ctx.services, ctx.logger, opts.userTelegramId ?? ctx.from?.id, workflowType, opts);
}

/** The same without an update (an upload finished on the bot's HTTP server). */
export async function startJobWorkflow<W extends Workflow>(
  services: Pick<BotServices, 'temporal' | 'config'>,
  logger: Logger,
  userId: number | undefined,
  workflowType: string,
  opts: JobStartOptions<W>,
): Promise<WorkflowHandle<W> | null> {
  try {
    const handle = await services.temporal.workflow.start<W>(workflowType, {
      taskQueue: services.config.temporal.taskQueue,
      workflowId: opts.workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: opts.reusePolicy ?? 'REJECT_DUPLICATE',
      args: opts.args,
      memo: { summary: opts.summary.slice(0, MEMO_SUMMARY_MAX) },
      typedSearchAttributes: [
        { key: UserIdKey, value: String(userId) },
        { key: JobKindKey, value: opts.kind },
        { key: JobStatusKey, value: 'running' },
      ],
    } as unknown as WorkflowStartOptions<W>);
    logger.info({ workflowId: opts.workflowId }, `${opts.kind} workflow started`);
    return handle;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      logger.info({ workflowId: opts.workflowId }, 'duplicate start ignored (redelivered update)');
      return null;
    }
    throw err;
  }
}

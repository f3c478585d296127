import { isCancellation, log, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { AdminActivities } from '../activities/admin';
import type { AudioActivities } from '../activities/audio';
import type { AvatarActivities } from '../activities/avatars';
import type { BillingActivities } from '../activities/billing';
import type { FalTrainingActivities } from '../activities/fal-training';
import type { GenerationAiActivities } from '../activities/generation-ai';
import type { GenerationStoreActivities } from '../activities/generation-store';
import type { LedgerActivities } from '../activities/ledger';
import type { PaymentActivities } from '../activities/payments';
import type { PhotoActivities } from '../activities/photos';
import type { SummaryActivities } from '../activities/summary';
import type { TelegramActivities } from '../activities/telegram';
import type { TranscriptionActivities } from '../activities/transcription';
import type { UserActivities } from '../activities/users';
import { taskQueueName } from './task-queues';

/**
 * Activity proxies, one per timeout/retry profile and task queue. Call inside
 * a workflow: queues derive from the workflow's own (see task-queues.ts).
 */
export function dbActivities() {
  return proxyActivities<UserActivities & LedgerActivities & BillingActivities & AdminActivities & PaymentActivities & AvatarActivities & Omit<GenerationStoreActivities, 'deliverImages' | 'recordAndDeliverImages'> & Pick<TranscriptionActivities, 'createTranscript' | 'setTranscriptStatus' | 'assembleTranscript'> & Omit<SummaryActivities, 'summarizeTranscript'>>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
  });
}

/**
 * Short writes to our own PostgreSQL run as local activities: in the workflow
 * task that needs them, on the worker that runs the workflow, without a task
 * queue round trip each (an activity's schedule, start and completion are
 * three history events and a workflow task). Only for writes that take
 * milliseconds and are safe to repeat: a local activity may run again when
 * its workflow task is retried. Retries back off up to 30 s, without end (a
 * database that is down is waited for, as with the activities above); the
 * SDK keeps the workflow task alive meanwhile.
 */
export function localDbActivities() {
  return proxyLocalActivities<Pick<UserActivities & LedgerActivities, 'ensureUser' | 'grantWelcomeCredits'>>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '30 seconds' },
  });
}

/**
 * Telegram sends: ≈ 25/s per queue; 429 retried after `retry_after`; give up on one message after 10 minutes.
 * A message Telegram would not take is an outcome (`undelivered`), never a job failure: the activities
 * return `blocked`/`refused` (activities/telegram.ts), and a send that kept failing until its timeout
 * comes back here as `unavailable`. Only a Stars refund still throws (an operator acts on it).
 */
export function telegramActivities() {
  const acts = proxyActivities<TelegramActivities & Pick<GenerationStoreActivities, 'deliverImages' | 'recordAndDeliverImages'> & Pick<TranscriptionActivities, 'deliverTranscript'>>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'telegram'),
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '10 minutes',
  });
  const orUnavailable =
    <A, R>(fn: (input: A) => Promise<R>, unavailable: R) =>
    async (input: A): Promise<R> => {
      try {
        return await fn(input);
      } catch (err) {
        if (isCancellation(err)) throw err;
        log.warn('Telegram unavailable: the message is not delivered', { error: String(err) });
        return unavailable;
      }
    };
  return {
    sendMessage: orUnavailable(acts.sendMessage, { undelivered: 'unavailable' }),
    editMessage: orUnavailable(acts.editMessage, { undelivered: 'unavailable' }),
    deleteMessage: orUnavailable(acts.deleteMessage, undefined),
    deliverImages: orUnavailable(acts.deliverImages, { telegramFileIds: [], delivered: 0, undelivered: 'unavailable' }),
    recordAndDeliverImages: orUnavailable(acts.recordAndDeliverImages, { telegramFileIds: [], delivered: 0, undelivered: 'unavailable' }),
    deliverTranscript: orUnavailable(acts.deliverTranscript, { delivered: false, undelivered: 'unavailable' }),
    refundStarPayment: acts.refundStarPayment,
  };
}

/** ffmpeg / sharp work: one task per core on the media queue. */
export function mediaActivities() {
  return proxyActivities<Pick<PhotoActivities, 'preparePhoto' | 'buildTrainingArchive'>>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'media'),
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 8 },
  });
}

/** LLM calls (vision, moderation): rate-limited on the openai queue; 429 storms back off, then give up. */
export function openaiActivities() {
  return proxyActivities<Pick<PhotoActivities, 'assessPhoto'>>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'openai'),
    startToCloseTimeout: '90 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
  });
}

/**
 * FAL: bounded retries so an outage surfaces as a failure (and a refund), not a
 * hang. Queue API calls (submit a generation, status, result, cancel) answer
 * in seconds, so a worker that dies holding one is noticed after a minute
 * (the chaos drill found generations stalled 5 minutes behind a killed
 * worker); the training submit (which may upload the photo archive) and file
 * copies keep 5 minutes.
 */
export function falActivities(): FalActivities {
  const taskQueue = taskQueueName(workflowInfo().taskQueue, 'fal');
  const retry = { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 12 };
  const queue = proxyActivities<FalActivities>({ taskQueue, startToCloseTimeout: FAL_QUEUE_CALL_TIMEOUT, retry });
  const transfers = proxyActivities<Pick<FalActivities, 'submitTraining' | 'copyToStorage'>>({ taskQueue, startToCloseTimeout: '5 minutes', retry });
  return {
    submitTraining: transfers.submitTraining,
    copyToStorage: transfers.copyToStorage,
    trainingStatus: queue.trainingStatus,
    trainingResult: queue.trainingResult,
    cancelTraining: queue.cancelTraining,
    submitGeneration: queue.submitGeneration,
    generationResult: queue.generationResult,
  };
}
export type FalActivities = Omit<FalTrainingActivities, 'watchTraining'> & Pick<GenerationAiActivities, 'submitGeneration' | 'generationResult'>;

/**
 * A waiting training's status checks (activities/fal-training.ts
 * `watchTraining`, trainings of revision 2): one activity whose attempts are
 * the checks. Each attempt that finds the training still running fails with
 * a `nextRetryDelay` it chose (spaced out while the webhook is not due), so
 * the server, not a workflow timer, brings the next check: nothing is
 * written to the history and the workflow is not woken in between. Outages
 * retry the same way (from `pollSeconds`, doubling up to `maxPollSeconds`)
 * until the deadline ends the activity.
 */
export function falWatchActivity(opts: { pollSeconds: number; maxPollSeconds: number; untilDeadlineMs: number }) {
  return proxyActivities<Pick<FalTrainingActivities, 'watchTraining'>>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'fal'),
    startToCloseTimeout: FAL_QUEUE_CALL_TIMEOUT,
    scheduleToCloseTimeout: Math.max(1000, opts.untilDeadlineMs),
    // No maximumAttempts: unlimited, until scheduleToCloseTimeout (the deadline).
    retry: { initialInterval: opts.pollSeconds * 1000, backoffCoefficient: 2, maximumInterval: Math.max(opts.pollSeconds, opts.maxPollSeconds) * 1000 },
  }).watchTraining;
}
/** startToCloseTimeout of a FAL queue API call (submit a generation, status, result, cancel). */
export const FAL_QUEUE_CALL_TIMEOUT = '1 minute';

/**
 * Best-effort LLM steps (prompt enhancement, reference description, quality
 * verdict): a few quick attempts, then the workflow goes on without them —
 * a user waits seconds, not minutes, when the LLM is down.
 */
export function optionalOpenaiActivities() {
  return proxyActivities<Pick<GenerationAiActivities, 'enhancePrompt' | 'describeReference' | 'assessQuality'>>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'openai'),
    startToCloseTimeout: '60 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '4 seconds', maximumAttempts: 4 },
  });
}

/** Audio: the whole file decoded and planned, then cut; long files take minutes, so they heartbeat. */
export function audioActivities() {
  return proxyActivities<AudioActivities>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'media'),
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
  });
}

/**
 * One Whisper call per chunk: heartbeats every 5 s, so a dead worker's chunk
 * is retried within 30 s; five attempts, then the job fails and refunds.
 */
export function transcribeActivities() {
  return proxyActivities<Pick<TranscriptionActivities, 'transcribeChunk'>>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'openai'),
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
  });
}

/**
 * A transcript's summary: one LLM call per 100 000 characters and one to merge
 * them; 429 storms and 5xx back off for a few minutes, then the attempt fails
 * and is refunded.
 */
export function summaryAiActivities() {
  return proxyActivities<Pick<SummaryActivities, 'summarizeTranscript'>>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'openai'),
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 6 },
  });
}

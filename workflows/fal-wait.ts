import { ActivityFailure, CancellationScope, condition, isCancellation, setHandler, TimeoutFailure } from '@temporalio/workflow';
import type { WatchTrainingInput, WatchTrainingResult } from '../activities/fal-training';
import type { TrainingProgressShown } from '../vocabulary/training-progress';
import { pollNowSignal, type FalResult } from './fal-api';
import { falActivities, falWatchActivity } from './proxies';

export type FalWaitOutcome =
  | { kind: 'done'; via: 'webhook' | 'poll'; webhookOk: boolean }
  | { kind: 'cancelled' }
  | { kind: 'deadline' };

/**
 * Waits for one FAL request: a verified webhook for this request id wakes it;
 * while none comes (they get lost), FAL's status is polled every `pollSeconds`;
 * at the deadline, or when `cancelled()` turns true, FAL is told to cancel.
 * `pollNow` (an operator's `/admin retry`) checks FAL's status at once instead
 * of at the next tick. The caller fetches the result itself (one code path
 * for webhook and poll).
 */
export async function waitForFal(opts: {
  endpoint: string;
  requestId: string;
  results: FalResult[];
  pollSeconds: number;
  /**
   * When given, the wait before the next status check (seconds, from the
   * seconds waited so far); `pollSeconds` otherwise. A long job polls less
   * while its webhook is not yet due (issue 18, docs/decisions.md).
   */
  nextPollSeconds?: (waitedSeconds: number) => number;
  deadline: number;
  cancelled: () => boolean;
  onProgress?: (progress: number) => Promise<void>;
  /** Still in FAL's queue, at this position (from the status API). */
  onQueued?: (position: number) => Promise<void>;
}): Promise<FalWaitOutcome> {
  const fal = falActivities();
  const ours = () => opts.results.find((r) => r.requestId === opts.requestId);
  // Only histories that received `pollNow` take a different path: older ones replay unchanged.
  let pollNow = false;
  setHandler(pollNowSignal, () => void (pollNow = true));
  const since = Date.now();
  for (;;) {
    const remaining = opts.deadline - Date.now();
    const every = opts.nextPollSeconds ? opts.nextPollSeconds((Date.now() - since) / 1000) : opts.pollSeconds;
    const woke = remaining > 0 && (await condition(() => !!ours() || opts.cancelled() || pollNow, Math.min(every * 1000, remaining)));
    pollNow = false;
    if (opts.cancelled()) {
      await fal.cancelTraining({ endpoint: opts.endpoint, requestId: opts.requestId });
      return { kind: 'cancelled' };
    }
    const webhook = ours();
    if (webhook) return { kind: 'done', via: 'webhook', webhookOk: webhook.status === 'OK' };
    if (!woke && Date.now() >= opts.deadline) {
      await fal.cancelTraining({ endpoint: opts.endpoint, requestId: opts.requestId });
      return { kind: 'deadline' };
    }
    const st = await fal.trainingStatus({ endpoint: opts.endpoint, requestId: opts.requestId });
    if (st.status === 'COMPLETED') return { kind: 'done', via: 'poll', webhookOk: true };
    if (opts.onProgress && st.progress !== undefined) await opts.onProgress(st.progress);
    if (opts.onQueued && st.status === 'IN_QUEUE' && st.queuePosition !== undefined) await opts.onQueued(st.queuePosition);
  }
}

/**
 * Trainings of revision 2 (issue 18): the same outcomes as `waitForFal`, but
 * the status checks are the attempts of one `watchTraining` activity, spaced
 * by the server (activities/fal-training.ts, proxies.ts `falWatchActivity`),
 * and the activity keeps the status message current itself. The workflow
 * sleeps until FAL's webhook, a finished check, a cancel, an operator's
 * `pollNow`, the status message moving, or the deadline: a waiting training
 * writes nothing to its history between them and needs no room in the
 * worker's cache.
 */
export async function watchFal(opts: {
  endpoint: string;
  requestId: string;
  results: FalResult[];
  pollSeconds: number;
  maxPollSeconds: number;
  deadline: number;
  cancelled: () => boolean;
  /** What the activity needs to keep the status message current, as the workflow knows it now (none: nobody to show it to). */
  watch: () => Omit<WatchTrainingInput, 'endpoint' | 'requestId' | 'pollSeconds' | 'maxPollSeconds' | 'deadline'>;
  /** The status message was sent again at the bottom: edit this one from now on. */
  onMoved: (messageId: number, shown: TrainingProgressShown) => void;
  /** The user blocked the bot (the caller turns `cancelled()` true). */
  onBlocked: () => void;
}): Promise<FalWaitOutcome> {
  const fal = falActivities();
  const ours = () => opts.results.find((r) => r.requestId === opts.requestId);
  let pollNow = false;
  setHandler(pollNowSignal, () => void (pollNow = true));
  for (;;) {
    if (opts.cancelled()) {
      await fal.cancelTraining({ endpoint: opts.endpoint, requestId: opts.requestId });
      return { kind: 'cancelled' };
    }
    const webhook = ours();
    if (webhook) return { kind: 'done', via: 'webhook', webhookOk: webhook.status === 'OK' };
    const untilDeadlineMs = opts.deadline - Date.now();
    if (untilDeadlineMs <= 0) {
      await fal.cancelTraining({ endpoint: opts.endpoint, requestId: opts.requestId });
      return { kind: 'deadline' };
    }
    pollNow = false;
    const check = falWatchActivity({ pollSeconds: opts.pollSeconds, maxPollSeconds: opts.maxPollSeconds, untilDeadlineMs });
    const scope = new CancellationScope();
    let settled: { result: WatchTrainingResult } | { error: unknown } | undefined;
    void scope
      .run(() => check({ endpoint: opts.endpoint, requestId: opts.requestId, pollSeconds: opts.pollSeconds, maxPollSeconds: opts.maxPollSeconds, deadline: opts.deadline, ...opts.watch() }))
      .then(
        (result) => void (settled = { result }),
        (error: unknown) => void (settled = { error }),
      );
    await condition(() => settled !== undefined || !!ours() || opts.cancelled() || pollNow);
    if (settled === undefined) {
      // The webhook, a cancel or an operator came first: the check is cancelled (at once while it waits for its next attempt).
      scope.cancel();
      await condition(() => settled !== undefined);
      continue;
    }
    if ('result' in settled) {
      const { result } = settled;
      if (result.status === 'COMPLETED') {
        const late = ours(); // the webhook may have come with the check's answer
        return { kind: 'done', via: late ? 'webhook' : 'poll', webhookOk: late ? late.status === 'OK' : true };
      }
      if (result.status === 'MOVED') opts.onMoved(result.messageId, result.shown);
      if (result.status === 'BLOCKED') opts.onBlocked();
      continue;
    }
    const { error } = settled;
    if (isCancellation(error)) continue;
    // Checks until the deadline ran out (the last one still found it running, or FAL was down): the loop ends it.
    if (error instanceof ActivityFailure && (error.retryState === 'TIMEOUT' || error.cause instanceof TimeoutFailure)) {
      await condition(() => !!ours() || opts.cancelled(), Math.max(1, Math.min(opts.pollSeconds * 1000, opts.deadline - Date.now())));
      continue;
    }
    throw error;
  }
}

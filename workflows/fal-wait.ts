import { condition, setHandler } from '@temporalio/workflow';
import { pollNowSignal, type FalResult } from './fal-api';
import { falActivities } from './proxies';

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

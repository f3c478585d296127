import { CancellationScope, condition, log, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { LocalizedButton, LocalizedMessage, SendOutcome } from '../activities/telegram';
import { callbacks } from '../vocabulary/callback-data';
import {
  avatarStatusQuery,
  cancelAvatarSignal,
  photoAddedSignal,
  startTrainingSignal,
  type AvatarStage,
  type AvatarTrainingInput,
  type AvatarTrainingStatus,
} from './avatar-api';
import { processPhotoBatch, type AcceptedPhoto } from './avatar-photos';
import { billingFor } from './billing-client';
import { falResultSignal, type FalResult } from './fal-api';
import { nextTrainingPollSeconds } from './fal-poll';
import { waitForFal, watchFal, type FalWaitOutcome } from './fal-wait';
import { trainingProgressView, trainingSecondsLeft, type TrainingProgressContext, type TrainingProgressShown } from '../vocabulary/training-progress';
import { notifyInsufficientFunds } from './notifications';
import { dbActivities, falActivities, mediaActivities, telegramActivities } from './proxies';
import { followableJobs, noteInMemo } from './memo';
import { JobStatusKey } from '../vocabulary/search-attributes';

type Outcome = { kind: 'completed'; loraUrl: string; configUrl?: string } | { kind: 'failed'; reason: string } | { kind: 'cancelled' };

/**
 * Avatar training lifecycle (`avatar-<avatarId>`): collect and check photos →
 * charge (billing child) → zip → FAL trainer → webhook or polling → ready.
 * Always ends: completed, failed (refunded) or cancelled (refunded if charged).
 */
export async function avatarTrainingWorkflow(input: AvatarTrainingInput): Promise<AvatarTrainingStatus> {
  const status: AvatarTrainingStatus = { stage: 'COLLECTING_PHOTOS', accepted: 0, rejected: [], pending: 0 };
  const queue: { fileId: string; fileUniqueId: string; messageId?: number }[] = [];
  let startRequested = false;
  let cancelled = false;
  const falResults: FalResult[] = [];
  setHandler(avatarStatusQuery, () => ({ ...status, pending: queue.length }));
  setHandler(photoAddedSignal, (p) => void queue.push(p));
  setHandler(startTrainingSignal, () => void (startRequested = true));
  /** Why the job was cancelled: the user (button, /cancel), or the user blocked the bot (nothing more can reach them). */
  let cancelReason = 'cancelled';
  setHandler(cancelAvatarSignal, (how) => {
    cancelled = true;
    if (how?.reason === 'user_blocked') cancelReason = 'user_blocked';
  });
  setHandler(falResultSignal, (r) => void falResults.push(r));

  const db = dbActivities();
  const telegram = telegramActivities();
  const fal = falActivities();
  const media = mediaActivities();
  const chat = { chatId: input.chatId, language: input.language };
  const accepted: AcceptedPhoto[] = [];
  const seen = new Set<string>();

  const setStage = async (stage: AvatarStage, extra: { falRequestId?: string; failureReason?: string } = {}) => {
    status.stage = stage;
    upsertSearchAttributes([{ key: JobStatusKey, value: stage.toLowerCase() }]);
    if (stage === 'FAILED' || stage === 'CANCELLED') noteInMemo({ outcome: stage.toLowerCase(), failureReason: extra.failureReason, photos: status.accepted });
    await db.setAvatarStatus({ avatarId: input.avatarId, status: stage, ...extra });
  };
  const cancelButton: LocalizedButton = { label: { key: 'avatar-cancel-button' }, data: callbacks.avatarCancel.pack({ id: input.avatarId }) };
  const collectingView = (): { message: LocalizedMessage[]; buttons: LocalizedButton[][] } => {
    const byReason = new Map<string, number>();
    for (const r of status.rejected) byReason.set(r.reason ?? 'unknown', (byReason.get(r.reason ?? 'unknown') ?? 0) + 1);
    const ready = accepted.length >= input.minPhotos;
    // Newer jobs answer each rejected photo under it; older ones list the reasons here.
    const replies = followableJobs();
    return {
      message: [
        { key: 'avatar-photos-status', params: { name: input.name, accepted: accepted.length, min: input.minPhotos, max: input.maxPhotos, rejected: status.rejected.length, replies: replies ? 'yes' : 'no' } },
        ...(replies ? [] : [...byReason].map(([reason, n]) => ({ key: `photo-reject-${reason}`, params: { n } }))),
        { key: ready ? 'avatar-photos-ready' : 'avatar-photos-more', params: { more: input.minPhotos - accepted.length, price: input.price } },
      ],
      buttons: [
        ...(ready ? [[{ label: { key: 'avatar-start-button', params: { price: input.price } }, data: callbacks.avatarStart.pack({ id: input.avatarId }) }]] : []),
        [cancelButton],
      ],
    };
  };

  await db.createAvatar({ avatarId: input.avatarId, userId: input.userId, name: input.name, kind: input.kind, triggerPhrase: input.triggerPhrase });
  /** A 403 from the user's chat ends the job like a cancel: nothing more could reach them (docs/decisions.md). */
  const reached = (outcome: SendOutcome) => {
    if (outcome.undelivered === 'blocked' && !cancelled) {
      cancelled = true;
      cancelReason = 'user_blocked';
    }
    return outcome.messageId;
  };
  type View = { message: LocalizedMessage | LocalizedMessage[]; buttons?: LocalizedButton[][] };
  let shown: View = { ...collectingView(), message: [{ key: 'avatar-intro', params: { name: input.name, min: input.minPhotos, max: input.maxPhotos } }, ...collectingView().message] };
  let statusMessageId = reached(await telegram.sendMessage({ ...chat, ...shown }));
  /** Revision 2 once FAL trains: the status message belongs to the watchTraining activity (fal-wait.ts watchFal). */
  let watched = false;
  /** The live status: edited in place, re-sent at the bottom once it has scrolled out of sight. */
  const show = async (view: View) => {
    if (cancelReason === 'user_blocked') return; // nobody to show it to
    shown = view;
    statusMessageId = reached(await telegram.editMessage({ ...chat, messageId: statusMessageId, ...view, float: true })) ?? statusMessageId;
  };
  /**
   * The outcome is a new message (Telegram notifies on new messages, not on
   * edits), a reply to the status; the status keeps its text and loses its
   * buttons. Older histories edited the status into the outcome.
   */
  const finish = async (view: View) => {
    if (cancelReason === 'user_blocked') return;
    if (!followableJobs()) return show(view);
    // A watched training's status was last edited by its activity: only its buttons go.
    await telegram.editMessage({ ...chat, messageId: statusMessageId, message: shown.message, buttons: [], ...(watched ? { keepText: true } : {}) });
    reached(await telegram.sendMessage({ ...chat, ...view, replyTo: statusMessageId }));
  };

  // 1. Collect photos until the user starts (and can pay), cancels, or goes quiet for the draft TTL.
  let billing: ReturnType<typeof billingFor> | null = null;
  for (;;) {
    const woke = await condition(() => queue.length > 0 || startRequested || cancelled, input.draftTtlSeconds * 1000);
    if (!woke || cancelled) {
      await setStage('CANCELLED', { failureReason: woke ? cancelReason : 'abandoned' });
      await finish({ message: { key: woke ? 'avatar-cancelled' : 'avatar-draft-expired', params: { name: input.name, refunded: 0 } } });
      return status;
    }
    if (queue.length > 0) {
      const verdicts = await processPhotoBatch({ userId: input.userId, avatarId: input.avatarId, maxPhotos: input.maxPhotos, accepted, seen }, queue.splice(0));
      const rejected = verdicts.filter((v) => !v.accepted);
      status.rejected.push(...rejected);
      if (followableJobs() && cancelReason !== 'user_blocked') {
        // Each rejected photo is answered under it, with its reason.
        const answers = rejected.filter((v) => v.messageId !== undefined);
        for (const outcome of await Promise.all(answers.map((v) => telegram.sendMessage({ ...chat, replyTo: v.messageId, message: { key: 'photo-rejected', params: { reason: v.reason ?? 'unknown' } } })))) reached(outcome);
      }
      status.accepted = accepted.length;
      if (accepted.length >= input.minPhotos && status.stage === 'COLLECTING_PHOTOS') await setStage('READY');
      await show(collectingView());
      continue;
    }
    startRequested = false;
    if (accepted.length < input.minPhotos) continue; // the button only exists when ready; a forged start changes nothing
    billing = billingFor({
      userId: input.userId,
      telegramId: input.telegramId,
      jobKind: 'avatar_training',
      unitPrice: input.price,
      units: 1,
      deadlineSeconds: input.deadlineSeconds + 1800,
      reason: `avatar "${input.name}"`,
    });
    const charge = await billing.charge();
    if (charge.ok) break;
    await notifyInsufficientFunds(input.chatId, input.language, charge.required, charge.balance);
  }

  // 2. Train. Whatever happens from here, the job settles: 1 unit delivered or 0 (refund).
  await setStage('CHARGED');
  let outcome: Outcome;
  try {
    outcome = await train();
  } catch (err) {
    log.error('training failed unexpectedly', { error: String(err) });
    outcome = { kind: 'failed', reason: 'internal' };
  }
  await CancellationScope.nonCancellable(async () => {
    if (outcome.kind === 'completed') {
      const loraObjectKey = `${input.userId}/${input.avatarId}/lora.safetensors`;
      await fal.copyToStorage({ url: outcome.loraUrl, bucket: 'avatars', objectKey: loraObjectKey, contentType: 'application/octet-stream' });
      const { isMain } = await db.completeAvatar({ avatarId: input.avatarId, userId: input.userId, loraUrl: outcome.loraUrl, configUrl: outcome.configUrl, loraObjectKey });
      await billing!.settle(1);
      status.stage = 'COMPLETED';
      upsertSearchAttributes([{ key: JobStatusKey, value: 'completed' }]);
      noteInMemo({ outcome: 'completed', photos: status.accepted });
      await finish({
        message: { key: isMain ? 'avatar-ready-main' : 'avatar-ready', params: { name: input.name } },
        buttons: isMain ? [[{ label: { key: 'avatar-generate-button' }, data: callbacks.genAsk.pack({}) }]] : [],
      });
    } else {
      await billing!.settle(0);
      if (outcome.kind === 'cancelled') {
        await setStage('CANCELLED', { failureReason: cancelReason });
        await finish({ message: { key: 'avatar-cancelled', params: { name: input.name, refunded: input.price } } });
      } else {
        status.failureReason = outcome.reason;
        await setStage('FAILED', { failureReason: outcome.reason });
        await finish({ message: [{ key: 'avatar-failed', params: { name: input.name, refunded: input.price } }, { key: `avatar-fail-${outcome.reason}` }] });
      }
    }
  });
  return status;

  async function train(): Promise<Outcome> {
    const archive = await media.buildTrainingArchive({ userId: input.userId, avatarId: input.avatarId, objectKeys: accepted.map((a) => a.objectKey) });
    if (cancelled) return { kind: 'cancelled' };
    const { requestId, endpoint } = await fal.submitTraining({
      avatarId: input.avatarId,
      kind: input.kind,
      archiveObjectKey: archive.objectKey,
      triggerPhrase: input.triggerPhrase,
      webhookUrl: input.webhookUrl,
    });
    status.requestId = requestId;
    await setStage('TRAINING', { falRequestId: requestId });
    const startedAt = Date.now();
    const expected = input.expectedTrainingSeconds ?? 15 * 60;
    const progress: TrainingProgressContext = { name: input.name, startedAt, expectedSeconds: expected, cancelData: cancelButton.data! };
    const secondsLeft = (percent: number) => trainingSecondsLeft(progress, percent, Date.now());
    const progressView = (percent: number, queuePosition = 0) => trainingProgressView(progress, percent, queuePosition, Date.now());
    await show(progressView(0));

    let lastShown = Date.now();
    let shownPercent = 0;
    let shownQueue = -1;
    /** Edits are spaced by progressSeconds; an unchanged percentage still refreshes the times every 4 × that. */
    const due = (changed: boolean) => Date.now() - lastShown >= input.progressSeconds * 1000 * (changed ? 1 : 4);
    const deadline = Date.now() + input.deadlineSeconds * 1000;
    const waited: FalWaitOutcome =
      (input.revision ?? 1) >= 2 && input.maxPollSeconds
        ? await watch(input.maxPollSeconds, deadline)
        : await waitForFal({
            endpoint,
            requestId,
            results: falResults,
            pollSeconds: input.pollSeconds,
            // Newer trainings poll less while their webhook is not due; older histories replay with the fixed interval.
            nextPollSeconds: input.maxPollSeconds
              ? (waited) => nextTrainingPollSeconds({ waited, left: secondsLeft(Math.floor((status.progress ?? 0) * 100)), base: input.pollSeconds, max: input.maxPollSeconds! })
              : undefined,
            deadline,
            cancelled: () => cancelled,
            onProgress: async (progress) => {
              status.progress = progress;
              const percent = Math.floor(progress * 100);
              const refresh = followableJobs() ? due(percent > shownPercent) : percent > shownPercent && due(true);
              if (refresh) {
                await show(progressView(percent));
                shownPercent = percent;
                lastShown = Date.now();
              }
            },
            onQueued: followableJobs()
              ? async (position) => {
                  if (position !== shownQueue && due(true)) {
                    await show(progressView(0, position));
                    shownQueue = position;
                    lastShown = Date.now();
                  }
                }
              : undefined,
          });
    if (waited.kind === 'cancelled') return { kind: 'cancelled' };
    if (waited.kind === 'deadline') return { kind: 'failed', reason: 'deadline' };
    if (waited.kind === 'done') status.progress = 1;
    if (!waited.webhookOk) return { kind: 'failed', reason: 'fal_error' };
    const r = await fal.trainingResult({ endpoint, requestId });
    return r.ok ? { kind: 'completed', loraUrl: r.loraUrl, configUrl: r.configUrl } : { kind: 'failed', reason: 'fal_error' };

    /** Revision 2: the checks and the progress edits are one activity's attempts (no timer, no event between them). */
    function watch(maxPollSeconds: number, deadline: number): Promise<FalWaitOutcome> {
      watched = true;
      let shownNow: TrainingProgressShown = { percent: 0, queue: -1, at: lastShown };
      return watchFal({
        endpoint,
        requestId,
        results: falResults,
        pollSeconds: input.pollSeconds,
        maxPollSeconds,
        deadline,
        cancelled: () => cancelled,
        watch: () => ({
          training: progress,
          ...(cancelReason === 'user_blocked'
            ? {}
            : { progress: { chatId: input.chatId, language: input.language, messageId: statusMessageId, progressSeconds: input.progressSeconds, shown: shownNow } }),
        }),
        onMoved: (messageId, shownThen) => {
          statusMessageId = messageId;
          shownNow = shownThen;
        },
        onBlocked: () => {
          if (cancelled) return;
          cancelled = true;
          cancelReason = 'user_blocked';
        },
      });
    }
  }
}

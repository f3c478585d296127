import { activityInfo, ApplicationFailure, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import type { Config } from '../lib/config';
import { FalApiError, type FalClient } from '../lib/fal';
import { completedOutput, FAL_UNAVAILABLE, FalErrors, falFailure, recordSubmitted } from './fal-common';
import type { PrismaClient } from '../lib/prisma';
import type { Storage } from '../lib/storage';
import { nextTrainingPollSeconds } from '../workflows/fal-poll';
import { trainingProgressDue, trainingProgressView, trainingSecondsLeft, type TrainingProgressContext, type TrainingProgressShown } from '../vocabulary/training-progress';
import type { Language } from '../vocabulary/languages';
import type { EditMessageInput, SendOutcome } from './telegram';

/**
 * FAL LoRA training, run on the "fal" task queue: hand FAL the photo archive,
 * submit the trainer with our webhook, poll its status (webhooks get lost),
 * read the result, cancel, and copy FAL's files into MinIO before FAL deletes
 * them. Every activity is safe to retry except `submitTraining`, which FAL
 * cannot deduplicate (see its comment).
 */
export type AvatarKind = 'PORTRAIT' | 'STYLE';

export const TRAINER_ENDPOINTS: Record<AvatarKind, string> = {
  PORTRAIT: 'fal-ai/flux-lora-portrait-trainer',
  STYLE: 'fal-ai/flux-lora-fast-training',
};

export interface SubmitTrainingInput {
  avatarId: string;
  kind: AvatarKind;
  /** In bucket "avatars". */
  archiveObjectKey: string;
  triggerPhrase: string;
  webhookUrl: string;
  steps?: number;
}

export interface TrainingStatus {
  status: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';
  queuePosition?: number;
  /** 0..1, parsed from the latest log line like "step 500/2500". */
  progress?: number;
  lastLog?: string;
}

/**
 * A training of revision 2 waiting for FAL (workflows/fal-wait.ts
 * `watchFal`): one status check per attempt, and Temporal's retry policy
 * spaces the checks, so a waiting training wakes its workflow only when
 * something happened (no timer, no history events per check).
 */
export interface WatchTrainingInput {
  endpoint: string;
  requestId: string;
  /** The training's name, clock and cancel button: what its status message shows. */
  training: TrainingProgressContext;
  /** Checks start this often, space out up to `maxPollSeconds` while the webhook is not due (workflows/fal-poll.ts). */
  pollSeconds: number;
  maxPollSeconds: number;
  /** The training's deadline (ms since the epoch): no check is put off past it. */
  deadline: number;
  /** The live status message to keep current; absent when nobody can see it (the user blocked the bot). */
  progress?: {
    chatId: number;
    language: Language;
    messageId?: number;
    progressSeconds: number;
    /** What the message showed when the workflow scheduled this watch. */
    shown: TrainingProgressShown;
  };
}

export type WatchTrainingResult =
  /** FAL finished the request (well or not: the result says which). */
  | { status: 'COMPLETED' }
  /** The status message was sent again at the bottom (it had scrolled away): the workflow edits this one from now on. */
  | { status: 'MOVED'; messageId: number; shown: TrainingProgressShown }
  /** The user blocked the bot: the job ends like a cancel. */
  | { status: 'BLOCKED' };

/** Retryable: the training is still queued or running; the retry policy schedules the next check. */
export const FAL_TRAINING_RUNNING = 'FalTrainingRunning';

export type TrainingOutcome = { ok: true; loraUrl: string; configUrl?: string } | { ok: false; error: string };

/** The failure types of ./fal-common, under the name callers already use. */
export const FalTrainingErrors = FalErrors;
export { FAL_NOT_COMPLETED, FAL_UNAVAILABLE } from './fal-common';

/** How long FAL can fetch a presigned archive URL (queueing included). */
const ARCHIVE_URL_EXPIRY_SECONDS = 24 * 3600;
const DOWNLOAD_TIMEOUT_MS = 10 * 60 * 1000;

const PROGRESS_LINE = /\bsteps?\W{0,3}(\d+)\s*\/\s*(\d+)/i;

/** Progress (0..1) from the newest log line that carries "step N/M". */
export function progressFromLogs(messages: readonly string[]): number | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = PROGRESS_LINE.exec(messages[i]!);
    if (!m) continue;
    const done = Number(m[1]);
    const total = Number(m[2]);
    if (total > 0) return Math.min(1, Math.max(0, done / total));
  }
  return undefined;
}

const isHttpUrl = (url: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
};

export function createFalTrainingActivities({
  config,
  fal,
  storage,
  prisma,
  telegram,
}: {
  config: Config;
  fal: FalClient;
  storage: Storage;
  prisma: PrismaClient;
  /** Edits the status message of a watched training (activities/telegram.ts). */
  telegram?: { editMessage(input: EditMessageInput): Promise<SendOutcome> };
}) {
  /** A URL FAL can fetch the archive from. Never logged: a presigned URL is a credential. */
  async function archiveUrl(key: string): Promise<string> {
    if (!(await storage.exists('avatars', key))) {
      throw ApplicationFailure.create({ message: `training archive avatars/${key} does not exist`, type: FalErrors.archiveMissing, nonRetryable: true });
    }
    if (config.fal.archiveUpload === 'presigned') return storage.presignedGet('avatars', key, ARCHIVE_URL_EXPIRY_SECONDS);
    const bytes = await storage.get('avatars', key);
    try {
      return await fal.storage.upload(new File([bytes], key.split('/').pop() || 'photos.zip', { type: 'application/zip' }));
    } catch (err) {
      throw falFailure(err, 'uploading the training archive');
    }
  }

  async function trainingStatus({ endpoint, requestId }: { endpoint: string; requestId: string }): Promise<TrainingStatus> {
    let status;
    try {
      status = await fal.queue.status(endpoint, { requestId, logs: true });
    } catch (err) {
      throw falFailure(err, `status of ${requestId}`);
    }
    if (status.status === 'IN_QUEUE') return { status: 'IN_QUEUE', queuePosition: status.queue_position };
    const messages = (status.logs ?? []).map((l) => l.message).filter((m): m is string => typeof m === 'string');
    const progress = progressFromLogs(messages);
    const lastLog = messages.at(-1);
    return { status: status.status, ...(progress === undefined ? {} : { progress }), ...(lastLog === undefined ? {} : { lastLog }) };
  }

  return {
    /**
     * Submits the trainer for the avatar's archive with our webhook. Not
     * idempotent on FAL's side: a retry after a lost reply may start a second
     * training, whose webhook the workflow ignores (it waits for this id).
     */
    async submitTraining(input: SubmitTrainingInput): Promise<{ requestId: string; endpoint: string }> {
      const endpoint = TRAINER_ENDPOINTS[input.kind];
      if (!endpoint) {
        throw ApplicationFailure.create({ message: `unknown avatar kind ${String(input.kind)}`, type: FalErrors.validation, nonRetryable: true });
      }
      const imagesDataUrl = await archiveUrl(input.archiveObjectKey);
      const steps = input.steps === undefined ? {} : { steps: input.steps };
      const trainerInput =
        input.kind === 'PORTRAIT'
          ? { images_data_url: imagesDataUrl, trigger_phrase: input.triggerPhrase, ...steps }
          : { images_data_url: imagesDataUrl, trigger_word: input.triggerPhrase, is_style: true, create_masks: false, ...steps };
      let requestId: string;
      try {
        ({ request_id: requestId } = await fal.queue.submit(endpoint, { input: trainerInput, webhookUrl: input.webhookUrl }));
      } catch (err) {
        throw falFailure(err, `submitting ${endpoint}`);
      }
      await recordSubmitted(prisma, endpoint, requestId);
      log.info('FAL training submitted', { avatarId: input.avatarId, endpoint, requestId, archiveUpload: config.fal.archiveUpload });
      return { requestId, endpoint };
    },

    trainingStatus,

    /**
     * One status check of a waiting training (see WatchTrainingInput): done
     * → returns; still running → edits the status message when the news is
     * due (trainingProgressDue), then fails retryably, and the workflow's
     * retry policy brings the next check. What the message shows is carried
     * from attempt to attempt in the heartbeat details. A progress edit never
     * fails the check: it is shown again at the next one.
     */
    async watchTraining(input: WatchTrainingInput): Promise<WatchTrainingResult> {
      const st = await trainingStatus(input);
      if (st.status === 'COMPLETED') return { status: 'COMPLETED' };
      const now = Date.now();
      const percent = st.status === 'IN_PROGRESS' ? Math.floor((st.progress ?? 0) * 100) : 0;
      const queue = st.status === 'IN_QUEUE' ? st.queuePosition : undefined;
      const progress = input.progress;
      const carried = activityInfo().heartbeatDetails as TrainingProgressShown | undefined;
      let shown = carried && Number.isFinite(carried.at) ? carried : progress?.shown;
      if (progress && telegram && shown) {
        if (trainingProgressDue(shown, { percent, queue }, progress.progressSeconds, now)) {
          const view = trainingProgressView(input.training, percent, queue ?? 0, now);
          const { chatId, language, messageId } = progress;
          try {
            const edited = await telegram.editMessage({ chatId, language, messageId, ...view, float: true });
            if (edited.undelivered === 'blocked') return { status: 'BLOCKED' };
            shown = { percent: Math.max(percent, shown.percent), queue: queue ?? -1, at: now };
            if (edited.messageId !== undefined && edited.messageId !== messageId) return { status: 'MOVED', messageId: edited.messageId, shown };
          } catch (err) {
            log.info('training progress not shown; the next check shows it', { requestId: input.requestId, error: String(err) });
          }
        }
        heartbeat(shown);
      }
      const next = nextTrainingPollSeconds({
        waited: (now - input.training.startedAt) / 1000,
        left: trainingSecondsLeft(input.training, percent, now),
        base: input.pollSeconds,
        max: input.maxPollSeconds,
      });
      const nextRetryDelay = Math.max(1000, Math.min(next * 1000, input.deadline - now));
      // BENIGN: an expected outcome, logged at DEBUG and not counted as a failed activity (one per check).
      throw ApplicationFailure.create({ message: `FAL training ${input.requestId} is ${st.status}`, type: FAL_TRAINING_RUNNING, nextRetryDelay, category: ApplicationFailureCategory.BENIGN });
    },

    /**
     * The LoRA of a completed request, or the error FAL reports for a failed
     * one (a business outcome, not an exception). FAL marks a failed request
     * COMPLETED with `error`/`error_type` on its status, so that is read
     * first; a 5xx or an unreachable FAL throws and Temporal retries.
     */
    async trainingResult({ endpoint, requestId }: { endpoint: string; requestId: string }): Promise<TrainingOutcome> {
      const outcome = await completedOutput(fal, endpoint, requestId, 'training');
      if (!outcome.ok) return outcome;
      const data = outcome.data;
      const output = data as { diffusers_lora_file?: { url?: unknown }; config_file?: { url?: unknown } } | null;
      const loraUrl = output?.diffusers_lora_file?.url;
      if (typeof loraUrl !== 'string' || !isHttpUrl(loraUrl)) {
        log.error('FAL training result has no LoRA file', { endpoint, requestId });
        return { ok: false, error: 'FAL returned no LoRA file' };
      }
      const configUrl = output?.config_file?.url;
      return { ok: true, loraUrl, ...(typeof configUrl === 'string' && isHttpUrl(configUrl) ? { configUrl } : {}) };
    },

    /** Idempotent: a request that already completed, was cancelled or is no longer known is fine. */
    async cancelTraining({ endpoint, requestId }: { endpoint: string; requestId: string }): Promise<void> {
      try {
        await fal.queue.cancel(endpoint, { requestId });
        log.info('FAL training cancelled', { endpoint, requestId });
      } catch (err) {
        if (err instanceof FalApiError && err.status === 400) {
          log.info('FAL training already finished; nothing to cancel', { endpoint, requestId });
          return;
        }
        if (err instanceof FalApiError && err.status === 404) {
          // FAL forgets requests after a while: nothing is running any more.
          log.warn('FAL does not know the request to cancel', { endpoint, requestId });
          return;
        }
        throw falFailure(err, `cancelling ${requestId}`);
      }
    },

    /**
     * Downloads a FAL file into MinIO. Idempotent: an object already at
     * `objectKey` is kept (FAL may have deleted the file since the first copy).
     */
    async copyToStorage({ url, bucket, objectKey, contentType }: { url: string; bucket: 'avatars' | 'generations'; objectKey: string; contentType: string }): Promise<{ objectKey: string; sizeBytes: number }> {
      if (await storage.exists(bucket, objectKey)) {
        const existing = await storage.get(bucket, objectKey);
        log.info('FAL file already copied', { bucket, objectKey, sizeBytes: existing.length });
        return { objectKey, sizeBytes: existing.length };
      }
      if (!isHttpUrl(url)) {
        throw ApplicationFailure.create({ message: 'FAL file URL is not http(s)', type: FalErrors.validation, nonRetryable: true });
      }
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.any([cancellationSignal(), AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]) });
      } catch (err) {
        throw ApplicationFailure.create({ message: 'downloading a FAL file failed', type: FAL_UNAVAILABLE, cause: err as Error });
      }
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        throw ApplicationFailure.create({ message: `FAL file is gone (HTTP ${res.status})`, type: FalErrors.fileGone, nonRetryable: true });
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw ApplicationFailure.create({ message: `downloading a FAL file answered HTTP ${res.status}`, type: FAL_UNAVAILABLE });
      }
      const chunks: Buffer[] = [];
      let received = 0;
      for await (const chunk of res.body) {
        chunks.push(Buffer.from(chunk));
        received += chunk.byteLength;
        heartbeat({ received });
      }
      const expected = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(expected) && expected !== received) {
        throw ApplicationFailure.create({ message: `FAL file download truncated (${received} of ${expected} bytes)`, type: FAL_UNAVAILABLE });
      }
      const data = Buffer.concat(chunks, received);
      await storage.put(bucket, objectKey, data, contentType);
      log.info('FAL file copied', { bucket, objectKey, sizeBytes: data.length });
      return { objectKey, sizeBytes: data.length };
    },
  };
}

export type FalTrainingActivities = ReturnType<typeof createFalTrainingActivities>;

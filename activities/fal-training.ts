import { ApplicationFailure, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { Config } from '../lib/config';
import { FalApiError, type FalClient } from '../lib/fal';
import { completedOutput, FAL_UNAVAILABLE, FalErrors, falFailure, recordSubmitted } from './fal-common';
import type { PrismaClient } from '../lib/prisma';
import type { Storage } from '../lib/storage';

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

export function createFalTrainingActivities({ config, fal, storage, prisma }: { config: Config; fal: FalClient; storage: Storage; prisma: PrismaClient }) {
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

    async trainingStatus({ endpoint, requestId }: { endpoint: string; requestId: string }): Promise<TrainingStatus> {
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

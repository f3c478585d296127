import { ApplicationFailure, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { Config } from '../lib/config';
import { FalApiError, FalValidationError, type FalClient } from '../lib/fal';
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

/** Stable `type`s of the non-retryable failures these activities throw. */
export const FalTrainingErrors = {
  /** FAL refused the input (422). */
  validation: 'FalValidation',
  /** The key is missing or refused (401/403): retrying cannot help. */
  auth: 'FalAuth',
  /** FAL does not know the request (wrong endpoint or id). */
  notFound: 'FalNotFound',
  /** Any other 4xx answer. */
  rejected: 'FalRejected',
  /** The training archive is not in MinIO. */
  archiveMissing: 'FalArchiveMissing',
  /** A result file is gone from FAL's CDN and we never copied it. */
  fileGone: 'FalFileGone',
} as const;

/** Retryable: FAL or the network failed (5xx, 408, 429, transport); Temporal retries. */
export const FAL_UNAVAILABLE = 'FalUnavailable';
/** Retryable: the result was asked for before the request completed. */
export const FAL_NOT_COMPLETED = 'FalNotCompleted';

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

/** Maps a FAL client error to a Temporal failure: retryable for outages, non-retryable (with a stable type) for refusals. */
function falFailure(err: unknown, what: string): ApplicationFailure {
  const cause = err instanceof Error ? err : new Error(String(err));
  if (!(err instanceof FalApiError)) {
    return ApplicationFailure.create({ message: `${what}: FAL unreachable`, type: FAL_UNAVAILABLE, cause });
  }
  const status = err.status;
  if (status >= 500 || status === 408 || status === 429) {
    return ApplicationFailure.create({ message: `${what}: FAL answered ${status}`, type: FAL_UNAVAILABLE, cause });
  }
  const type =
    err instanceof FalValidationError || status === 422
      ? FalTrainingErrors.validation
      : status === 401 || status === 403
        ? FalTrainingErrors.auth
        : status === 404
          ? FalTrainingErrors.notFound
          : FalTrainingErrors.rejected;
  return ApplicationFailure.create({ message: `${what}: FAL refused (${status}) ${describeApiError(err)}`, type, nonRetryable: true, cause });
}

/** A short human text from FAL's error body (`detail` string or a list of `{msg}`). */
function describeApiError(err: InstanceType<typeof FalApiError>): string {
  if (err instanceof FalValidationError) {
    const msgs = err.fieldErrors.map((e) => e.msg).filter(Boolean);
    if (msgs.length) return msgs.join('; ');
  }
  const detail = (err.body as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === 'string' && detail) return detail;
  return err.message || `HTTP ${err.status}`;
}

const isHttpUrl = (url: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
};

export function createFalTrainingActivities({ config, fal, storage }: { config: Config; fal: FalClient; storage: Storage }) {
  /** A URL FAL can fetch the archive from. Never logged: a presigned URL is a credential. */
  async function archiveUrl(key: string): Promise<string> {
    if (!(await storage.exists('avatars', key))) {
      throw ApplicationFailure.create({ message: `training archive avatars/${key} does not exist`, type: FalTrainingErrors.archiveMissing, nonRetryable: true });
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
        throw ApplicationFailure.create({ message: `unknown avatar kind ${String(input.kind)}`, type: FalTrainingErrors.validation, nonRetryable: true });
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
      let status;
      try {
        status = await fal.queue.status(endpoint, { requestId, logs: false });
      } catch (err) {
        throw falFailure(err, `status of ${requestId}`);
      }
      if (status.status !== 'COMPLETED') {
        throw ApplicationFailure.create({ message: `request ${requestId} is still ${status.status}`, type: FAL_NOT_COMPLETED });
      }
      const failed = status as { error?: unknown; error_type?: unknown };
      if (typeof failed.error === 'string' && failed.error) {
        const error = typeof failed.error_type === 'string' ? `${failed.error} (${failed.error_type})` : failed.error;
        log.warn('FAL training failed', { endpoint, requestId, error });
        return { ok: false, error };
      }

      let data: unknown;
      try {
        ({ data } = await fal.queue.result(endpoint, { requestId }));
      } catch (err) {
        // A completed request whose result is refused (422 bad input, 499 cancelled): FAL's verdict on it.
        if (err instanceof FalApiError && err.status >= 400 && err.status < 500 && ![401, 403, 404, 408, 429].includes(err.status)) {
          const error = describeApiError(err);
          log.warn('FAL training failed', { endpoint, requestId, status: err.status, error });
          return { ok: false, error };
        }
        throw falFailure(err, `result of ${requestId}`);
      }
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
        throw ApplicationFailure.create({ message: 'FAL file URL is not http(s)', type: FalTrainingErrors.validation, nonRetryable: true });
      }
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.any([cancellationSignal(), AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]) });
      } catch (err) {
        throw ApplicationFailure.create({ message: 'downloading a FAL file failed', type: FAL_UNAVAILABLE, cause: err as Error });
      }
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        throw ApplicationFailure.create({ message: `FAL file is gone (HTTP ${res.status})`, type: FalTrainingErrors.fileGone, nonRetryable: true });
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

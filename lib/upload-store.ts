import { S3Store } from '@tus/s3-store';
import type { Config } from './config';
import { UPLOAD_LINK_TTL_SECONDS } from './upload-auth';

/** An upload not finished within the life of the link that started it is abandoned (tus `Upload-Expires`). */
export const UPLOAD_EXPIRES_MS = UPLOAD_LINK_TTL_SECONDS * 1000;
/** MinIO's multipart parts (S3 wants ≥ 5 MiB but the last). */
const PART_BYTES = 8 * 1024 * 1024;

/**
 * Where resumable uploads of recordings go (`@tus/s3-store`, bucket `audio`):
 * the bot's tus endpoint (bot/uploads.ts) writes through it, and the daily
 * cleanup removes through it what was started and never finished
 * (`deleteExpired`: the multipart upload aborted, its `.info` and `.part` objects removed).
 */
export function createUploadStore(config: Config, { expirationMs = UPLOAD_EXPIRES_MS, bucket = 'audio' }: { expirationMs?: number; bucket?: string } = {}): S3Store {
  return new S3Store({
    partSize: PART_BYTES,
    expirationPeriodInMilliseconds: expirationMs,
    // Expiry is read from the multipart upload's start; tags would only serve bucket lifecycle rules.
    useTags: false,
    s3ClientConfig: {
      bucket,
      region: 'us-east-1',
      endpoint: `${config.minio.useSSL ? 'https' : 'http'}://${config.minio.endPoint}:${config.minio.port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: config.minio.accessKey, secretAccessKey: config.minio.secretKey },
    },
  });
}

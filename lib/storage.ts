import type { Readable } from 'node:stream';
import type { BucketItem } from 'minio';
import type { Config } from './config';
import type { Bucket, MinioClient } from './minio';

/**
 * Object storage for activities (MinIO, S3-compatible). Keys are
 * `<userId>/<jobId>/…` so a user's or a job's objects can be listed and
 * removed together.
 */
export function createStorage(client: MinioClient, cfg: Config['minio']) {
  const publicBase = cfg.publicUrl?.replace(/\/$/, '');
  return {
    async put(bucket: Bucket, key: string, data: Buffer, contentType: string): Promise<{ key: string; size: number }> {
      await client.putObject(bucket, key, data, data.length, { 'Content-Type': contentType });
      return { key, size: data.length };
    },

    async get(bucket: Bucket, key: string): Promise<Buffer> {
      const stream: Readable = await client.getObject(bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },

    /** Uploads a file from disk (streamed: audio can be large). */
    async putFile(bucket: Bucket, key: string, path: string, contentType: string): Promise<void> {
      await client.fPutObject(bucket, key, path, { 'Content-Type': contentType });
    },

    /** Downloads an object to a file on disk (streamed). */
    async getFile(bucket: Bucket, key: string, path: string): Promise<void> {
      await client.fGetObject(bucket, key, path);
    },

    async exists(bucket: Bucket, key: string): Promise<boolean> {
      try {
        await client.statObject(bucket, key);
        return true;
      } catch {
        return false;
      }
    },

    /** A time-limited GET URL; with MINIO_PUBLIC_URL set, on that public address (for FAL, for Telegram). */
    async presignedGet(bucket: Bucket, key: string, expirySeconds = 7 * 24 * 3600): Promise<string> {
      const url = await client.presignedGetObject(bucket, key, expirySeconds);
      if (!publicBase) return url;
      const u = new URL(url);
      return `${publicBase}${u.pathname}${u.search}`;
    },

    /** Removes one object (a missing one is not an error, as in S3). */
    async remove(bucket: Bucket, key: string): Promise<void> {
      await client.removeObject(bucket, key);
    },

    /** Every object under a prefix (recursive, streamed), with its size and last modification time. */
    async *list(bucket: Bucket, prefix = ''): AsyncGenerator<{ key: string; size: number; lastModified: Date }> {
      for await (const item of client.listObjectsV2(bucket, prefix, true) as AsyncIterable<BucketItem>) {
        if (item.name) yield { key: item.name, size: item.size, lastModified: item.lastModified };
      }
    },

    /** Removes these objects (absent ones are fine), 1000 per request; throws when the store refuses any. */
    async removeKeys(bucket: Bucket, keys: string[]): Promise<number> {
      if (keys.length === 0) return 0;
      const errors = (await client.removeObjects(bucket, keys)).filter((e) => e != null);
      if (errors.length > 0) throw new Error(`could not remove ${errors.length} object(s) from ${bucket}: ${JSON.stringify(errors[0]).slice(0, 300)}`);
      return keys.length;
    },

    /** Removes every object under a prefix; returns how many. */
    async removePrefix(bucket: Bucket, prefix: string): Promise<number> {
      const keys: string[] = [];
      for await (const item of client.listObjectsV2(bucket, prefix, true)) if ((item as { name?: string }).name) keys.push((item as { name: string }).name);
      if (keys.length) await client.removeObjects(bucket, keys);
      return keys.length;
    },
  };
}

export type Storage = ReturnType<typeof createStorage>;

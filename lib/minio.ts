import { Client } from 'minio';
import type { Config } from './config';

export type MinioClient = Client;

/** The buckets of DESIGN.md. */
export const BUCKETS = ['avatars', 'generations', 'audio', 'transcripts'] as const;
export type Bucket = (typeof BUCKETS)[number];

export function createMinio(cfg: Config['minio']): Client {
  return new Client({ endPoint: cfg.endPoint, port: cfg.port, useSSL: cfg.useSSL, accessKey: cfg.accessKey, secretKey: cfg.secretKey });
}

export async function ensureBuckets(client: Client): Promise<string[]> {
  const created: string[] = [];
  for (const bucket of BUCKETS) {
    if (!(await client.bucketExists(bucket))) {
      await client.makeBucket(bucket);
      created.push(bucket);
    }
  }
  return created;
}

import type { Client } from '@temporalio/client';
import { BUCKETS, type MinioClient } from '../lib/minio';
import type { PrismaClient } from '../lib/prisma';
import type { Redis } from '../lib/redis';

export const DEPENDENCIES = ['postgres', 'redis', 'minio', 'temporal'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

export interface DependencyStatus {
  ok: boolean;
  ms: number;
  /** Why it failed: the first line of the error, at most 200 characters. */
  error?: string;
}

/** The answer of `GET /readyz`: 200 when `ok`, otherwise 503 naming the failing dependencies. */
export interface Readiness {
  ok: boolean;
  failing: Dependency[];
  checks: Record<Dependency, DependencyStatus>;
}

export type ReadinessCheck = () => Promise<Readiness>;

export interface ReadinessDeps {
  prisma: PrismaClient;
  redis: Redis;
  minio: MinioClient;
  temporal: Client;
  /** Each dependency must answer within this (default 2 s). */
  timeoutMs?: number;
}

class TimeoutError extends Error {}

function within<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new TimeoutError(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([work(abort.signal), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Readiness of the bot's dependencies, checked in parallel, each with a short
 * timeout: PostgreSQL `SELECT 1`, Redis `PING`, every MinIO bucket exists, the
 * Temporal namespace can be described. Liveness (`/healthz`) checks none of them.
 */
export function createReadinessCheck({ prisma, redis, minio, temporal, timeoutMs = 2000 }: ReadinessDeps): ReadinessCheck {
  const probes: Record<Dependency, (signal: AbortSignal) => Promise<void>> = {
    postgres: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    redis: async () => {
      const pong = await redis.ping();
      if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
    },
    minio: async () => {
      const missing = [];
      for (const bucket of BUCKETS) if (!(await minio.bucketExists(bucket))) missing.push(bucket);
      if (missing.length) throw new Error(`missing bucket(s): ${missing.join(', ')}`);
    },
    temporal: async (signal) => {
      await temporal.connection.withAbortSignal(signal, () => temporal.workflowService.describeNamespace({ namespace: temporal.options.namespace }));
    },
  };

  return async () => {
    const results = await Promise.all(
      DEPENDENCIES.map(async (name): Promise<[Dependency, DependencyStatus]> => {
        const started = performance.now();
        try {
          await within(timeoutMs, probes[name]);
          return [name, { ok: true, ms: Math.round(performance.now() - started) }];
        } catch (err) {
          const error = err instanceof TimeoutError ? err.message : ((err as Error).message ?? String(err)).split('\n')[0]!.slice(0, 200);
          return [name, { ok: false, ms: Math.round(performance.now() - started), error }];
        }
      }),
    );
    const checks = Object.fromEntries(results) as Record<Dependency, DependencyStatus>;
    const failing = DEPENDENCIES.filter((name) => !checks[name].ok);
    return { ok: failing.length === 0, failing, checks };
  };
}

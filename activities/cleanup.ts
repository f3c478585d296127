import { heartbeat, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { S3Store } from '@tus/s3-store';
import type { Config } from '../lib/config';
import type { PrismaClient } from '../lib/prisma';
import type { Storage } from '../lib/storage';
import { createUploadStore } from '../lib/upload-store';
import type { AvatarStatus } from '../generated/prisma/enums';
import { workflowIds } from '../vocabulary/ids';
import { heartbeating } from './audio';

/**
 * The daily cleanup (workflows/cleanup.ts, run by the `cleanup-daily-<queue>`
 * Schedule). Each step is safe to repeat and only removes what nobody needs:
 *   removeFinishedAudio        the audio source and chunks (bucket `audio`, `<userId>/<transcriptId>/…`)
 *                              of transcripts that ended more than a day ago; text, .txt and .srt stay
 *   endAbandonedDrafts         avatar drafts (COLLECTING_PHOTOS, READY) quiet for longer than
 *                              AVATAR_DRAFT_TTL_HOURS whose workflow no longer runs: photos removed,
 *                              marked CANCELLED "abandoned" (what the workflow itself does when it can)
 *   removeOldTrainingArchives  `<userId>/<avatarId>/training.zip` (bucket `avatars`) older than a week
 *                              (FAL fetches it once, at the start of a training)
 *   removeAbandonedUploads     recordings whose upload (bot/uploads.ts, tus) started longer ago than
 *                              its link lives and never finished (lib/upload-store.ts)
 * Objects whose transcript is not in this database are left alone (the local
 * databases `aisha` and `aisha_test` share one MinIO).
 */
export const CLEANUP_AGES = { audioAfterHours: 24, trainingArchiveAfterDays: 7 } as const;

/** Limits a run to some users (operators: `temporal workflow start --type cleanupWorkflow --input '{"userIds":[42]}'`). */
export interface CleanupScope {
  userIds?: number[];
}
export interface AudioCleanupResult {
  transcripts: number;
  objects: number;
}
export interface DraftCleanupResult {
  drafts: number;
  objects: number;
  /** Quiet drafts left alone because their workflow still runs (it ends them itself). */
  stillRunning: number;
}
export interface ArchiveCleanupResult {
  archives: number;
}
export interface UploadCleanupResult {
  /** Objects removed: each abandoned upload's `.info` and, when it has one, its unfinished `.part`. */
  objects: number;
}

export interface CleanupDeps {
  config: Config;
  prisma: PrismaClient;
  storage: Storage;
  temporal: Client;
  /** The clock (tests move it). */
  now?: () => Date;
  /** Where uploads are kept (tests give one of their own). */
  uploads?: Pick<S3Store, 'deleteExpired'>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ENDED_TRANSCRIPT = ['COMPLETED', 'FAILED', 'CANCELLED'] as const;
const DRAFT: AvatarStatus[] = ['COLLECTING_PHOTOS', 'READY'];
const TRAINING_ARCHIVE = /^\d+\/[0-9a-f-]{36}\/training\.zip$/i;
const BATCH = 200;
const HOUR_MS = 3600_000;

export function createCleanupActivities({ config, prisma, storage, temporal, now = () => new Date(), uploads }: CleanupDeps) {
  const prefixes = (scope: CleanupScope) => (scope.userIds ? scope.userIds.map((id) => `${Math.trunc(id)}/`) : ['']);
  const before = (hours: number) => new Date(now().getTime() - hours * HOUR_MS);

  return {
    async removeFinishedAudio(scope: CleanupScope): Promise<AudioCleanupResult> {
      const cutoff = before(CLEANUP_AGES.audioAfterHours);
      const result: AudioCleanupResult = { transcripts: 0, objects: 0 };
      // Listing order keeps one transcript's objects together: flush whole groups in batches.
      let groups = new Map<string, { userId: number; keys: string[] }>();
      const flush = async () => {
        if (groups.size === 0) return;
        const ended = await prisma.transcript.findMany({
          where: {
            id: { in: [...groups.keys()] },
            status: { in: [...ENDED_TRANSCRIPT] },
            OR: [{ completedAt: { lt: cutoff } }, { completedAt: null, createdAt: { lt: cutoff } }],
          },
          select: { id: true, userId: true },
        });
        const keys = ended.filter((t) => groups.get(t.id)?.userId === t.userId).flatMap((t) => groups.get(t.id)!.keys);
        result.objects += await storage.removeKeys('audio', keys);
        result.transcripts += ended.filter((t) => groups.get(t.id)?.userId === t.userId).length;
        groups = new Map();
        heartbeat(result);
      };
      for (const prefix of prefixes(scope)) {
        for await (const { key } of storage.list('audio', prefix)) {
          // audioKeys (activities/audio.ts): `<userId>/<transcriptId>/source`, `…/chunks/NNN.ogg|json`
          const [user, transcriptId] = key.split('/');
          if (!user || !/^\d+$/.test(user) || !transcriptId || !UUID.test(transcriptId)) continue;
          if (!groups.has(transcriptId) && groups.size >= BATCH) await flush();
          const group = groups.get(transcriptId) ?? { userId: Number(user), keys: [] };
          group.keys.push(key);
          groups.set(transcriptId, group);
        }
      }
      await flush();
      log.info('audio of ended transcripts removed', { ...result, cutoff: cutoff.toISOString() });
      return result;
    },

    async endAbandonedDrafts(scope: CleanupScope): Promise<DraftCleanupResult> {
      const cutoff = before(config.avatars.draftTtlHours);
      const result: DraftCleanupResult = { drafts: 0, objects: 0, stillRunning: 0 };
      let cursor: string | undefined;
      for (;;) {
        const quiet = await prisma.avatar.findMany({
          where: {
            status: { in: DRAFT },
            deletedAt: null,
            updatedAt: { lt: cutoff },
            photos: { none: { createdAt: { gte: cutoff } } },
            ...(scope.userIds ? { userId: { in: scope.userIds } } : {}),
          },
          select: { id: true, userId: true },
          orderBy: { id: 'asc' },
          take: BATCH,
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        });
        for (const avatar of quiet) {
          if (await isRunning(workflowIds.avatar(avatar.id))) {
            result.stillRunning++;
            continue;
          }
          // Photos first: a retry after a crash still finds the draft and removes the rest.
          result.objects += await storage.removePrefix('avatars', `${avatar.userId}/${avatar.id}/photos/`);
          const marked = await prisma.avatar.updateMany({
            where: { id: avatar.id, status: { in: DRAFT } },
            data: { status: 'CANCELLED', failureReason: 'abandoned' },
          });
          result.drafts += marked.count;
          heartbeat(result);
        }
        if (quiet.length < BATCH) break;
        cursor = quiet[quiet.length - 1]!.id;
      }
      log.info('abandoned avatar drafts ended', { ...result, cutoff: cutoff.toISOString() });
      return result;
    },

    async removeOldTrainingArchives(scope: CleanupScope): Promise<ArchiveCleanupResult> {
      const cutoff = before(CLEANUP_AGES.trainingArchiveAfterDays * 24);
      const result: ArchiveCleanupResult = { archives: 0 };
      let keys: string[] = [];
      const flush = async () => {
        result.archives += await storage.removeKeys('avatars', keys);
        keys = [];
        heartbeat(result);
      };
      for (const prefix of prefixes(scope)) {
        for await (const object of storage.list('avatars', prefix)) {
          if (!TRAINING_ARCHIVE.test(object.key) || object.lastModified >= cutoff) continue;
          keys.push(object.key);
          if (keys.length >= 1000) await flush();
        }
      }
      await flush();
      log.info('old training archives removed', { ...result, cutoff: cutoff.toISOString() });
      return result;
    },

    /**
     * The store's own expiry (`deleteExpired`): it lists every unfinished upload of the bucket, so it runs
     * for all users at once, and for every database sharing this MinIO (each such upload is abandoned alike).
     */
    async removeAbandonedUploads(): Promise<UploadCleanupResult> {
      // Made on first use: the AWS SDK under it warns about Node 20 when a client is made.
      uploads ??= createUploadStore(config);
      const store = uploads;
      const result = { objects: await heartbeating(() => store.deleteExpired()) };
      log.info('abandoned uploads removed', result);
      return result;
    },
  };

  /** Whether that workflow has an open run (a workflow the server no longer knows is not running). */
  async function isRunning(workflowId: string): Promise<boolean> {
    try {
      return (await temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
}

export type CleanupActivities = ReturnType<typeof createCleanupActivities>;

import { ApplicationFailure, log, patched, proxyActivities } from '@temporalio/workflow';
import type { CleanupActivities, CleanupScope } from '../activities/cleanup';

/** What one cleanup run removed. */
export interface CleanupResult {
  /** Ended transcripts whose temporary audio (source + chunks) was removed, and how many objects. */
  audioTranscripts: number;
  audioObjects: number;
  /** Abandoned avatar drafts marked CANCELLED, and their photo objects removed. */
  abandonedDrafts: number;
  draftObjects: number;
  /** Quiet drafts left alone because their workflow still runs. */
  draftsStillRunning: number;
  /** Training archives older than a week removed. */
  trainingArchives: number;
  /** Objects of abandoned uploads removed (runs for all users only; absent in older runs). */
  abandonedUploads?: number;
  /** Steps that failed after their retries (the others still ran). */
  failedSteps: string[];
}

export type CleanupInput = CleanupScope;

/** Listing and removing can take a while on a large bucket: the activities heartbeat. */
const cleanup = proxyActivities<CleanupActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * Daily cleanup (started by the `cleanup-daily-<task queue>` Schedule, see
 * workers/cleanup-schedule.ts): temporary audio of ended transcripts,
 * abandoned avatar drafts, old training archives, abandoned uploads. Each
 * step runs even when another failed; the run fails at the end if any did,
 * so operators see it.
 */
export async function cleanupWorkflow(input: CleanupInput = {}): Promise<CleanupResult> {
  const scope: CleanupScope = input.userIds ? { userIds: input.userIds } : {};
  const result: CleanupResult = {
    audioTranscripts: 0,
    audioObjects: 0,
    abandonedDrafts: 0,
    draftObjects: 0,
    draftsStillRunning: 0,
    trainingArchives: 0,
    failedSteps: [],
  };
  const step = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      log.error('cleanup step failed', { step: name, error: String(err) });
      result.failedSteps.push(name);
    }
  };

  await step('audio', async () => {
    const r = await cleanup.removeFinishedAudio(scope);
    result.audioTranscripts = r.transcripts;
    result.audioObjects = r.objects;
  });
  await step('drafts', async () => {
    const r = await cleanup.endAbandonedDrafts(scope);
    result.abandonedDrafts = r.drafts;
    result.draftObjects = r.objects;
    result.draftsStillRunning = r.stillRunning;
  });
  await step('archives', async () => {
    result.trainingArchives = (await cleanup.removeOldTrainingArchives(scope)).archives;
  });
  // Unfinished uploads are listed for the whole bucket: a run for some users leaves them alone.
  if (!scope.userIds && patched('cleanup-abandoned-uploads-v1')) {
    await step('uploads', async () => {
      result.abandonedUploads = (await cleanup.removeAbandonedUploads()).objects;
    });
  }

  log.info('cleanup finished', { ...result });
  if (result.failedSteps.length > 0) {
    throw ApplicationFailure.create({ message: `cleanup steps failed: ${result.failedSteps.join(', ')}`, type: 'CleanupFailed', nonRetryable: true, details: [result] });
  }
  return result;
}

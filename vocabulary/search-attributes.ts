import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes every job workflow sets (Keyword, so Web UI queries like `UserId = "123"` work). */
export const UserIdKey = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const JobKindKey = defineSearchAttributeKey('JobKind', SearchAttributeType.KEYWORD);
export const JobStatusKey = defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD);

export const JOB_KINDS = ['onboarding', 'avatar_training', 'generation', 'transcription', 'summary', 'billing', 'topup', 'admin'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * `JobStatus` holds the job's current stage in lower case: "running" when the
 * bot starts it, then the workflow's own stages (e.g. "collecting_photos",
 * "training", "generating", "charged"), and finally "completed", "partial",
 * "failed", "cancelled", "refunded" or "insufficient".
 */

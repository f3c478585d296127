import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes every job workflow sets (Keyword, so Web UI queries like `UserId = "123"` work). */
export const UserIdKey = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const JobKindKey = defineSearchAttributeKey('JobKind', SearchAttributeType.KEYWORD);
export const JobStatusKey = defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD);

export const JOB_KINDS = ['onboarding', 'avatar_training', 'generation', 'transcription', 'billing', 'topup', 'admin'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatusValue = (typeof JOB_STATUSES)[number] | (string & {});

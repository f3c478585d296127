import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Language } from '../vocabulary/languages';

export interface TranscriptionInput {
  transcriptId: string;
  userId: number;
  telegramId: number;
  chatId: number;
  language: Language;
  fileId: string;
  fileUniqueId: string;
  /** A link the user sent instead of a file: the recording is fetched from there (fileId then names the link). */
  url?: string;
  fileName?: string;
  mimeType?: string;
  sizeBytes?: number;
  /** Credits per started minute. */
  unitPrice: number;
  /** Longer recordings are refused, uncharged. */
  maxSeconds: number;
  /** Longer recordings wait for the user's confirmation of duration and price. */
  confirmAboveSeconds: number;
  /** How long a quote waits for the confirm button before the job ends, uncharged. */
  confirmTimeoutSeconds: number;
  /** Chunks transcribed at the same time (this job). */
  parallelChunks: number;
  /** The user's audio message: the transcript and the outcome reply to it. */
  replyTo?: number;
  /** Seconds of work per second of audio, as observed (lib/db/estimates.ts): the estimate before the first chunk is done. */
  expectedRatio?: number;
  /** The price of "📋 Кратко", offered under a finished transcript (PRICE_TRANSCRIPT_SUMMARY); older starts had no such button. */
  summaryPrice?: number;
  /** Label speakers (OPENAI_DIARIZE_MODEL is set and the user has them on): the first chunk goes first, its voices become the others' references. */
  diarize?: boolean;
  /**
   * 2: the path of issue 18 (workflows/transcription.ts): each chunk is cut
   * just before it is transcribed, and no patch markers. Absent in older
   * histories, which replay as recorded. Starters set TRANSCRIPTION_REVISION.
   * 3: the plan fills whole rounds of the lanes (the activity is told them),
   * and the next round's chunks are cut while the current ones are heard.
   */
  revision?: number;
}

/** What new transcriptions are started with (the bot, its upload page, `/admin retry`). */
export const TRANSCRIPTION_REVISION = 3;

export type TranscriptionStage =
  | 'checking'
  | 'awaiting_confirmation'
  | 'charging'
  | 'transcribing'
  | 'delivering'
  | 'completed'
  | 'partial'
  | 'rejected'
  | 'failed'
  | 'cancelled';

export interface TranscriptionStatus {
  stage: TranscriptionStage;
  /** Chunks that failed for good (their span is a marked gap, its minutes refunded). */
  failedChunks?: number[];
  durationSeconds?: number;
  minutes?: number;
  price?: number;
  chunksTotal: number;
  /** Where the recording was cut (seconds), from the chunk plan. */
  cuts: number[];
  /** Chunk indexes whose transcript is stored, in the order they finished. */
  chunksDone: number[];
  failureReason?: string;
}

export const confirmTranscriptionSignal = defineSignal('confirm');
/** `reason: 'user_blocked'` when the bot learnt the user blocked it (bot/features/cancel.ts). */
export const cancelTranscriptionSignal = defineSignal<[{ reason?: string }?]>('cancel');
export const transcriptionStatusQuery = defineQuery<TranscriptionStatus>('status');

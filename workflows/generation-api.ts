import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Language } from '../vocabulary/languages';

export type GenerationMode = 'AVATAR' | 'IMAGEN4';
export type AspectRatio = '1:1' | '3:4' | '4:3' | '9:16' | '16:9';
export const ASPECT_RATIOS: readonly AspectRatio[] = ['1:1', '3:4', '4:3', '9:16', '16:9'];

export interface GenerationInput {
  generationId: string;
  userId: number;
  telegramId: number;
  chatId: number;
  language: Language;
  mode: GenerationMode;
  /** AVATAR mode: the user's avatar (checked by the bot), its LoRA and trigger phrase. */
  avatarId?: string;
  loraUrl?: string;
  triggerPhrase?: string;
  prompt: string;
  /** "Like this photo": a Telegram photo described into the prompt by vision. */
  referenceFileId?: string;
  aspectRatio: AspectRatio;
  numImages: number;
  unitPrice: number;
  pollSeconds: number;
  deadlineSeconds: number;
  /** Below this quality score (1–10) one free automatic retry with a corrected prompt. */
  qualityThreshold: number;
  webhookUrl: string;
  /** The user's request (prompt message or pressed message): the result and the outcome reply to it. */
  replyTo?: number;
  /** What a generation takes, as observed (lib/db/estimates.ts), for the progress message. */
  expectedSeconds?: number;
  /**
   * 2: the path of issue 18 with no patch markers (workflows/generation.ts);
   * absent in older histories, which replay as recorded. Starters set
   * GENERATION_REVISION.
   */
  revision?: number;
}

/** What new generations are started with (the bot, `/admin retry` keeps the original input). */
export const GENERATION_REVISION = 2;

export type GenerationStage = 'charging' | 'preparing' | 'generating' | 'checking' | 'delivering' | 'completed' | 'partial' | 'failed' | 'cancelled';

export interface GenerationStatus {
  stage: GenerationStage;
  delivered: number;
  enhancedPrompt?: string;
  attempts: number;
  failureReason?: string;
}

/** `reason: 'user_blocked'` when the bot learnt the user blocked it (bot/features/cancel.ts). */
export const cancelGenerationSignal = defineSignal<[{ reason?: string }?]>('cancel');
export const generationStatusQuery = defineQuery<GenerationStatus>('status');

import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Language } from '../vocabulary/languages';

export type AvatarKind = 'PORTRAIT' | 'STYLE';
export type AvatarStage = 'COLLECTING_PHOTOS' | 'READY' | 'CHARGED' | 'TRAINING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** Everything the workflow needs, fixed at start (settings come from configuration through the bot). */
export interface AvatarTrainingInput {
  avatarId: string;
  userId: number;
  telegramId: number;
  chatId: number;
  language: Language;
  name: string;
  kind: AvatarKind;
  triggerPhrase: string;
  price: number;
  minPhotos: number;
  maxPhotos: number;
  /** Training must finish by then, or it is cancelled at FAL and refunded. */
  deadlineSeconds: number;
  /** A draft with no activity for this long ends by itself, uncharged. */
  draftTtlSeconds: number;
  /** Status polling while no webhook arrives. */
  pollSeconds: number;
  /** When set, the polling spaces out up to this while the webhook is not due (workflows/fal-poll.ts); absent in older histories. */
  maxPollSeconds?: number;
  /** The progress message is edited at most this often. */
  progressSeconds: number;
  webhookUrl: string;
  /** What a training takes, as observed (lib/db/estimates.ts): the estimate before FAL reports progress. */
  expectedTrainingSeconds?: number;
  /**
   * 2: while FAL trains, the status checks are the attempts of one activity
   * that also keeps the status message current (workflows/fal-wait.ts
   * `watchFal`): nothing is written to the history between the checks.
   * Needs `maxPollSeconds`. Absent in older histories, which replay as
   * recorded. Starters set AVATAR_TRAINING_REVISION.
   */
  revision?: number;
}

/** What new trainings are started with (the bot, the benches). */
export const AVATAR_TRAINING_REVISION = 2;

export interface PhotoVerdict {
  fileUniqueId: string;
  accepted: boolean;
  reason?: string;
  /** The user's photo message, when the bot passed it. */
  messageId?: number;
}

export interface AvatarTrainingStatus {
  stage: AvatarStage;
  accepted: number;
  rejected: PhotoVerdict[];
  pending: number;
  progress?: number;
  requestId?: string;
  failureReason?: string;
}

/** A photo for the draft; `messageId` (the user's photo message) gets the reply with a rejection's reason. */
export const photoAddedSignal = defineSignal<[{ fileId: string; fileUniqueId: string; messageId?: number }]>('photoAdded');
export const startTrainingSignal = defineSignal('startTraining');
/** Who asked: the user (button, /cancel, /jobs), an avatar deletion, an operator, or the user blocking the bot. */
export type CancelReason = 'user' | 'deleted' | 'admin' | 'user_blocked';

export const cancelAvatarSignal = defineSignal<[{ reason?: CancelReason }?]>('cancel');
export const avatarStatusQuery = defineQuery<AvatarTrainingStatus>('status');

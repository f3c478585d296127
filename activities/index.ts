import type { Client } from '@temporalio/client';
import type { OpenAI } from 'openai';
import type { Api } from 'grammy';
import type { FalClient } from '../lib/fal';
import type { Storage } from '../lib/storage';
import type { Config } from '../lib/config';
import type { I18n } from '../lib/i18n';
import type { PrismaClient } from '../lib/prisma';
import type { Redis } from '../lib/redis';
import type { WorkerMetrics } from '../lib/worker-metrics';
import type { QueueKind } from '../workflows/task-queues';
import { createAdminActivities } from './admin';
import { createAudioActivities } from './audio';
import { createAvatarActivities } from './avatars';
import { createBillingActivities } from './billing';
import { createCleanupActivities } from './cleanup';
import { createFalTrainingActivities } from './fal-training';
import { createGenerationAiActivities } from './generation-ai';
import { createGenerationStoreActivities } from './generation-store';
import { createLedgerActivities } from './ledger';
import { createPaymentActivities } from './payments';
import { createPhotoActivities } from './photos';
import { createSummaryActivities } from './summary';
import { createTelegramActivities } from './telegram';
import { createTranscriptionActivities } from './transcription';
import { createUserActivities } from './users';

export interface ActivityDeps {
  config: Config;
  prisma: PrismaClient;
  telegramApi: Api;
  i18n: I18n;
  storage: Storage;
  openai: OpenAI;
  fal: FalClient;
  /** For activities that look at other workflows (the cleanup asks whether a draft's workflow still runs). */
  temporal: Client;
  /** The worker's Prometheus series (credits are counted when the ledger commits). */
  metrics: WorkerMetrics;
  /** Where each chat's bottom is (lib/chat-position.ts): status messages that scrolled away are re-sent. */
  redis?: Redis;
}

/** Activities grouped by the task queue whose Worker runs them. */
export type Activities = Record<QueueKind, Record<string, (...args: never[]) => Promise<unknown>>>;

export function createActivities(deps: ActivityDeps) {
  const ledger = createLedgerActivities({ prisma: deps.prisma, tariffs: deps.config.tariffs, metrics: deps.metrics });
  const { preparePhoto, assessPhoto, buildTrainingArchive } = createPhotoActivities(deps);
  const { deliverImages, recordAndDeliverImages, ...generationStore } = createGenerationStoreActivities(deps);
  const { enhancePrompt, describeReference, assessQuality, submitGeneration, generationResult } = createGenerationAiActivities(deps);
  const { analyzeAudio, cutChunks } = createAudioActivities(deps);
  const { transcribeChunk, deliverTranscript, ...transcripts } = createTranscriptionActivities(deps);
  const { summarizeTranscript, ...summaries } = createSummaryActivities(deps);
  const telegram = createTelegramActivities({ api: deps.telegramApi, i18n: deps.i18n, redis: deps.redis });
  return {
    main: {
      ...createUserActivities({ prisma: deps.prisma }),
      ...ledger,
      ...createBillingActivities({ prisma: deps.prisma, ledger, temporal: deps.temporal }),
      ...createAdminActivities({ prisma: deps.prisma, ledger }),
      ...createPaymentActivities({ prisma: deps.prisma }),
      ...createAvatarActivities({ prisma: deps.prisma, storage: deps.storage }),
      ...generationStore,
      ...transcripts,
      ...summaries,
      ...createCleanupActivities(deps),
    },
    telegram: { ...telegram, deliverImages, recordAndDeliverImages, deliverTranscript },
    // A watched training edits its own status message (fal-training.ts watchTraining).
    fal: { ...createFalTrainingActivities({ config: deps.config, fal: deps.fal, storage: deps.storage, prisma: deps.prisma, telegram }), submitGeneration, generationResult },
    openai: { assessPhoto, enhancePrompt, describeReference, assessQuality, transcribeChunk, summarizeTranscript },
    media: { preparePhoto, buildTrainingArchive, analyzeAudio, cutChunks },
  } satisfies Activities;
}

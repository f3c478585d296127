import { activityInfo, ApplicationFailure, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { InputFile, type Api } from 'grammy';
import { APIError, RateLimitError, toFile, type OpenAI } from 'openai';
import type { PlannedChunk } from '../lib/audio-plan';
import type { Config } from '../lib/config';
import { formatDuration } from '../vocabulary/duration';
import type { I18n, Language, TranslateParams } from '../lib/i18n';
import type { Prisma, PrismaClient } from '../lib/prisma';
import type { Storage } from '../lib/storage';
import { mergeChunks, splitForMessage, toSrt, toTxt, toVtt, voiceClips, type ChunkTranscript, type SpeakerName, type TimedWord, type TranscriptSegment } from '../lib/transcript';
import { audioClip, audioKeys, heartbeating } from './audio';
import { undelivered, type Undelivered } from './telegram';
import { replyTo } from '../lib/telegram-reply';

/**
 * Transcription's rows, Whisper calls and delivery (DESIGN.md, process 3):
 *   createTranscript, setTranscriptStatus, assembleTranscript  ("main" queue)
 *   transcribeChunk                                             ("openai" queue, heartbeats)
 *   deliverTranscript                                           ("telegram" queue)
 * A chunk's transcript is stored in MinIO as soon as Whisper returns it, so a
 * retried activity (a worker died after the call) never pays Whisper twice.
 */

export type TranscriptStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'PARTIAL' | 'FAILED' | 'CANCELLED';

export interface CreateTranscriptInput {
  transcriptId: string;
  userId: number;
  fileId: string;
  fileUniqueId: string;
  fileName?: string;
  mimeType?: string;
  sizeBytes?: number;
}

export interface SetTranscriptStatusInput {
  transcriptId: string;
  status: TranscriptStatus;
  failureReason?: string;
  durationSec?: number;
  audioObjectKey?: string;
  chunkCount?: number;
  language?: string;
}

export interface TranscribeChunkInput {
  userId: number;
  transcriptId: string;
  chunk: PlannedChunk;
  /** ISO-639-1 hint (the user's language). */
  language?: string;
  /**
   * Speaker labels with the diarizing model (OPENAI_DIARIZE_MODEL). The first
   * chunk goes alone; the others pass its speakers' clips as known references
   * (`referenceChunk`), so "Спикер 1" is the same person in every chunk.
   */
  diarize?: { referenceChunk?: number };
}

export interface AssembleTranscriptInput {
  userId: number;
  transcriptId: string;
  chunks: PlannedChunk[];
  /** Chunks that failed for good: the transcript marks their owned span as a gap, in `language`. */
  failedChunks?: number[];
  language?: Language;
}

export interface DeliverTranscriptInput {
  chatId: number;
  language: Language;
  transcriptId: string;
  /** The user's audio message: the transcript replies to it (or is sent plainly if it is gone). */
  replyTo?: number;
}

export const TranscriptionErrors = {
  rejected: 'TranscriptionRejected',
  notFound: 'TranscriptNotFound',
  chunkMissing: 'TranscriptChunkMissing',
} as const;

/** A message longer than this becomes its first part plus .txt and .srt files (Telegram allows 4096). */
export const MESSAGE_TEXT_LIMIT = 3500;
/** Only words this close to a chunk's own boundaries are kept (Whisper segments last up to 30 s; the merge rebuilds only segments across a cut from words). */
const BOUNDARY_WORDS_SECONDS = 40;
const TERMINAL: readonly TranscriptStatus[] = ['COMPLETED', 'PARTIAL', 'FAILED', 'CANCELLED'];
export const transcriptKeys = {
  txt: (userId: number, transcriptId: string) => `${userId}/${transcriptId}/transcript.txt`,
  srt: (userId: number, transcriptId: string) => `${userId}/${transcriptId}/transcript.srt`,
};

/** OpenAI errors → Temporal: 429 waits for `retry-after`, other 4xx are final (the chunk itself is refused), the rest is retried. */
function toTranscriptionFailure(err: unknown): unknown {
  if (err instanceof RateLimitError) {
    const after = Number(err.headers?.get('retry-after') ?? 2);
    return ApplicationFailure.create({ message: err.message, type: 'OpenAIRateLimited', nextRetryDelay: `${Math.max(1, after)}s`, cause: err });
  }
  if (err instanceof APIError && typeof err.status === 'number' && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 409) {
    return ApplicationFailure.create({ message: err.message, type: TranscriptionErrors.rejected, nonRetryable: true, cause: err });
  }
  return err;
}

export function createTranscriptionActivities({
  config,
  prisma,
  storage,
  openai,
  telegramApi,
  i18n,
}: {
  config: Config;
  prisma: PrismaClient;
  storage: Storage;
  openai: OpenAI;
  telegramApi: Api;
  i18n: I18n;
}) {
  const t = (language: Language, key: string, params?: TranslateParams) => i18n.t(language, key, params);
  const speakerName = (language: Language): SpeakerName => (n) => t(language, 'tr-speaker', { n });
  const readChunk = async (userId: number, transcriptId: string, index: number): Promise<ChunkTranscript | null> => {
    const key = audioKeys.chunkResult(userId, transcriptId, index);
    if (!(await storage.exists('audio', key))) return null;
    return JSON.parse((await storage.get('audio', key)).toString('utf8')) as ChunkTranscript;
  };

  return {
    async createTranscript(input: CreateTranscriptInput): Promise<void> {
      await prisma.transcript.upsert({
        where: { id: input.transcriptId },
        create: {
          id: input.transcriptId,
          userId: input.userId,
          fileId: input.fileId,
          fileUniqueId: input.fileUniqueId,
          fileName: input.fileName,
          mimeType: input.mimeType,
          sizeBytes: input.sizeBytes,
        },
        update: {},
      });
    },

    /** Moves a transcript on; a finished one stays as it is (retries and late calls are harmless). */
    async setTranscriptStatus({ transcriptId, status, ...fields }: SetTranscriptStatusInput): Promise<void> {
      const data: Prisma.TranscriptUpdateManyMutationInput = { status, ...fields };
      if (TERMINAL.includes(status)) data.completedAt = new Date();
      await prisma.transcript.updateMany({ where: { id: transcriptId, status: { notIn: [...TERMINAL] } }, data });
    },

    /** One chunk through Whisper (heartbeating while it waits); the result goes to MinIO, its size comes back. */
    async transcribeChunk({ userId, transcriptId, chunk, language, diarize }: TranscribeChunkInput): Promise<{ index: number; chars: number; stored: 'now' | 'before' }> {
      const done = await readChunk(userId, transcriptId, chunk.index);
      if (done) return { index: chunk.index, chars: done.text.length, stored: 'before' };

      const objectKey = audioKeys.chunk(userId, transcriptId, chunk.index);
      let audio: Buffer;
      try {
        audio = await storage.get('audio', objectKey);
      } catch (err) {
        throw ApplicationFailure.create({ message: `chunk ${objectKey} is missing`, type: TranscriptionErrors.chunkMissing, nonRetryable: true, cause: err as Error });
      }
      const model = config.openai.transcribeModel;
      const file = await toFile(audio, `chunk-${String(chunk.index).padStart(3, '0')}.ogg`, { type: 'audio/ogg' });
      let result: ChunkTranscript;
      try {
        const common = { file, model, ...(language ? { language } : {}) };
        if (diarize && config.openai.diarizeModel) {
          result = await diarized(config.openai.diarizeModel, { file, ...(language ? { language } : {}) }, diarize.referenceChunk);
        } else if (model === 'whisper-1') {
          const verbose = await heartbeating(() =>
            openai.audio.transcriptions.create(
              { ...common, response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] },
              { signal: cancellationSignal() },
            ),
          );
          result = boundaryWords(chunk, {
            text: verbose.text,
            segments: verbose.segments?.map((s) => ({ start: s.start, end: s.end, text: s.text })),
            words: verbose.words?.map((w) => ({ word: w.word, start: w.start, end: w.end })),
          });
        } else {
          // The gpt-4o transcribe models answer with plain JSON: no timestamps, one segment per chunk.
          const plain = await heartbeating(() => openai.audio.transcriptions.create({ ...common, response_format: 'json' }, { signal: cancellationSignal() }));
          result = { index: chunk.index, offset: chunk.start, ownStart: chunk.ownStart, ownEnd: chunk.ownEnd, text: plain.text };
        }
      } catch (err) {
        throw toTranscriptionFailure(err);
      }
      await storage.put('audio', audioKeys.chunkResult(userId, transcriptId, chunk.index), Buffer.from(JSON.stringify(result)), 'application/json');
      log.info('chunk transcribed', { transcriptId, chunk: chunk.index, seconds: chunk.end - chunk.start, chars: result.text.length, attempt: activityInfo().attempt });
      return { index: chunk.index, chars: result.text.length, stored: 'now' };

      /**
       * One chunk with speaker labels. Speakers are numbered in the order they
       * are first heard; with a reference chunk, its speakers' clips go along
       * as known speakers (names `speaker_<n>`), so the model gives their
       * voices the same numbers here. A voice the reference chunk did not have
       * gets the next free number within this chunk only (docs/decisions.md).
       */
      async function diarized(diarizeModel: string, common: { file: Awaited<ReturnType<typeof toFile>>; language?: string }, referenceChunk: number | undefined): Promise<ChunkTranscript> {
        const references = referenceChunk === undefined ? [] : await speakerReferences(referenceChunk);
        const answer = (await heartbeating(() =>
          openai.audio.transcriptions.create(
            {
              ...common,
              model: diarizeModel,
              response_format: 'diarized_json',
              chunking_strategy: 'auto',
              ...(references.length ? { known_speaker_names: references.map((r) => `speaker_${r.speaker}`), known_speaker_references: references.map((r) => r.dataUrl) } : {}),
            },
            { signal: cancellationSignal() },
          ),
        )) as unknown as { text: string; segments?: { start: number; end: number; text: string; speaker: string }[] };
        const numbers = new Map<string, number>(references.map((r) => [`speaker_${r.speaker}`, r.speaker]));
        let next = Math.max(0, ...numbers.values()) + 1;
        const numberOf = (label: string) => numbers.get(label) ?? numbers.set(label, next++).get(label)!;
        const segments = (answer.segments ?? []).map((s) => ({ start: s.start, end: s.end, text: s.text, speaker: numberOf(s.speaker) }));
        return { index: chunk.index, offset: chunk.start, ownStart: chunk.ownStart, ownEnd: chunk.ownEnd, text: answer.text, segments, ...(referenceChunk === undefined ? { voices: voiceClips(segments) } : {}) };
      }

      /** The reference chunk's clips, one per speaker it had, cut from its audio. */
      async function speakerReferences(index: number): Promise<{ speaker: number; dataUrl: string }[]> {
        const reference = await readChunk(userId, transcriptId, index);
        if (!reference?.voices?.length) return []; // it failed for good, or nobody spoke: no references
        const source = await storage.get('audio', audioKeys.chunk(userId, transcriptId, index));
        return Promise.all(
          reference.voices.map(async (v) => ({ speaker: v.speaker, dataUrl: `data:audio/wav;base64,${(await audioClip(source, v.start, v.end - v.start)).toString('base64')}` })),
        );
      }

      function boundaryWords(c: PlannedChunk, r: { text: string; segments?: TranscriptSegment[]; words?: TimedWord[] }): ChunkTranscript {
        const near = (w: TimedWord) => {
          const at = c.start + (w.start + w.end) / 2;
          return Math.abs(at - c.ownStart) < BOUNDARY_WORDS_SECONDS || Math.abs(at - c.ownEnd) < BOUNDARY_WORDS_SECONDS;
        };
        return { index: c.index, offset: c.start, ownStart: c.ownStart, ownEnd: c.ownEnd, text: r.text, segments: r.segments, words: r.words?.filter(near) };
      }
    },

    /** Chunk transcripts (MinIO) → one text with timestamped segments (DB) and .txt/.srt files (MinIO); failed chunks become marked gaps. */
    async assembleTranscript({ userId, transcriptId, chunks, failedChunks = [], language = 'ru' }: AssembleTranscriptInput): Promise<{ chars: number; segments: number }> {
      const parts: ChunkTranscript[] = [];
      for (const chunk of chunks) {
        if (failedChunks.includes(chunk.index)) {
          // A gap the reader can see, over exactly the part this chunk owned.
          const text = t(language, 'tr-gap', { from: formatDuration(chunk.ownStart), to: formatDuration(chunk.ownEnd) });
          parts.push({ index: chunk.index, offset: chunk.start, ownStart: chunk.ownStart, ownEnd: chunk.ownEnd, text });
          continue;
        }
        const part = await readChunk(userId, transcriptId, chunk.index);
        if (!part) throw ApplicationFailure.create({ message: `chunk ${chunk.index} has no transcript`, type: TranscriptionErrors.chunkMissing, nonRetryable: true });
        parts.push(part);
      }
      const merged = mergeChunks(parts);
      const { segments } = merged;
      // With speaker labels the text itself is in turns ("Спикер 1: …"): the message, the .txt and a summary all name them.
      const names = segments.some((s) => s.speaker !== undefined) ? speakerName(language) : undefined;
      const text = names ? toTxt(merged.text, segments, names).trim() : merged.text;
      const txtObjectKey = transcriptKeys.txt(userId, transcriptId);
      const srtObjectKey = transcriptKeys.srt(userId, transcriptId);
      await storage.put('transcripts', txtObjectKey, Buffer.from(toTxt(merged.text, segments, names)), 'text/plain; charset=utf-8');
      await storage.put('transcripts', srtObjectKey, Buffer.from(toSrt(segments, names)), 'application/x-subrip; charset=utf-8');
      await prisma.transcript.update({
        where: { id: transcriptId },
        data: { text, segments: segments as unknown as Prisma.InputJsonValue, txtObjectKey, srtObjectKey, chunkCount: chunks.length },
      });
      return { chars: text.length, segments: segments.length };
    },

    /**
     * Short text: one message. Long text: its first part, then the .txt,
     * .srt and .vtt files. Nothing recognised: not delivered (the job refunds). A retry
     * resumes after the parts already sent (heartbeat details).
     */
    async deliverTranscript({ chatId, language, transcriptId, replyTo: request }: DeliverTranscriptInput): Promise<{ delivered: boolean; undelivered?: Undelivered }> {
      const row = await prisma.transcript.findUnique({ where: { id: transcriptId } });
      if (!row) throw ApplicationFailure.create({ message: `transcript ${transcriptId} does not exist`, type: TranscriptionErrors.notFound, nonRetryable: true });
      const text = row.text?.trim() ?? '';
      if (!text) return { delivered: false };
      const header = t(language, 'tr-result-header', { duration: formatDuration(row.durationSec ?? 0) });
      const sent = Number((activityInfo().heartbeatDetails as { sent?: number } | undefined)?.sent ?? 0);
      const baseName = (row.fileName ?? 'transcript').replace(/\.[^.]+$/, '').replace(/[^\p{L}\p{N}_ -]+/gu, '_').slice(0, 60) || 'transcript';
      const steps: (() => Promise<unknown>)[] =
        text.length <= MESSAGE_TEXT_LIMIT
          ? [() => telegramApi.sendMessage(chatId, `${header}\n\n${text}`, replyTo(request))]
          : [
              () => telegramApi.sendMessage(chatId, `${header}\n\n${splitForMessage(text, MESSAGE_TEXT_LIMIT).head}\n\n${t(language, 'tr-result-files')}`, replyTo(request)),
              async () => telegramApi.sendDocument(chatId, new InputFile(await storage.get('transcripts', row.txtObjectKey!), `${baseName}.txt`)),
              async () => telegramApi.sendDocument(chatId, new InputFile(await storage.get('transcripts', row.srtObjectKey!), `${baseName}.srt`)),
              // WebVTT for browsers and players, from the stored segments (added last: a retry of an older delivery resumes by index).
              () => telegramApi.sendDocument(chatId, new InputFile(Buffer.from(toVtt((row.segments ?? []) as unknown as TranscriptSegment[], speakerName(language))), `${baseName}.vtt`)),
            ];
      try {
        for (let i = sent; i < steps.length; i++) {
          await steps[i]!();
          heartbeat({ sent: i + 1 });
        }
      } catch (err) {
        // A user who blocked the bot (or a refused message) did not get the transcript: an outcome, refunded.
        return { delivered: false, ...undelivered(err, `the transcript ${transcriptId}`) };
      }
      return { delivered: true };
    },
  };
}

export type TranscriptionActivities = ReturnType<typeof createTranscriptionActivities>;

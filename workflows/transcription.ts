import { CancellationScope, condition, isCancellation, log, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { LocalizedButton, LocalizedMessage, SendOutcome } from '../activities/telegram';
import { callbacks } from '../vocabulary/callback-data';
import { formatDuration } from '../vocabulary/duration';
import { billingFor } from './billing-client';
import { notifyInsufficientFunds } from './notifications';
import { audioActivities, dbActivities, telegramActivities, transcribeActivities } from './proxies';
import { followableJobs, noteInMemo } from './memo';
import { JobStatusKey } from '../vocabulary/search-attributes';
import {
  cancelTranscriptionSignal,
  confirmTranscriptionSignal,
  transcriptionStatusQuery,
  type TranscriptionInput,
  type TranscriptionStage,
  type TranscriptionStatus,
} from './transcription-api';

/** Time for everything but the Whisper calls themselves (download, cutting, delivery), on top of the recording's length. */
const DEADLINE_BASE_SECONDS = 30 * 60;

/**
 * Chunked transcription (`tr-<transcriptId>`): download, decode and plan
 * (bad files end here, uncharged) → a quote with a confirm button for long
 * recordings → charge per started minute → cut at quiet points → chunks
 * through Whisper in parallel (bounded), each retried on its own → merge in
 * order → text and files delivered → settle. Progress "chunk 3/12" in one
 * edited message. Cancel, a chunk failing for good, nothing recognised or the
 * deadline → full refund with the reason.
 */
export async function transcriptionWorkflow(input: TranscriptionInput): Promise<TranscriptionStatus> {
  const status: TranscriptionStatus = { stage: 'checking', chunksTotal: 0, cuts: [], chunksDone: [] };
  let confirmed = false;
  let cancelled = false;
  let cancelWork: (() => void) | null = null;
  setHandler(transcriptionStatusQuery, () => status);
  setHandler(confirmTranscriptionSignal, () => void (confirmed = true));
  /** The user blocked the bot: the job ends now like a cancel, refunded (docs/decisions.md). */
  let blocked = false;
  const userBlocked = () => {
    if (blocked) return;
    blocked = cancelled = true;
    status.failureReason = 'user_blocked';
    cancelWork?.();
  };
  setHandler(cancelTranscriptionSignal, (how) => {
    if (how?.reason === 'user_blocked') return userBlocked();
    cancelled = true;
    cancelWork?.();
  });

  const db = dbActivities();
  const telegram = telegramActivities();
  const audio = audioActivities();
  const whisper = transcribeActivities();
  const chat = { chatId: input.chatId, language: input.language };
  const { transcriptId, userId } = input;
  /** Revision 2 (issue 18): chosen by the input, so no patch markers; older inputs ask patched() as their histories recorded. */
  const lean = (input.revision ?? 1) >= 2;
  /** Revision 3: chunks fill whole rounds of the lanes, and the chunks next in line are cut while others are heard. */
  const revision3 = (input.revision ?? 1) >= 3;
  const stage = (s: TranscriptionStage) => {
    status.stage = s;
    upsertSearchAttributes([{ key: JobStatusKey, value: s }]);
  };
  const cancelButton: LocalizedButton[] = [{ label: { key: 'button-tr-cancel' }, data: callbacks.transcriptCancel.pack({ id: transcriptId }) }];
  let progress: SendOutcome | null = null;
  /** A 403 from the user's chat ends the job like a cancel. */
  const reached = <T extends { undelivered?: string }>(outcome: T): T => {
    if (outcome.undelivered === 'blocked') userBlocked();
    return outcome;
  };
  /**
   * The outcome: a new message replying to the user's recording (Telegram
   * notifies on new messages, not on edits), the live message removed. Older
   * histories edited the live message into the outcome. A notification never
   * fails the job (activities/telegram.ts).
   */
  const showOutcome = async (message: LocalizedMessage, buttons?: LocalizedButton[][]) => {
    if (blocked) return;
    if (lean || followableJobs()) {
      if (progress) await telegram.deleteMessage({ chatId: input.chatId, messageId: progress.messageId });
      await telegram.sendMessage({ ...chat, message, replyTo: input.replyTo, ...(buttons ? { buttons } : {}) });
    } else if (progress) await telegram.editMessage({ ...chat, messageId: progress.messageId, message });
    else await telegram.sendMessage({ ...chat, message });
  };
  /** Ends a job that charged nothing: the row, the stage, the live message; also when the job itself is being cancelled. */
  const endUncharged = (final: 'rejected' | 'cancelled' | 'failed', reason: string, message: LocalizedMessage) =>
    CancellationScope.nonCancellable(async () => {
      status.failureReason = reason;
      await db.setTranscriptStatus({ transcriptId, status: final === 'cancelled' ? 'CANCELLED' : 'FAILED', failureReason: reason });
      stage(final);
      noteInMemo({ outcome: final, failureReason: reason }, lean);
      await showOutcome(message);
      return status;
    });

  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare();
  } catch (err) {
    // Nothing was charged yet: a download that kept failing, Telegram refusing, a cancel from Temporal.
    if (!isCancellation(err)) log.error('transcription not started', { error: String(err) });
    return endUncharged(isCancellation(err) ? 'cancelled' : 'failed', isCancellation(err) ? 'cancelled' : 'not_started', { key: 'tr-not-started-error' });
  }
  if ('ended' in prepared) return prepared.ended;
  const { chunks, durationSeconds, minutes, price, quote, billing } = prepared;

  stage('transcribing');
  await db.setTranscriptStatus({ transcriptId, status: 'RUNNING' });
  /**
   * A chunk that fails for good no longer fails the job: the transcript marks
   * its gap and its minutes are refunded (docs/decisions.md). Older histories
   * ended the job at the first such chunk.
   */
  const partialAllowed = lean || patched('transcription-partial-v1');
  /** Speaker labels: set by the bot only for new jobs, so older histories replay their own path. */
  const diarize = input.diarize === true;
  const failedChunks: number[] = [];
  const startedAt = Date.now();
  /** Minutes left: from the pace of the chunks done so far, else from observed jobs (seconds of work per second of audio). */
  const minutesLeft = (done: number) => {
    const elapsed = (Date.now() - startedAt) / 1000;
    const left = done > 0 ? (elapsed / done) * (chunks.length - done) : Math.max((input.expectedRatio ?? 0.1) * durationSeconds - elapsed, 30);
    return Math.max(1, Math.ceil(left / 60));
  };
  let finished = false;
  const showProgress = async () => {
    let shown = -1;
    while (!finished) {
      await condition(() => finished || status.chunksDone.length !== shown);
      if (finished) return;
      shown = status.chunksDone.length;
      const edited = reached(
        await telegram.editMessage({
          ...chat,
          messageId: progress?.messageId,
          message: [{ key: 'tr-progress', params: { done: shown, total: chunks.length, left: minutesLeft(shown) } }, { key: 'tr-quote', params: quote }],
          buttons: [cancelButton],
          float: true,
        }),
      );
      // One live message: an edit that had to become a new message is the one edited from now on.
      if (edited.messageId !== undefined) progress = edited;
    }
  };
  const progressShown = showProgress().catch((err: unknown) => log.warn('progress message not updated', { error: String(err) }));

  const work = new CancellationScope();
  cancelWork = () => work.cancel();
  if (cancelled) work.cancel(); // the cancel came while the job was being charged
  let delivered = false;
  try {
    const deadline = DEADLINE_BASE_SECONDS * 1000 + durationSeconds * 1000;
    const done = work.run(async () => {
      if (!lean) await audio.cutChunks({ userId, transcriptId, chunks });
      const reference = diarize ? chunks[0] : undefined;
      let next = 0;
      /** Each chunk's cut, started once (revision 3 starts some ahead of their turn). */
      const cuts = new Map<number, Promise<unknown>>();
      const cut = (chunk: (typeof chunks)[number]) => {
        let cutting = cuts.get(chunk.index);
        if (!cutting) {
          cutting = audio.cutChunks({ userId, transcriptId, chunks: [chunk] });
          cutting.catch(() => undefined); // a cut started ahead fails (or is cancelled) when its chunk awaits it
          cuts.set(chunk.index, cutting);
        }
        return cutting;
      };
      const transcribe = async (chunk: (typeof chunks)[number]) => {
        try {
          // Revision 2: cut right before its turn, so the lanes start after one cut instead of all of them (issue 18).
          if (lean) await cut(chunk);
          // Revision 3: the next round's chunks are cut while this one is heard, so a lane that frees up starts at once.
          if (revision3) for (const ahead of chunks.slice(next, next + input.parallelChunks)) void cut(ahead);
          await whisper.transcribeChunk({ userId, transcriptId, chunk, language: input.language, ...(reference ? { diarize: chunk === reference ? {} : { referenceChunk: reference.index } } : {}) });
        } catch (err) {
          if (!partialAllowed || isCancellation(err) || cancelled) throw err;
          log.warn('a chunk failed for good: its span becomes a marked gap', { chunk: chunk.index, error: String(err) });
          failedChunks.push(chunk.index);
        }
        status.chunksDone.push(chunk.index);
      };
      // With speaker labels the first chunk goes alone: its speakers' clips let the others keep their numbers.
      if (reference) await transcribe(chunks[next++]!);
      const lane = async () => {
        while (next < chunks.length) await transcribe(chunks[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(input.parallelChunks, chunks.length - next) }, lane));
      if (failedChunks.length === chunks.length) throw new Error('every chunk failed');
      if (failedChunks.length) status.failedChunks = [...failedChunks].sort((a, b) => a - b);
      await db.assembleTranscript({
        userId,
        transcriptId,
        chunks,
        ...(failedChunks.length ? { failedChunks: status.failedChunks } : {}),
        ...(failedChunks.length || diarize ? { language: input.language } : {}),
      });
    });
    let settled = false;
    const outcome = done.then(
      () => (settled = true),
      (err: unknown) => {
        settled = true;
        throw err;
      },
    );
    outcome.catch(() => undefined); // awaited below; this only keeps a rejection after a Temporal cancel from going unhandled
    if (!(await condition(() => settled, deadline))) {
      status.failureReason = 'deadline';
      work.cancel();
    }
    await outcome;
    finished = true;
    stage('delivering');
    const delivery = reached(await telegram.deliverTranscript({ ...chat, transcriptId, replyTo: input.replyTo }));
    delivered = delivery.delivered;
    if (!delivered) status.failureReason ??= delivery.undelivered ? 'not_delivered' : 'no_speech';
  } catch (err) {
    work.cancel(); // a chunk failed for good: stop the others
    if (!isCancellation(err)) log.error('transcription failed', { error: String(err) });
    status.failureReason ??= cancelled ? 'user' : isCancellation(err) ? 'cancelled' : 'transcription_failed';
  }
  finished = true;
  await progressShown;

  // The minutes of the gaps come back: the owned seconds of the failed chunks, rounded up (never charged for what failed).
  const lostSeconds = chunks.filter((c) => failedChunks.includes(c.index)).reduce((sum, c) => sum + (c.ownEnd - c.ownStart), 0);
  const refundedMinutes = Math.min(minutes, Math.ceil(lostSeconds / 60));
  await CancellationScope.nonCancellable(async () => {
    await billing.settle(delivered ? minutes - refundedMinutes : 0);
    const final = delivered ? (failedChunks.length ? 'partial' : 'completed') : cancelled ? 'cancelled' : 'failed';
    if (final === 'partial') status.failureReason = 'chunks_failed';
    await db.setTranscriptStatus({ transcriptId, status: final === 'completed' ? 'COMPLETED' : final === 'partial' ? 'PARTIAL' : final === 'cancelled' ? 'CANCELLED' : 'FAILED', failureReason: status.failureReason });
    stage(final);
    noteInMemo({ outcome: final, failureReason: status.failureReason }, lean);
    const outcome: LocalizedMessage =
      final === 'partial'
        ? { key: 'tr-partial', params: { paid: (minutes - refundedMinutes) * input.unitPrice, refunded: refundedMinutes * input.unitPrice, gaps: failedChunks.length } }
        : final === 'completed'
        ? { key: 'tr-done', params: { price } }
        : final === 'cancelled'
          ? { key: 'tr-cancelled', params: { refunded: price } }
          : { key: 'tr-failed', params: { reason: status.failureReason ?? 'transcription_failed', refunded: price } };
    // A transcript the user has can be summarized: the offer, with its price, under the outcome.
    const summaryPrice = input.summaryPrice;
    const summaryOffer: LocalizedButton[][] | undefined =
      delivered && summaryPrice
        ? [[{ label: { key: 'button-tr-summary', params: { price: summaryPrice } }, data: callbacks.transcriptSummary.pack({ id: transcriptId, p: summaryPrice }) }]]
        : undefined;
    await showOutcome(outcome, summaryOffer);
  });
  return status;

  /** Everything before the work: the row, download and plan (bad files end here), the quote, the charge. */
  async function prepare() {
    const ended = async (final: 'rejected' | 'cancelled' | 'failed', reason: string, message: LocalizedMessage) => ({ ended: await endUncharged(final, reason, message) });
    await db.createTranscript({
      transcriptId,
      userId,
      fileId: input.fileId,
      fileUniqueId: input.fileUniqueId,
      fileName: input.fileName,
      mimeType: input.mimeType,
      sizeBytes: input.sizeBytes,
    });
    const sent = reached(await telegram.sendMessage({ ...chat, message: { key: 'tr-checking' }, buttons: [cancelButton] }));
    progress = sent;
    if (blocked) return ended('cancelled', 'user_blocked', { key: 'tr-cancelled-free' });

    const analysed = await audio.analyzeAudio({
      userId,
      transcriptId,
      fileId: input.fileId,
      ...(input.url ? { url: input.url } : {}),
      maxSeconds: input.maxSeconds,
      // Revision 3: chunks fill whole rounds of the lanes. Not with speaker labels: the first chunk's voices are
      // the others' references, and a shorter first chunk would hear fewer of them.
      ...(revision3 && input.diarize !== true ? { lanes: input.parallelChunks } : {}),
    });
    if (!analysed.ok) {
      return ended('rejected', analysed.reason, {
        key: 'tr-rejected',
        params: { reason: analysed.reason, max: Math.round(input.maxSeconds / 60) },
      });
    }
    if (cancelled) return ended('cancelled', blocked ? 'user_blocked' : 'user', { key: 'tr-cancelled-free' });

    const { chunks, durationSeconds } = analysed;
    const minutes = Math.max(1, Math.ceil(durationSeconds / 60));
    const price = minutes * input.unitPrice;
    Object.assign(status, { durationSeconds, minutes, price, chunksTotal: chunks.length, cuts: chunks.slice(1).map((c) => c.ownStart) });
    await db.setTranscriptStatus({ transcriptId, status: 'PENDING', durationSec: Math.round(durationSeconds), audioObjectKey: analysed.objectKey, chunkCount: chunks.length, language: input.language });
    const quote = { duration: formatDuration(durationSeconds), minutes, price };
    noteInMemo({ duration: quote.duration, chunks: chunks.length, price }, lean);

    if (durationSeconds > input.confirmAboveSeconds) {
      stage('awaiting_confirmation');
      const quoted = reached(
        await telegram.editMessage({
          ...chat,
          messageId: sent.messageId,
          message: { key: 'tr-quote', params: quote },
          buttons: [[{ label: { key: 'button-tr-confirm', params: { price } }, data: callbacks.transcriptConfirm.pack({ id: transcriptId }) }, ...cancelButton]],
        }),
      );
      if (quoted.messageId !== undefined) progress = quoted;
      await condition(() => confirmed || cancelled, input.confirmTimeoutSeconds * 1000);
      if (!confirmed || cancelled) return ended('cancelled', cancelled ? (blocked ? 'user_blocked' : 'user') : 'not_confirmed', { key: cancelled ? 'tr-cancelled-free' : 'tr-quote-expired' });
    }

    stage('charging');
    const billing = billingFor({
      userId,
      telegramId: input.telegramId,
      jobKind: 'transcription',
      unitPrice: input.unitPrice,
      units: minutes,
      deadlineSeconds: DEADLINE_BASE_SECONDS + Math.ceil(durationSeconds) + 900,
      reason: `transcription ${quote.duration}`,
    });
    const charge = await billing.charge();
    if (!charge.ok) {
      await notifyInsufficientFunds(input.chatId, input.language, charge.required, charge.balance);
      return ended('failed', 'insufficient_funds', { key: 'tr-not-started' });
    }
    if (cancelled) {
      await billing.settle(0);
      return ended('cancelled', blocked ? 'user_blocked' : 'user', { key: 'tr-cancelled', params: { refunded: price } });
    }
    return { chunks, durationSeconds, minutes, price, quote, billing };
  }
}

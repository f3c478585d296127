import { CancellationScope, log, patched, setHandler, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import type { StoredImageInput } from '../activities/generation-store';
import type { LocalizedMessage, SendOutcome } from '../activities/telegram';
import { callbacks } from '../vocabulary/callback-data';
import { billingFor } from './billing-client';
import { falResultSignal, type FalResult } from './fal-api';
import { waitForFal } from './fal-wait';
import { cancelGenerationSignal, generationStatusQuery, type GenerationInput, type GenerationStatus } from './generation-api';
import { notifyInsufficientFunds } from './notifications';
import { dbActivities, falActivities, optionalOpenaiActivities, telegramActivities } from './proxies';
import { followableJobs, noteInMemo } from './memo';
import { JobStatusKey } from '../vocabulary/search-attributes';

const MAX_PROMPT = 1500;

type StoredImage = StoredImageInput;

/**
 * Image generation (`gen-<generationId>`): charge price × count → (reference
 * photo described by vision) → prompt enhancement (falls back to the user's
 * prompt) → FAL with webhook and polling → copy into MinIO → vision quality
 * check with one free retry below the threshold → gallery rows → delivery →
 * settle: only delivered images are paid for (NSFW-flagged ones are not delivered).
 */
export async function generationWorkflow(input: GenerationInput): Promise<GenerationStatus> {
  const status: GenerationStatus = { stage: 'charging', delivered: 0, attempts: 0 };
  let cancelled = false;
  /** The user blocked the bot: nothing more can be delivered, so the job ends now like a cancel (docs/decisions.md). */
  let blocked = false;
  const reached = <T extends { undelivered?: string }>(outcome: T): T => {
    if (outcome.undelivered === 'blocked' && !blocked) {
      blocked = cancelled = true;
      status.failureReason = 'user_blocked';
      log.warn('the user blocked the bot: ending the job and refunding what was not delivered');
    }
    return outcome;
  };
  const falResults: FalResult[] = [];
  setHandler(generationStatusQuery, () => status);
  setHandler(cancelGenerationSignal, (how) => {
    cancelled = true;
    if (how?.reason === 'user_blocked') {
      blocked = true;
      status.failureReason = 'user_blocked';
    }
  });
  setHandler(falResultSignal, (r) => void falResults.push(r));

  const db = dbActivities();
  const telegram = telegramActivities();
  const openai = optionalOpenaiActivities();
  const fal = falActivities();
  const chat = { chatId: input.chatId, language: input.language };
  const stage = (s: GenerationStatus['stage']) => {
    status.stage = s;
    upsertSearchAttributes([{ key: JobStatusKey, value: s }]);
  };

  // Revision 2 (started so since issue 18): the newest path, chosen by the input,
  // so it records no patch markers (each costs an event and a search-attribute
  // upsert); older inputs ask patched() as their histories recorded.
  const lean = (input.revision ?? 1) >= 2;
  // Overlapped (issue 18): the row, the charge and the prompt preparation run at
  // once, the status writes beside the waits; nothing reaches FAL unless the
  // charge went through. Histories recorded before run one step at a time.
  const overlapped = lean || patched('generation-overlap-v1');
  const note = (fields: Parameters<typeof noteInMemo>[0]) => noteInMemo(fields, lean);
  const recording = db.createGeneration({
    generationId: input.generationId,
    userId: input.userId,
    mode: input.mode,
    avatarId: input.avatarId,
    prompt: input.prompt,
    aspectRatio: input.aspectRatio,
    numImages: input.numImages,
    unitPrice: input.unitPrice,
    referenceFileId: input.referenceFileId,
  });
  if (!overlapped) await recording;
  const billing = billingFor({
    userId: input.userId,
    telegramId: input.telegramId,
    jobKind: 'generation',
    unitPrice: input.unitPrice,
    units: input.numImages,
    deadlineSeconds: input.deadlineSeconds + 900,
    reason: `${input.mode === 'AVATAR' ? 'avatar' : 'Imagen 4'} × ${input.numImages}`,
  });
  const charging = billing.charge();
  // The LLM may prepare the prompt while the charge is made (a refused charge costs only that call).
  const preparing = overlapped ? buildPrompt() : null;
  const [charge] = await Promise.all([charging, recording]);
  if (!charge.ok) {
    await preparing;
    await notifyInsufficientFunds(input.chatId, input.language, charge.required, charge.balance);
    await db.setGenerationStatus({ generationId: input.generationId, status: 'FAILED', failureReason: 'insufficient_funds' });
    stage('failed');
    status.failureReason = 'insufficient_funds';
    note({ outcome: 'failed', failureReason: 'insufficient_funds' });
    return status;
  }

  // The progress says how long it usually takes and has its ✖️ (the same cancel as /jobs).
  const followable = lean || followableJobs();
  const progressSending = telegram.sendMessage({
    ...chat,
    message: { key: 'gen-working', params: { count: input.numImages, seconds: followable ? (input.expectedSeconds ?? 30) : 0 } },
    buttons: followable ? [[{ label: { key: 'button-tr-cancel' }, data: callbacks.jobCancel.pack({ k: 'g', id: input.generationId }) }]] : undefined,
  });
  // Before the overlap the progress was sent before the prompt was prepared; now both are awaited together.
  const progress: SendOutcome = reached(overlapped ? (await Promise.all([progressSending, preparing]))[0] : await progressSending);
  let images: StoredImage[] = [];
  let prompt = input.prompt;
  try {
    if (!lean) stage('preparing'); // overlapped, it is over by now: 'generating' follows in the same task
    prompt = preparing ? await preparing : await buildPrompt();
    status.enhancedPrompt = prompt;
    const deadline = Date.now() + input.deadlineSeconds * 1000;
    for (let attempt = 1; attempt <= 2 && !cancelled; attempt++) {
      status.attempts = attempt;
      stage('generating');
      const { requestId, endpoint } = await fal.submitGeneration({
        mode: input.mode,
        prompt,
        loraUrl: input.loraUrl,
        aspectRatio: input.aspectRatio,
        numImages: input.numImages,
        webhookUrl: input.webhookUrl,
      });
      const marking = db.setGenerationStatus({ generationId: input.generationId, status: 'RUNNING', enhancedPrompt: prompt, falRequestId: requestId });
      if (!overlapped) await marking;
      const [waited] = await Promise.all([
        waitForFal({ endpoint, requestId, results: falResults, pollSeconds: input.pollSeconds, deadline, cancelled: () => cancelled }),
        marking,
      ]);
      if (waited.kind !== 'done') {
        // A cancel for a user who blocked the bot keeps that reason ("cancelled" would hide why).
        status.failureReason ??= waited.kind;
        break;
      }
      const result = waited.webhookOk ? await fal.generationResult({ endpoint, requestId }) : ({ ok: false, error: 'FAL reported an error' } as const);
      if (!result.ok) {
        status.failureReason = 'fal_error';
        break;
      }
      stage('checking');
      const stored = await Promise.all(
        result.images.map(async (img, position): Promise<StoredImage | null> => {
          if (img.nsfw) return null; // never delivered, never paid for
          const objectKey = `${input.userId}/${input.generationId}/${attempt}-${position}.jpg`;
          try {
            await fal.copyToStorage({ url: img.url, bucket: 'generations', objectKey, contentType: img.contentType });
          } catch {
            return null;
          }
          const verdict = await openai.assessQuality({ bucket: 'generations', objectKey, prompt }).catch(() => null);
          return { position, objectKey, width: img.width, height: img.height, seed: result.seed, qualityScore: verdict?.score, qualityVerdict: verdict ?? undefined };
        }),
      );
      images = stored.filter((s): s is StoredImage => s !== null);
      const worst = images.reduce<{ score: number; corrected?: string } | null>((w, img) => {
        const v = img.qualityVerdict as { score: number; correctedPrompt?: string } | undefined;
        return v && (!w || v.score < w.score) ? { score: v.score, corrected: v.correctedPrompt } : w;
      }, null);
      if (attempt === 1 && worst && worst.score < input.qualityThreshold) {
        log.info('quality below threshold: one free retry', { score: worst.score });
        prompt = worst.corrected?.slice(0, MAX_PROMPT) || prompt;
        continue;
      }
      break;
    }
    if (images.length > 0 && !cancelled) {
      stage('delivering');
      const record = {
        generationId: input.generationId,
        userId: input.userId,
        mode: input.mode,
        avatarId: input.avatarId,
        prompt: input.prompt,
        enhancedPrompt: prompt,
        images,
      };
      const deliver = {
        ...chat,
        generationId: input.generationId,
        objectKeys: images.map((i) => i.objectKey),
        replyTo: input.replyTo,
        caption: { key: 'gen-caption', params: { mode: input.mode, prompt: input.prompt.slice(0, 200), count: images.length } },
      };
      // Revision 2: the rows' ids are chosen here and the rows written by the delivery (one round trip less).
      const imageIds = lean ? images.map(() => uuid4()) : (await db.recordImages(record)).imageIds;
      const delivery = reached(
        lean ? await telegram.recordAndDeliverImages({ record: { ...record, imageIds }, deliver }) : await telegram.deliverImages({ ...deliver, imageIds }),
      );
      // An album reaches the chat whole or not at all; older histories recorded only the file ids (all delivered).
      status.delivered = delivery.delivered ?? images.length;
      if (status.delivered < images.length) {
        // Never seen, never paid for: out of the gallery too.
        await db.forgetImages({ generationId: input.generationId, imageIds: imageIds.slice(status.delivered) });
        status.failureReason ??= 'not_delivered';
      }
    }
  } catch (err) {
    log.error('generation failed', { error: String(err) });
    status.failureReason ??= 'internal';
  }

  await CancellationScope.nonCancellable(async () => {
    const delivered = status.delivered;
    const settling = billing.settle(delivered);
    if (!overlapped) await settling;
    const final = cancelled ? 'cancelled' : delivered === 0 ? 'failed' : delivered < input.numImages ? 'partial' : 'completed';
    const closing = db.setGenerationStatus({
      generationId: input.generationId,
      status: final === 'cancelled' ? 'CANCELLED' : final === 'failed' ? 'FAILED' : final === 'partial' ? 'PARTIAL' : 'COMPLETED',
      failureReason: status.failureReason,
    });
    if (!overlapped) await closing;
    stage(final);
    note({ outcome: final, delivered, failureReason: status.failureReason });
    // Overlapped: the settle signal, the row's final status and the chat's last message go out together.
    await Promise.all([settling, closing, tell()]);

    async function tell(): Promise<void> {
      const refunded = (input.numImages - delivered) * input.unitPrice;
      const outcome: LocalizedMessage | null =
        final === 'completed'
          ? null
          : final === 'partial'
            ? { key: 'gen-partial', params: { delivered, requested: input.numImages, refunded } }
            : { key: final === 'cancelled' ? 'gen-cancelled' : 'gen-failed', params: { refunded } };
      if (blocked) return; // nobody to tell
      if (followable) {
        // The outcome is a new message under the request (edits do not notify); the progress goes away.
        if (overlapped) await Promise.all([telegram.deleteMessage({ chatId: input.chatId, messageId: progress.messageId }), outcome && telegram.sendMessage({ ...chat, message: outcome, replyTo: input.replyTo })]);
        else {
          await telegram.deleteMessage({ chatId: input.chatId, messageId: progress.messageId });
          if (outcome) await telegram.sendMessage({ ...chat, message: outcome, replyTo: input.replyTo });
        }
      } else if (outcome) await telegram.editMessage({ ...chat, messageId: progress.messageId, message: outcome });
      else await telegram.deleteMessage({ chatId: input.chatId, messageId: progress.messageId });
    }
  });
  return status;

  async function buildPrompt(): Promise<string> {
    let base = input.prompt.trim();
    if (input.referenceFileId) {
      try {
        const ref = await openai.describeReference({ fileId: input.referenceFileId, language: input.language });
        base = base ? `${ref.prompt}. ${base}` : ref.prompt;
      } catch (err) {
        log.warn('reference photo not described; the prompt alone is used', { error: String(err) });
      }
    }
    try {
      const enhanced = await openai.enhancePrompt({ prompt: base, mode: input.mode, triggerPhrase: input.triggerPhrase, language: input.language });
      return enhanced.prompt.slice(0, MAX_PROMPT);
    } catch (err) {
      // The LLM is down: generate from the user's own words (not a failure).
      log.warn('prompt enhancement unavailable; using the user prompt', { error: String(err) });
      const own = input.mode === 'AVATAR' && input.triggerPhrase ? `${input.triggerPhrase}, ${base}` : base;
      return own.slice(0, MAX_PROMPT);
    }
  }
}

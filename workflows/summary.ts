import { CancellationScope, isCancellation, log, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { summaryMessages } from '../vocabulary/summary';
import { JobStatusKey } from '../vocabulary/search-attributes';
import { billingFor } from './billing-client';
import { notifyInsufficientFunds } from './notifications';
import { dbActivities, summaryAiActivities, telegramActivities } from './proxies';
import type { SummaryInput, SummaryOutcome } from './summary-api';

/** A summary that never settles is refunded after this long (the job itself takes seconds to minutes). */
const BILLING_DEADLINE_SECONDS = 3600;

/**
 * "📋 Кратко" (`sum-<summaryId>`): the attempt's row claims the transcript (one
 * live or done summary per transcript, so a second press cannot pay twice),
 * the charge of the price on the button, the LLM summary, and the summary as a
 * new message under the button's message. Anything that keeps it from the
 * user — the LLM failing for good, Telegram refusing, the user blocking the
 * bot — refunds it in full and frees the transcript for another attempt.
 */
export async function summaryWorkflow(input: SummaryInput): Promise<{ outcome: SummaryOutcome; failureReason?: string }> {
  const db = dbActivities();
  const telegram = telegramActivities();
  const { summaryId, transcriptId, userId } = input;
  const chat = { chatId: input.chatId, language: input.language, replyTo: input.replyTo };
  const end = (outcome: SummaryOutcome, failureReason?: string) => {
    upsertSearchAttributes([{ key: JobStatusKey, value: outcome }]);
    upsertMemo({ outcome, ...(failureReason ? { failureReason } : {}) });
    return { outcome, ...(failureReason ? { failureReason } : {}) };
  };

  const claim = await db.claimSummary({ summaryId, transcriptId, userId, price: input.price });
  if (!claim.ok) {
    const reason = claim.reason === 'completed' ? 'done' : claim.reason;
    await telegram.sendMessage({ ...chat, message: { key: 'sum-not-started', params: { reason } } });
    return end(reason);
  }

  const billing = billingFor({ userId, telegramId: input.telegramId, jobKind: 'summary', unitPrice: input.price, units: 1, deadlineSeconds: BILLING_DEADLINE_SECONDS, reason: 'transcript summary' });
  const charge = await billing.charge();
  if (!charge.ok) {
    await db.finishSummary({ summaryId, status: 'FAILED', failureReason: 'insufficient' });
    await notifyInsufficientFunds(input.chatId, input.language, charge.required, charge.balance);
    return end('insufficient');
  }
  upsertSearchAttributes([{ key: JobStatusKey, value: 'summarizing' }]);

  const progress = await telegram.sendMessage({ ...chat, message: { key: 'sum-working' } });
  let failureReason: string | undefined = progress.undelivered === 'blocked' ? 'blocked' : undefined;
  if (!failureReason) {
    try {
      const summary = await summaryAiActivities().summarizeTranscript({ summaryId });
      const sent = await telegram.sendMessage({ ...chat, message: summaryMessages(summary) });
      if (sent.messageId === undefined) failureReason = sent.undelivered === 'blocked' ? 'blocked' : 'not_delivered';
    } catch (err) {
      if (!isCancellation(err)) log.error('summary failed', { error: String(err) });
      failureReason = isCancellation(err) ? 'cancelled' : 'summary_failed';
    }
  }

  return CancellationScope.nonCancellable(async () => {
    await billing.settle(failureReason ? 0 : 1);
    await db.finishSummary({ summaryId, status: failureReason ? 'FAILED' : 'COMPLETED', ...(failureReason ? { failureReason } : {}) });
    if (progress.messageId !== undefined) await telegram.deleteMessage({ chatId: input.chatId, messageId: progress.messageId });
    if (!failureReason) return end('completed');
    if (failureReason !== 'blocked') await telegram.sendMessage({ ...chat, message: { key: 'sum-failed', params: { refunded: input.price } } });
    return end(failureReason === 'blocked' ? 'blocked' : 'failed', failureReason);
  });
}

import { ApplicationFailure, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Language } from '../vocabulary/languages';
import { dbActivities, telegramActivities } from './proxies';
import { JobStatusKey } from '../vocabulary/search-attributes';

export interface AdminGrantInput {
  adminChatId: number;
  adminLanguage: Language;
  /** The admin's command update: one grant per command, however often it is delivered. */
  updateId: number;
  telegramId: number;
  credits: number;
  reason: string;
}

/** `/admin grant`: a GRANT in the ledger (key `admin-grant:<updateId>`), reported to the admin and the user. */
export async function adminGrantWorkflow(input: AdminGrantInput): Promise<{ balance: number }> {
  const db = dbActivities();
  const telegram = telegramActivities();
  const user = await db.ensureUser({ telegramId: input.telegramId });
  const r = await db.applyLedgerEntry({
    userId: user.id,
    kind: 'GRANT',
    amount: input.credits,
    idempotencyKey: `admin-grant:${input.updateId}`,
    reason: input.reason,
  });
  await telegram.sendMessage({
    chatId: input.adminChatId,
    language: input.adminLanguage,
    message: { key: 'admin-granted', params: { credits: input.credits, user: String(input.telegramId), balance: r.balanceAfter } },
  });
  if (r.applied) {
    await telegram.sendMessage({
      chatId: input.telegramId,
      language: user.language,
      message: { key: 'grant-notice', params: { credits: input.credits, reason: input.reason, balance: r.balanceAfter } },
    });
  }
  upsertSearchAttributes([{ key: JobStatusKey, value: 'completed' }]);
  return { balance: r.balanceAfter };
}

export interface RefundPaymentInput {
  adminChatId: number;
  adminLanguage: Language;
  chargeId: string;
}

/**
 * `/admin refund-payment <charge id>` (`refund-payment-<chargeId>`): take the
 * credits back (only when the balance allows), then refund the Stars; if
 * Telegram refuses, give the credits back. Every step is safe to repeat; one
 * attempt runs at a time, and a refused attempt can be tried again later.
 */
export async function refundPaymentWorkflow(input: RefundPaymentInput): Promise<{ refunded: boolean; reason?: string }> {
  const db = dbActivities();
  const telegram = telegramActivities();
  const say = (key: string, params: Record<string, string | number> = {}) =>
    telegram.sendMessage({ chatId: input.adminChatId, language: input.adminLanguage, message: { key, params: { charge: input.chargeId, ...params } } });

  const attempt = workflowInfo().runId;
  const debit = await db.debitForPaymentRefund({ chargeId: input.chargeId, attempt });
  if (!debit.ok) {
    await say(`admin-refund-${debit.reason}`, debit.reason === 'insufficient' ? { balance: debit.balance, credits: debit.credits } : {});
    upsertSearchAttributes([{ key: JobStatusKey, value: 'failed' }]);
    return { refunded: false, reason: debit.reason };
  }
  try {
    await telegram.refundStarPayment({ telegramId: debit.telegramId, chargeId: input.chargeId });
  } catch (err) {
    const { balance } = await db.revertPaymentRefundDebit({ chargeId: input.chargeId, attempt });
    const cause = err instanceof ApplicationFailure ? err.message : String((err as Error).cause ?? err);
    await say('admin-refund-failed', { error: cause, balance });
    upsertSearchAttributes([{ key: JobStatusKey, value: 'failed' }]);
    return { refunded: false, reason: 'telegram-refused' };
  }
  await db.markPaymentRefunded({ chargeId: input.chargeId });
  await say('admin-refund-done', { stars: debit.stars, credits: debit.credits, balance: debit.balance });
  await telegram.sendMessage({
    chatId: debit.telegramId,
    language: debit.language,
    message: { key: 'payment-refunded-notice', params: { stars: debit.stars, credits: debit.credits, balance: debit.balance } },
  });
  upsertSearchAttributes([{ key: JobStatusKey, value: 'completed' }]);
  return { refunded: true };
}

export interface AdminRefundInput {
  adminChatId: number;
  adminLanguage: Language;
  /** The job whose workflow and billing workflow have both ended (`gen-…`, `tr-…`, `avatar-…`). */
  jobWorkflowId: string;
}

export interface AdminRefundResult {
  /** Credits refunded by this run (0: nothing was left, or an admin refund already happened). */
  refunded: number;
  charged: number;
  /** Refunded before this run (billing's refund, an earlier admin refund). */
  refundedBefore: number;
}

/**
 * `/admin refund <job>` once the job and its billing have ended
 * (`admin-refund-<job>`): refunds what is left of the job's charge according
 * to the ledger (charged − refunded) with the key `<job>:admin-refund`, then
 * tells the admin and the user. A repeat finds nothing left and refunds nothing.
 */
export async function adminRefundWorkflow(input: AdminRefundInput): Promise<AdminRefundResult> {
  const db = dbActivities();
  const telegram = telegramActivities();
  const job = input.jobWorkflowId;
  const state = await db.jobRefundState({ jobWorkflowId: job });
  const result: AdminRefundResult = { refunded: 0, charged: state.charged, refundedBefore: state.refunded };
  if (!state.user || state.leftover === 0 || state.adminRefunded) {
    await telegram.sendMessage({
      chatId: input.adminChatId,
      language: input.adminLanguage,
      message: { key: 'admin-job-nothing-left', params: { job, charged: state.charged, refunded: state.refunded } },
    });
    upsertSearchAttributes([{ key: JobStatusKey, value: 'completed' }]);
    return result;
  }
  const { balance } = await db.refundJobLeftover({ jobWorkflowId: job, userId: state.user.id, amount: state.leftover });
  result.refunded = state.leftover;
  await telegram.sendMessage({
    chatId: input.adminChatId,
    language: input.adminLanguage,
    message: {
      key: 'admin-job-refunded',
      params: { job, credits: state.leftover, charged: state.charged, before: state.refunded, user: String(state.user.telegramId), balance },
    },
  });
  await telegram.sendMessage({
    chatId: state.user.telegramId,
    language: state.user.language,
    message: { key: 'job-refunded-notice', params: { credits: state.leftover, balance } },
  });
  upsertSearchAttributes([{ key: JobStatusKey, value: 'refunded' }]);
  return result;
}

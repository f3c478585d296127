import { Composer, GrammyError } from 'grammy';
import { findUserByTelegramId } from '../../lib/db/users';
import { seededUuid } from '../../lib/seeded-uuid';
import { summaryMessages } from '../../vocabulary/summary';
import { replyTo } from '../../lib/telegram-reply';
import { callbacks } from '../../vocabulary/callback-data';
import { workflowIds } from '../../vocabulary/ids';
import type { summaryWorkflow } from '../../workflows/summary';
import type { SummaryInput } from '../../workflows/summary-api';
import type { AppContext } from '../context';
import { startUserWorkflow } from '../start-workflow';

/**
 * "📋 Кратко" under a finished transcript (the button carries the transcript
 * and the price it showed). A summary already made is shown again, free; one
 * being made is not started twice; a price that changed since the button was
 * drawn is not charged: the button is redrawn with the new price. Otherwise
 * `sum-<id>` starts (workflows/summary.ts), one per press: a redelivered
 * press maps to the same workflow.
 */
export const summaryFeature = new Composer<AppContext>();

summaryFeature.callbackQuery(callbacks.transcriptSummary.filter, async (ctx) => {
  const { prisma, config } = ctx.services;
  const data = callbacks.transcriptSummary.unpack(ctx.callbackQuery.data);
  const user = ctx.from ? await findUserByTelegramId(prisma, ctx.from.id) : null;
  const transcript = data && user ? await prisma.transcript.findFirst({ where: { id: data.id, userId: user.id }, select: { id: true, status: true } }) : null;
  if (!data || !user || !transcript || !['COMPLETED', 'PARTIAL'].includes(transcript.status)) {
    return ctx.answerCallbackQuery({ text: ctx.t('tr-not-found'), show_alert: true });
  }
  const button = ctx.callbackQuery.message?.message_id;
  const made = await prisma.transcriptSummary.findFirst({
    where: { transcriptId: transcript.id, status: { in: ['PENDING', 'RUNNING', 'COMPLETED'] } },
    select: { status: true, title: true, keyPoints: true, actionItems: true, language: true },
  });
  if (made?.status === 'COMPLETED') {
    await ctx.answerCallbackQuery();
    const summary = { title: made.title ?? '', keyPoints: (made.keyPoints ?? []) as string[], actionItems: (made.actionItems ?? []) as string[], language: made.language ?? '' };
    return ctx.reply(summaryMessages(summary).map((m) => ctx.t(m.key, m.params)).join('\n\n'), replyTo(button));
  }
  if (made) return ctx.answerCallbackQuery({ text: ctx.t('sum-not-started', { reason: 'running' }) });

  const price = config.tariffs.transcriptSummary;
  if (data.p !== price) {
    // The offer the user saw is the one charged: a stale price charges nothing and shows the current one.
    await ctx.answerCallbackQuery({ text: ctx.t('sum-price-changed', { was: data.p, price }), show_alert: true });
    // Only this transcript's 📋 changes: the message may hold other buttons (the gallery's list of transcripts).
    const fresh = { text: ctx.t('button-tr-summary', { price }), callback_data: callbacks.transcriptSummary.pack({ id: transcript.id, p: price }) };
    const rows = ctx.callbackQuery.message?.reply_markup?.inline_keyboard ?? [[fresh]];
    const stale = (b: (typeof rows)[number][number]) => 'callback_data' in b && callbacks.transcriptSummary.unpack(b.callback_data)?.id === transcript.id;
    const offer = { inline_keyboard: rows.map((row) => row.map((b) => (stale(b) ? fresh : b))) };
    return ctx.editMessageReplyMarkup({ reply_markup: offer }).catch((err: unknown) => {
      // Already the current price (a forged or repeated press): nothing to redraw.
      if (!(err instanceof GrammyError && /message is not modified/.test(err.description))) ctx.logger.warn({ err }, 'summary offer not redrawn');
    });
  }

  const summaryId = seededUuid(`summary:${ctx.callbackQuery.id}`);
  const input: SummaryInput = {
    summaryId,
    transcriptId: transcript.id,
    userId: user.id,
    telegramId: ctx.from.id,
    chatId: ctx.chat?.id ?? ctx.from.id,
    language: ctx.language,
    price,
    ...(button === undefined ? {} : { replyTo: button }),
  };
  await startUserWorkflow<typeof summaryWorkflow>(ctx, 'summaryWorkflow', {
    workflowId: workflowIds.summary(summaryId),
    kind: 'summary',
    summary: `summary of transcript ${transcript.id}, ${price} credits`,
    args: [input],
  });
  await ctx.answerCallbackQuery({ text: ctx.t('sum-started') });
});

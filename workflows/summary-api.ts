import type { Language } from '../vocabulary/languages';

/** "📋 Кратко" pressed under a finished transcript (bot/features/summary.ts starts `sum-<summaryId>`). */
export interface SummaryInput {
  /** This attempt (a fresh id per press; a redelivered press maps to the same one). */
  summaryId: string;
  transcriptId: string;
  userId: number;
  telegramId: number;
  chatId: number;
  language: Language;
  /** Credits, as shown on the button the user pressed. */
  price: number;
  /** The message under which the button was: the summary replies to it. */
  replyTo?: number;
}

/**
 * completed    the summary was delivered and charged;
 * failed       the LLM or Telegram failed, refunded in full;
 * blocked      the user blocked the bot meanwhile, refunded;
 * insufficient not enough credits, nothing charged;
 * running / done / missing: another attempt is live or done, or the transcript is not this user's or has no text: nothing charged.
 */
export type SummaryOutcome = 'completed' | 'failed' | 'blocked' | 'insufficient' | 'running' | 'done' | 'missing';

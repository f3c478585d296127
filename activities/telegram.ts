import { ApplicationFailure } from '@temporalio/activity';
import { GrammyError, HttpError, InlineKeyboard, type Api } from 'grammy';
import type { I18n, Language, TranslateParams } from '../lib/i18n';

/** A message named by its locale key: the text is rendered here, in the user's language. */
export interface LocalizedMessage {
  key: string;
  params?: Record<string, string | number>;
}

/** An inline button: a localized label and callback data (packed by bot/callback-data.ts) or a URL. */
export interface LocalizedButton {
  label: LocalizedMessage;
  data?: string;
  url?: string;
}

export interface SendMessageInput {
  chatId: number;
  language: Language;
  message: LocalizedMessage;
  buttons?: LocalizedButton[][];
}

export const TelegramErrors = {
  rateLimited: 'TelegramRateLimited',
  forbidden: 'TelegramForbidden',
  badRequest: 'TelegramBadRequest',
} as const;

/**
 * Maps Bot API errors to Temporal retry decisions: 429 is retried after
 * `retry_after`, 403 (blocked by the user) and 400 are final, network errors
 * and 5xx are retried with the activity's policy.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof GrammyError) {
    if (err.error_code === 429) {
      const after = err.parameters.retry_after ?? 1;
      return ApplicationFailure.create({ message: err.description, type: TelegramErrors.rateLimited, nextRetryDelay: `${after}s`, cause: err });
    }
    if (err.error_code === 403) {
      return ApplicationFailure.create({ message: err.description, type: TelegramErrors.forbidden, nonRetryable: true, cause: err });
    }
    if (err.error_code === 400) {
      return ApplicationFailure.create({ message: err.description, type: TelegramErrors.badRequest, nonRetryable: true, cause: err });
    }
  }
  if (err instanceof HttpError) return err;
  return err;
}

export function createTelegramActivities({ api, i18n }: { api: Api; i18n: I18n }) {
  const render = (language: Language, m: LocalizedMessage) => i18n.t(language, m.key, m.params as TranslateParams);
  const keyboard = (language: Language, rows: LocalizedButton[][] | undefined) =>
    rows?.length
      ? new InlineKeyboard(rows.map((row) => row.map((b) => (b.url ? InlineKeyboard.url(render(language, b.label), b.url) : InlineKeyboard.text(render(language, b.label), b.data ?? '')))))
      : undefined;

  return {
    async sendMessage({ chatId, language, message, buttons }: SendMessageInput): Promise<{ messageId: number }> {
      try {
        const sent = await api.sendMessage(chatId, render(language, message), { reply_markup: keyboard(language, buttons) });
        return { messageId: sent.message_id };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /** Gives a Stars payment back (Telegram refuses a second refund with 400: final). */
    async refundStarPayment({ telegramId, chargeId }: { telegramId: number; chargeId: string }): Promise<void> {
      try {
        await api.refundStarPayment(telegramId, chargeId);
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

export type TelegramActivities = ReturnType<typeof createTelegramActivities>;

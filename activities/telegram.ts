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
  /** One message, or several parts joined by blank lines (e.g. a status and its details). */
  message: LocalizedMessage | LocalizedMessage[];
  buttons?: LocalizedButton[][];
}

export interface EditMessageInput extends SendMessageInput {
  messageId: number;
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
  const render = (language: Language, m: LocalizedMessage | LocalizedMessage[]): string =>
    Array.isArray(m) ? m.map((part) => render(language, part)).join('\n\n') : i18n.t(language, m.key, m.params as TranslateParams);
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

    /** Edits a live message (progress, status). "Not modified" is success; a deleted message gets a new one. */
    async editMessage({ chatId, messageId, language, message, buttons }: EditMessageInput): Promise<{ messageId: number }> {
      try {
        await api.editMessageText(chatId, messageId, render(language, message), { reply_markup: keyboard(language, buttons) });
        return { messageId };
      } catch (err) {
        if (err instanceof GrammyError && /message is not modified/.test(err.description)) return { messageId };
        if (err instanceof GrammyError && /message to edit not found/.test(err.description)) {
          const sent = await api.sendMessage(chatId, render(language, message), { reply_markup: keyboard(language, buttons) }).catch((e: unknown) => {
            throw toActivityFailure(e);
          });
          return { messageId: sent.message_id };
        }
        throw toActivityFailure(err);
      }
    },

    /** Removes a message that has served its purpose (e.g. "generating…"); a missing one is fine. */
    async deleteMessage({ chatId, messageId }: { chatId: number; messageId: number }): Promise<void> {
      try {
        await api.deleteMessage(chatId, messageId);
      } catch (err) {
        if (err instanceof GrammyError && err.error_code === 400) return;
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

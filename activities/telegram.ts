import { ApplicationFailure } from '@temporalio/activity';
import { GrammyError, HttpError, type Api } from 'grammy';
import type { I18n, Language, TranslateParams } from '../lib/i18n';

/** A message named by its locale key: the text is rendered here, in the user's language. */
export interface LocalizedMessage {
  key: string;
  params?: Record<string, string | number>;
}

export interface SendMessageInput {
  chatId: number;
  language: Language;
  message: LocalizedMessage;
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

  return {
    async sendMessage({ chatId, language, message }: SendMessageInput): Promise<{ messageId: number }> {
      try {
        const sent = await api.sendMessage(chatId, render(language, message));
        return { messageId: sent.message_id };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

export type TelegramActivities = ReturnType<typeof createTelegramActivities>;

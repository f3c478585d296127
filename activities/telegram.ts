import { ApplicationFailure, log } from '@temporalio/activity';
import { GrammyError, HttpError, InlineKeyboard, type Api } from 'grammy';
import { FLOAT_AFTER_MESSAGES, messagesBelow } from '../lib/chat-position';
import type { I18n, Language, TranslateParams } from '../lib/i18n';
import type { Redis } from '../lib/redis';
import { replyTo } from '../lib/telegram-reply';

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
  /** Sent as a reply to this message (the user's request), or as a plain message if it is gone. */
  replyTo?: number;
}

export interface EditMessageInput extends SendMessageInput {
  /** The message to edit; without one (it was never delivered) a new message is sent. */
  messageId?: number;
  /**
   * A live status: when more than FLOAT_AFTER_MESSAGES messages came after it
   * (it scrolled out of sight), it is sent again at the bottom and the old one
   * removed. The outcome's messageId is the one to edit from then on.
   */
  float?: boolean;
  /**
   * Only the buttons change (editMessageReplyMarkup): the text stays as the
   * message shows it, e.g. a status last edited by an activity the workflow
   * did not hear from. `message` is then what a replacement would say.
   */
  keepText?: boolean;
}

/**
 * Why a message did not reach the user (an outcome, never a job failure):
 *   blocked     — the user blocked the bot, deleted the account, or the chat is gone (403, 400 "chat not found");
 *   refused     — Telegram refused this message for good (another 400, e.g. too long: our bug, logged as an error);
 *   unavailable — Telegram kept failing (429/5xx/network) until the activity gave up (set by the workflow's proxy).
 */
export type Undelivered = 'blocked' | 'refused' | 'unavailable';

export interface SendOutcome {
  /** Set when Telegram took the message. */
  messageId?: number;
  undelivered?: Undelivered;
}

export const TelegramErrors = {
  rateLimited: 'TelegramRateLimited',
  forbidden: 'TelegramForbidden',
  badRequest: 'TelegramBadRequest',
} as const;

const CHAT_GONE = /chat not found|user is deactivated|bot was kicked|PEER_ID_INVALID|have no rights to send/i;

/**
 * The one policy for Telegram's answers inside activities (docs/decisions.md):
 * 403 and "chat gone" 400s mean the user cannot be reached: `blocked`; another
 * 400 is final for this message: `refused`; both are returned, not thrown, so
 * a notification never fails a job. 429 is retried after `retry_after`, 5xx and
 * network errors with the activity's policy — bounded by its schedule-to-close
 * timeout, after which the workflow's proxy reports `unavailable`.
 */
export function undeliveredReason(err: unknown): Exclude<Undelivered, 'unavailable'> | null {
  if (!(err instanceof GrammyError)) return null;
  if (err.error_code === 403 || (err.error_code === 400 && CHAT_GONE.test(err.description))) return 'blocked';
  if (err.error_code === 400) return 'refused';
  return null;
}

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

/** A Telegram error as the policy above sees it: thrown again when retryable, else logged and returned as the outcome. */
export function undelivered(err: unknown, what: string): SendOutcome & { undelivered: Exclude<Undelivered, 'unavailable'> } {
  const reason = undeliveredReason(err);
  if (!reason) throw toActivityFailure(err);
  const description = (err as GrammyError).description;
  if (reason === 'refused') log.error(`Telegram refused ${what}`, { description });
  else log.warn(`${what} not delivered: the user cannot be reached`, { description });
  return { undelivered: reason };
}

export function createTelegramActivities({ api, i18n, redis }: { api: Api; i18n: I18n; redis?: Redis }) {
  /** How far a message is above the chat's bottom (best effort: a Redis hiccup only means a status is not re-sent). */
  const below = async (chatId: number, messageId: number) => (redis ? messagesBelow(redis, chatId, messageId).catch(() => 0) : 0);
  const render = (language: Language, m: LocalizedMessage | LocalizedMessage[]): string =>
    Array.isArray(m) ? m.map((part) => render(language, part)).join('\n\n') : i18n.t(language, m.key, m.params as TranslateParams);
  const keyboard = (language: Language, rows: LocalizedButton[][] | undefined) =>
    rows?.length
      ? new InlineKeyboard(rows.map((row) => row.map((b) => (b.url ? InlineKeyboard.url(render(language, b.label), b.url) : InlineKeyboard.text(render(language, b.label), b.data ?? '')))))
      : undefined;

  async function sendMessage({ chatId, language, message, buttons, replyTo: request }: SendMessageInput): Promise<SendOutcome> {
    try {
      const sent = await api.sendMessage(chatId, render(language, message), { reply_markup: keyboard(language, buttons), ...replyTo(request) });
      return { messageId: sent.message_id };
    } catch (err) {
      return undelivered(err, 'a message');
    }
  }

  return {
    sendMessage,

    /**
     * Edits a live message (progress, status). "Not modified" is success; a
     * message that is gone or cannot be edited (or was never delivered) gets a
     * new one instead.
     */
    async editMessage(input: EditMessageInput): Promise<SendOutcome> {
      const { chatId, messageId, language, message, buttons } = input;
      if (messageId === undefined) return sendMessage(input);
      if (input.float && (await below(chatId, messageId)) > FLOAT_AFTER_MESSAGES) {
        const sent = await sendMessage({ chatId, language, message, buttons });
        if (sent.messageId !== undefined) {
          await api.deleteMessage(chatId, messageId).catch((err: unknown) => log.info('the scrolled-away status was not removed', { error: String(err) }));
        }
        return sent;
      }
      try {
        if (input.keepText) await api.editMessageReplyMarkup(chatId, messageId, { reply_markup: keyboard(language, buttons) });
        else await api.editMessageText(chatId, messageId, render(language, message), { reply_markup: keyboard(language, buttons) });
        return { messageId };
      } catch (err) {
        if (err instanceof GrammyError && /message is not modified/.test(err.description)) return { messageId };
        if (err instanceof GrammyError && /message to edit not found|message can't be edited|MESSAGE_ID_INVALID/.test(err.description)) {
          // Only buttons were to go: a message that is gone has none left (its text is not ours to repeat).
          return input.keepText ? {} : sendMessage(input);
        }
        return undelivered(err, 'an edit');
      }
    },

    /** Removes a message that has served its purpose (e.g. "generating…"); a missing one, or a blocked chat, is fine. */
    async deleteMessage({ chatId, messageId }: { chatId: number; messageId?: number }): Promise<void> {
      if (messageId === undefined) return;
      try {
        await api.deleteMessage(chatId, messageId);
      } catch (err) {
        if (undeliveredReason(err)) return;
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

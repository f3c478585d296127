import type { BotCommand, BotCommandScope, Document, InlineKeyboardMarkup, InputMedia, LabeledPrice, Message, PhotoSize, ReplyParameters } from 'grammy/types';
import type { Part } from '../multipart';
import { sniffMime, type StoredFile } from './files';
import { photoSizes } from './media';
import { asApiMessage, type StoredMessage, type TelegramWorld } from './state';

/** Telegram's own answers and limits (https://core.telegram.org/bots/api). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

/** The connection breaks before any answer (a keep-alive socket the server had just closed, a proxy restarting): the call was not acted on. */
export class ConnectionReset extends Error {}

export interface BotApiKnobs {
  /** Messages per chat per second before 429 with retry_after (0 = unlimited). */
  rateLimitPerChat: number;
  /** Messages per second across all chats before 429 with retry_after, as Telegram's ~30/s (0 or absent = unlimited). */
  rateLimitOverall?: number;
  /** getFile refuses larger files (20 MB for the cloud Bot API; a local Bot API server allows 2000 MB). */
  maxDownloadBytes: number;
  /**
   * Any Bot API error, by method: the next `times` calls of `method` (to `chatId`, when given)
   * fail with `code` and `description` (and `retry_after` for 429); `times: -1` fails every call.
   */
  failures: InjectedFailure[];
  /** How long after the press a callback query can be answered (Telegram: about 15 s). */
  callbackAnswerMs: number;
  /** Calls aimed at these chats take this many milliseconds (a slow network path to one chat's data centre; the bot bench). */
  slowChats?: Record<number, number>;
}

export interface InjectedFailure {
  method: string;
  code: number;
  description: string;
  retryAfter?: number;
  chatId?: number;
  /** Matching calls to let through before failing (e.g. 1: the second sendMessage fails). */
  skip?: number;
  times: number;
  /** Instead of an answer, the connection is reset before the call is acted on (`code` and `description` unused). */
  reset?: boolean;
}

/** Methods that act in a chat: refused with 403 once the user has blocked the bot. */
const CHAT_METHODS = new Set([
  'sendMessage', 'sendPhoto', 'sendDocument', 'sendMediaGroup', 'sendChatAction', 'sendInvoice',
  'editMessageText', 'editMessageCaption', 'editMessageReplyMarkup', 'editMessageMedia', 'deleteMessage',
]);

const MB = 1024 * 1024;
export const LIMITS = { text: 4096, caption: 1024, callbackData: 64, photoBytes: 10 * MB, uploadBytes: 50 * MB, commands: 100, commandDescription: 256 };

/** What a reply adds to the message being sent: the replied message (shallow) and the quoted part. */
type Reply = Pick<StoredMessage, 'reply_to_message' | 'quote'>;

/** The fields a photo or document message takes besides its file, as the Bot API received them. */
interface MediaExtras {
  caption?: unknown;
  reply_markup?: unknown;
  media_group_id?: string;
  reply: Reply;
}

function parseJson<T>(value: unknown): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function checkKeyboard(markup: unknown): InlineKeyboardMarkup | undefined {
  const kb = parseJson<InlineKeyboardMarkup>(markup);
  for (const row of kb?.inline_keyboard ?? []) {
    for (const button of row) {
      const data = 'callback_data' in button ? (button.callback_data ?? '') : undefined;
      if (data !== undefined && (data.length === 0 || Buffer.byteLength(data, 'utf8') > LIMITS.callbackData)) {
        throw new ApiError(400, 'Bad Request: BUTTON_DATA_INVALID');
      }
      // Telegram opens Mini Apps only from https; the sandbox also lets this machine's own http through (its demo has no certificate).
      const webApp = 'web_app' in button ? String((button.web_app as { url?: unknown } | undefined)?.url ?? '') : undefined;
      if (webApp !== undefined && !/^https:\/\//.test(webApp) && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(webApp)) {
        throw new ApiError(400, `Bad Request: inline keyboard button Web App URL '${webApp}' is invalid: Only HTTPS links are allowed`);
      }
    }
  }
  return kb;
}

/** setMyCommands' rules: ≤ 100 commands, names of 1–32 lowercase letters, digits or underscores, descriptions of 1–256 characters. */
function checkCommands(value: unknown): BotCommand[] {
  const commands = parseJson<BotCommand[]>(value) ?? [];
  if (commands.length > LIMITS.commands) throw new ApiError(400, 'Bad Request: BOT_COMMANDS_TOO_MUCH');
  for (const c of commands) {
    if (!/^[a-z0-9_]{1,32}$/.test(String(c.command))) throw new ApiError(400, 'Bad Request: BOT_COMMAND_INVALID');
    const description = String(c.description ?? '').trim();
    if (!description) throw new ApiError(400, 'Bad Request: command description must be non-empty');
    if (description.length > LIMITS.commandDescription) throw new ApiError(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
  }
  return commands.map((c) => ({ command: c.command, description: c.description }));
}

const truthy = (v: unknown) => v === true || v === 'true';

function checkText(text: unknown, limit: number, what: 'text' | 'caption'): string | undefined {
  if (text === undefined || text === null) return undefined;
  const s = String(text);
  if (s.length > limit) throw new ApiError(400, what === 'text' ? 'Bad Request: message is too long' : 'Bad Request: message caption is too long');
  return s;
}

export class BotApi {
  private sends = new Map<number, number[]>();

  constructor(
    private readonly world: TelegramWorld,
    private readonly knobs: BotApiKnobs,
  ) {}

  private overall: number[] = [];

  private rateCheck(chatId: number): void {
    const now = Date.now();
    const overallLimit = this.knobs.rateLimitOverall ?? 0;
    if (overallLimit) {
      this.overall = this.overall.filter((t) => now - t < 1000);
      if (this.overall.length >= overallLimit) throw new ApiError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
    }
    const limit = this.knobs.rateLimitPerChat;
    if (limit) {
      const recent = (this.sends.get(chatId) ?? []).filter((t) => now - t < 1000);
      if (recent.length >= limit) throw new ApiError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
      recent.push(now);
      this.sends.set(chatId, recent);
    }
    if (overallLimit) this.overall.push(now);
  }

  /** A file parameter: `attach://<part>`, a part of the same name, a known file_id, or a URL Telegram fetches. */
  private async inputFile(value: unknown, field: string, parts: Map<string, Part>, folder: string): Promise<{ data: Buffer; name?: string; reused?: StoredFile }> {
    const ref = typeof value === 'string' ? value : undefined;
    const part = ref?.startsWith('attach://') ? parts.get(ref.slice(9)) : parts.get(field);
    if (part) return { data: part.data, name: part.filename };
    if (ref && /^https?:\/\//.test(ref)) {
      const res = await fetch(ref).catch(() => null);
      if (!res?.ok) throw new ApiError(400, 'Bad Request: failed to get HTTP URL content');
      return { data: Buffer.from(await res.arrayBuffer()), name: ref.split('/').pop() };
    }
    const known = ref ? this.world.files.get(ref) : undefined;
    if (known) return { data: known.data, name: known.fileName, reused: known };
    throw new ApiError(400, `Bad Request: there is no ${folder} in the request`);
  }

  private chatId(p: Record<string, unknown>): number {
    const id = Number(p.chat_id);
    if (!Number.isFinite(id)) throw new ApiError(400, 'Bad Request: chat_id is empty');
    if (!this.world.users.has(id)) throw new ApiError(400, 'Bad Request: chat not found');
    return id;
  }

  /** A photo parameter as Telegram keeps it: the sizes of the uploaded (or reused) image. */
  private async photoOf(value: unknown, field: string, parts: Map<string, Part>): Promise<PhotoSize[]> {
    const file = await this.inputFile(value, field, parts, 'photo');
    if (file.data.length > LIMITS.photoBytes) throw new ApiError(400, 'Bad Request: PHOTO_INVALID_DIMENSIONS');
    return photoSizes(this.world.files, file.data).catch(() => {
      throw new ApiError(400, 'Bad Request: IMAGE_PROCESS_FAILED');
    });
  }

  /**
   * A reply as Telegram makes it, from `reply_parameters` (or the legacy `reply_to_message_id`
   * and `allow_sending_without_reply`): the replied message without its own reply (Telegram's
   * reply_to_message is shallow), and the quoted part when `quote` is given.
   */
  private replyOf(chatId: number, p: Record<string, unknown>): Reply {
    const legacy: ReplyParameters | undefined =
      p.reply_to_message_id === undefined ? undefined : { message_id: Number(p.reply_to_message_id), allow_sending_without_reply: truthy(p.allow_sending_without_reply) };
    const params = parseJson<ReplyParameters>(p.reply_parameters) ?? legacy;
    if (!params) return {};
    if (params.chat_id !== undefined && Number(params.chat_id) !== chatId) throw new ApiError(400, 'Bad Request: the sandbox replies within the same chat only');
    const target = this.world.find(chatId, Number(params.message_id));
    if (!target || target.deleted) {
      if (truthy(params.allow_sending_without_reply)) return {};
      throw new ApiError(400, 'Bad Request: message to be replied not found');
    }
    const { reply_to_message: _r, quote: _q, ...rest } = asApiMessage(target);
    const shallow = rest as NonNullable<Message['reply_to_message']>;
    if (params.quote === undefined) return { reply_to_message: shallow };
    // The quote must be an exact part of the replied text (at quote_position when given).
    const source = target.text ?? target.caption ?? '';
    const position = params.quote_position ?? source.indexOf(params.quote);
    if (!params.quote || source.slice(position, position + params.quote.length) !== params.quote) throw new ApiError(400, 'Bad Request: QUOTE_TEXT_INVALID');
    return { reply_to_message: shallow, quote: { text: params.quote, position, is_manual: true } };
  }

  private async photoMessage(chatId: number, value: unknown, field: string, parts: Map<string, Part>, extras: MediaExtras) {
    const photo = await this.photoOf(value, field, parts);
    return this.world.store(chatId, {
      from: this.world.bot,
      photo,
      caption: checkText(extras.caption, LIMITS.caption, 'caption'),
      reply_markup: checkKeyboard(extras.reply_markup),
      media_group_id: extras.media_group_id,
      ...extras.reply,
      from_bot: true,
    });
  }

  private async documentOf(value: unknown, field: string, parts: Map<string, Part>): Promise<Document> {
    const file = await this.inputFile(value, field, parts, 'document');
    if (file.data.length > LIMITS.uploadBytes) throw new ApiError(413, 'Request Entity Too Large');
    const stored = file.reused ?? this.world.files.put(file.data, sniffMime(file.data, file.name?.endsWith('.txt') ? 'text/plain' : 'application/octet-stream'), 'documents', file.name);
    return { file_id: stored.fileId, file_unique_id: stored.fileUniqueId, file_name: stored.fileName, mime_type: stored.mimeType, file_size: stored.data.length };
  }

  private async documentMessage(chatId: number, value: unknown, field: string, parts: Map<string, Part>, extras: MediaExtras) {
    const document = await this.documentOf(value, field, parts);
    return this.world.store(chatId, {
      from: this.world.bot,
      document,
      caption: checkText(extras.caption, LIMITS.caption, 'caption'),
      reply_markup: checkKeyboard(extras.reply_markup),
      media_group_id: extras.media_group_id,
      ...extras.reply,
      from_bot: true,
    });
  }

  /** Injected failures (knob `failures`) and a blocked bot, as Telegram answers them. */
  private refuse(method: string, p: Record<string, unknown>): void {
    const chatId = p.chat_id === undefined ? undefined : Number(p.chat_id);
    const failure = this.knobs.failures.find((f) => f.method === method && f.times !== 0 && (f.chatId === undefined || f.chatId === chatId));
    if (failure && failure.skip) failure.skip -= 1;
    else if (failure) {
      if (failure.times > 0) failure.times -= 1;
      if (failure.reset) throw new ConnectionReset(method);
      throw new ApiError(failure.code, failure.description, failure.code === 429 ? { retry_after: failure.retryAfter ?? 1 } : undefined);
    }
    if (chatId !== undefined && CHAT_METHODS.has(method) && this.world.blocked.has(chatId)) {
      throw new ApiError(403, 'Forbidden: bot was blocked by the user');
    }
  }

  async call(method: string, p: Record<string, unknown>, parts: Map<string, Part>, signal: AbortSignal): Promise<unknown> {
    const w = this.world;
    const slow = p.chat_id === undefined ? 0 : (this.knobs.slowChats?.[Number(p.chat_id)] ?? 0);
    if (slow > 0) await new Promise((r) => setTimeout(r, slow));
    this.refuse(method, p);
    switch (method) {
      case 'getMe':
        return w.bot;
      case 'setMyCommands':
        w.setCommands(parseJson<BotCommandScope>(p.scope), String(p.language_code ?? ''), checkCommands(p.commands));
        return true;
      case 'deleteMyCommands':
        w.setCommands(parseJson<BotCommandScope>(p.scope), String(p.language_code ?? ''), []);
        return true;
      case 'getMyCommands':
        return w.myCommands(parseJson<BotCommandScope>(p.scope), String(p.language_code ?? ''));
      case 'deleteWebhook':
        w.webhook = null;
        return true;
      case 'setWebhook': {
        const maxConnections = p.max_connections === undefined ? 40 : Number(p.max_connections);
        if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > 100) throw new ApiError(400, 'Bad Request: bad webhook: max_connections must be between 1 and 100');
        w.webhook = { url: String(p.url), secretToken: p.secret_token as string | undefined, maxConnections };
        return true;
      }
      case 'getWebhookInfo':
        return { url: w.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0 };
      case 'getUpdates':
        if (w.webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        return w.takeUpdates(p.offset === undefined ? undefined : Number(p.offset), Number(p.limit ?? 100), Number(p.timeout ?? 0), signal);
      case 'sendChatAction':
        this.chatId(p);
        return true;
      case 'sendMessage': {
        const chatId = this.chatId(p);
        const text = checkText(p.text, LIMITS.text, 'text') ?? '';
        if (!text.trim()) throw new ApiError(400, 'Bad Request: message text is empty');
        const reply_markup = checkKeyboard(p.reply_markup);
        const reply = this.replyOf(chatId, p);
        this.rateCheck(chatId);
        return asApiMessage(w.store(chatId, { from: w.bot, text, reply_markup, ...reply, from_bot: true }));
      }
      case 'sendPhoto': {
        const chatId = this.chatId(p);
        const reply = this.replyOf(chatId, p);
        this.rateCheck(chatId);
        return asApiMessage(await this.photoMessage(chatId, p.photo, 'photo', parts, { caption: p.caption, reply_markup: p.reply_markup, reply }));
      }
      case 'sendDocument': {
        const chatId = this.chatId(p);
        const reply = this.replyOf(chatId, p);
        this.rateCheck(chatId);
        return asApiMessage(await this.documentMessage(chatId, p.document, 'document', parts, { caption: p.caption, reply_markup: p.reply_markup, reply }));
      }
      case 'sendMediaGroup': {
        const chatId = this.chatId(p);
        const media = parseJson<InputMedia[]>(p.media) ?? [];
        if (media.length < 2 || media.length > 10) throw new ApiError(400, 'Bad Request: wrong number of media in the album (2–10)');
        const reply = this.replyOf(chatId, p);
        this.rateCheck(chatId);
        // Albums take no keyboard; every item is its own message, all replying to the same one.
        const extras = { media_group_id: w.mediaGroupId(), reply };
        const sent: StoredMessage[] = [];
        for (const item of media) {
          if (item.type === 'photo') sent.push(await this.photoMessage(chatId, item.media, '', parts, { ...extras, caption: item.caption }));
          else sent.push(await this.documentMessage(chatId, item.media, '', parts, { ...extras, caption: item.caption }));
        }
        return sent.map(asApiMessage);
      }
      case 'editMessageText':
      case 'editMessageCaption':
      case 'editMessageReplyMarkup': {
        const chatId = this.chatId(p);
        const msg = w.find(chatId, Number(p.message_id));
        if (!msg || !msg.from_bot || msg.deleted) throw new ApiError(400, 'Bad Request: message to edit not found');
        const reply_markup = checkKeyboard(p.reply_markup);
        const before = JSON.stringify([msg.text, msg.caption, msg.reply_markup]);
        if (method === 'editMessageText') {
          const text = checkText(p.text, LIMITS.text, 'text') ?? '';
          if (!text.trim()) throw new ApiError(400, 'Bad Request: message text is empty');
          msg.text = text;
        }
        if (method === 'editMessageCaption') msg.caption = checkText(p.caption, LIMITS.caption, 'caption');
        msg.reply_markup = reply_markup;
        if (JSON.stringify([msg.text, msg.caption, msg.reply_markup]) === before) {
          throw new ApiError(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        msg.edits += 1;
        msg.edit_date = Math.floor(Date.now() / 1000);
        w.touch();
        return asApiMessage(msg);
      }
      case 'editMessageMedia': {
        const chatId = this.chatId(p);
        const msg = w.find(chatId, Number(p.message_id));
        if (!msg || !msg.from_bot || msg.deleted) throw new ApiError(400, 'Bad Request: message to edit not found');
        if (!msg.photo && !msg.document) throw new ApiError(400, 'Bad Request: there is no media in the message to edit');
        const media = parseJson<InputMedia>(p.media);
        if (media?.type !== 'photo' && media?.type !== 'document') throw new ApiError(400, 'Bad Request: the sandbox edits photo and document media only');
        const reply_markup = checkKeyboard(p.reply_markup);
        const caption = checkText(media.caption, LIMITS.caption, 'caption');
        const before = JSON.stringify([msg.photo?.at(-1)?.file_unique_id ?? msg.document?.file_unique_id, msg.caption, msg.reply_markup]);
        const photo = media.type === 'photo' ? await this.photoOf(media.media, '', parts) : undefined;
        const document = media.type === 'document' ? await this.documentOf(media.media, '', parts) : undefined;
        if (JSON.stringify([photo?.at(-1)?.file_unique_id ?? document?.file_unique_id, caption, reply_markup]) === before) {
          throw new ApiError(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        msg.photo = photo;
        msg.document = document;
        msg.caption = caption;
        msg.reply_markup = reply_markup;
        msg.edits += 1;
        msg.edit_date = Math.floor(Date.now() / 1000);
        w.touch();
        return asApiMessage(msg);
      }
      case 'deleteMessage': {
        const msg = w.find(this.chatId(p), Number(p.message_id));
        if (!msg || msg.deleted) throw new ApiError(400, 'Bad Request: message to delete not found');
        msg.deleted = true;
        w.touch();
        return true;
      }
      case 'answerCallbackQuery': {
        // Queries the sandbox did not issue (tests handing updates to the bot directly) are accepted as they are.
        const id = String(p.callback_query_id);
        const pressedAt = w.callbackQueries.get(id);
        if (pressedAt !== undefined && Date.now() - pressedAt > this.knobs.callbackAnswerMs) {
          throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        }
        w.callbackAnswers.set(id, { text: p.text === undefined ? undefined : String(p.text), show_alert: truthy(p.show_alert) });
        w.touch();
        return true;
      }
      case 'getFile': {
        const file = w.files.get(String(p.file_id));
        if (!file) throw new ApiError(400, 'Bad Request: invalid file_id');
        if (file.data.length > this.knobs.maxDownloadBytes) throw new ApiError(400, 'Bad Request: file is too big');
        return { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.data.length, file_path: file.filePath };
      }
      case 'sendInvoice': {
        const chatId = this.chatId(p);
        const prices = parseJson<LabeledPrice[]>(p.prices) ?? [];
        if (p.currency !== 'XTR') throw new ApiError(400, 'Bad Request: CURRENCY_INVALID');
        if (prices.length !== 1 || !(prices[0]!.amount > 0)) throw new ApiError(400, 'Bad Request: STARS_INVOICE_INVALID');
        if (p.provider_token) throw new ApiError(400, 'Bad Request: PROVIDER_TOKEN_INVALID for Telegram Stars');
        return asApiMessage(
          w.store(chatId, {
            from: w.bot,
            invoice: { title: String(p.title), description: String(p.description), start_parameter: '', currency: 'XTR', total_amount: prices[0]!.amount },
            invoice_payload: String(p.payload ?? ''),
            reply_markup: checkKeyboard(p.reply_markup),
            ...this.replyOf(chatId, p),
            from_bot: true,
          } as Omit<StoredMessage, 'message_id' | 'date' | 'chat' | 'edits'>),
        );
      }
      case 'answerPreCheckoutQuery':
        w.preCheckoutAnswers.set(String(p.pre_checkout_query_id), { ok: truthy(p.ok), error_message: p.error_message as string | undefined });
        return true;
      case 'refundStarPayment': {
        const payment = w.payments.get(String(p.telegram_payment_charge_id));
        if (!payment || payment.userId !== Number(p.user_id)) throw new ApiError(400, 'Bad Request: CHARGE_NOT_FOUND');
        if (payment.refunded) throw new ApiError(400, 'Bad Request: CHARGE_ALREADY_REFUNDED');
        payment.refunded = true;
        w.store(payment.userId, { from: w.bot, text: `⭐ ${payment.amount} Stars refunded`, system: true, from_bot: true });
        return true;
      }
      default:
        throw new ApiError(404, 'Not Found: method not found');
    }
  }
}


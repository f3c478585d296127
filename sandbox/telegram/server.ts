import http from 'node:http';
import type { InlineKeyboardMarkup, Update } from 'grammy/types';
import { listen, readBody, readJson, sendJson } from '../http-util';
import { TelegramWorld } from './state';

/**
 * A stand-in for the Telegram Bot API (https://core.telegram.org/bots/api):
 * `POST /bot<token>/<method>` with Telegram's own answers and limits, plus a
 * user-side API under `/sandbox/` to act as users and read what the bot sent.
 */
export interface TelegramSandboxOptions {
  token: string;
  port?: number;
  /** Messages per chat per second before 429 with retry_after (0 = unlimited). */
  rateLimitPerChat?: number;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

const MAX_TEXT = 4096;
const MAX_CALLBACK_DATA = 64;

function checkKeyboard(markup: unknown): InlineKeyboardMarkup | undefined {
  if (!markup) return undefined;
  const kb = (typeof markup === 'string' ? JSON.parse(markup) : markup) as InlineKeyboardMarkup;
  for (const row of kb.inline_keyboard ?? []) {
    for (const button of row) {
      if ('callback_data' in button && Buffer.byteLength(button.callback_data ?? '', 'utf8') > MAX_CALLBACK_DATA) {
        throw new ApiError(400, 'Bad Request: BUTTON_DATA_INVALID');
      }
    }
  }
  return kb;
}

export class TelegramSandbox {
  readonly world: TelegramWorld;
  readonly knobs: { rateLimitPerChat: number };
  private server?: http.Server;
  private sends = new Map<number, number[]>();
  private pusher?: NodeJS.Timeout;
  private closing = new AbortController();
  port = 0;

  constructor(private readonly opts: TelegramSandboxOptions) {
    this.world = new TelegramWorld(Number(opts.token.split(':')[0]));
    this.knobs = { rateLimitPerChat: opts.rateLimitPerChat ?? 0 };
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    this.port = await listen(this.server, this.opts.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    this.closing.abort();
    clearInterval(this.pusher);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- user side -------------------------------------------------------------------------

  sendText(userId: number, text: string, patch: { language_code?: string; first_name?: string; username?: string } = {}): Update {
    const from = this.world.user(userId, patch);
    const entities = text.startsWith('/') ? [{ type: 'bot_command' as const, offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
    const { from_bot: _b, edits: _e, ...message } = this.world.store(userId, { from, text, entities, from_bot: false });
    return this.world.push({ message: message as Update['message'] });
  }

  pressButton(userId: number, messageId: number, data: string): Update {
    const from = this.world.user(userId);
    const message = this.world.find(userId, messageId);
    if (!message) throw new Error(`no message ${messageId} in chat ${userId}`);
    return this.world.push({ callback_query: { id: `cb${Date.now()}${Math.random()}`.replace('.', ''), from, message, chat_instance: String(userId), data } });
  }

  // ---- Bot API -----------------------------------------------------------------------------

  private rateCheck(chatId: number): void {
    const limit = this.knobs.rateLimitPerChat;
    if (!limit) return;
    const now = Date.now();
    const recent = (this.sends.get(chatId) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= limit) throw new ApiError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
    recent.push(now);
    this.sends.set(chatId, recent);
  }

  private async call(method: string, p: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    const w = this.world;
    const chatId = p.chat_id === undefined ? undefined : Number(p.chat_id);
    switch (method) {
      case 'getMe':
        return w.bot;
      case 'setMyCommands':
        w.commands[String((p.language_code as string) ?? '')] = p.commands;
        return true;
      case 'deleteWebhook':
        w.webhook = null;
        return true;
      case 'setWebhook':
        w.webhook = { url: String(p.url), secretToken: p.secret_token as string | undefined };
        this.startPusher();
        return true;
      case 'getWebhookInfo':
        return { url: w.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0 };
      case 'getUpdates': {
        if (w.webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active");
        return w.takeUpdates(p.offset as number | undefined, Number(p.limit ?? 100), Number(p.timeout ?? 0), signal);
      }
      case 'sendChatAction':
        return true;
      case 'sendMessage': {
        const text = String(p.text ?? '');
        if (!text.trim()) throw new ApiError(400, 'Bad Request: message text is empty');
        if (text.length > MAX_TEXT) throw new ApiError(400, 'Bad Request: message is too long');
        const reply_markup = checkKeyboard(p.reply_markup);
        this.rateCheck(chatId!);
        return w.store(chatId!, { from: w.bot, text, reply_markup, from_bot: true });
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup': {
        const msg = w.find(chatId!, Number(p.message_id));
        if (!msg || !msg.from_bot || msg.deleted) throw new ApiError(400, 'Bad Request: message to edit not found');
        const reply_markup = checkKeyboard(p.reply_markup);
        if (method === 'editMessageText') {
          const text = String(p.text ?? '');
          if (!text.trim()) throw new ApiError(400, 'Bad Request: message text is empty');
          if (text.length > MAX_TEXT) throw new ApiError(400, 'Bad Request: MESSAGE_TOO_LONG');
          if (text === msg.text && JSON.stringify(reply_markup) === JSON.stringify(msg.reply_markup)) {
            throw new ApiError(400, 'Bad Request: message is not modified');
          }
          msg.text = text;
        }
        msg.reply_markup = reply_markup;
        msg.edits += 1;
        msg.edit_date = Math.floor(Date.now() / 1000);
        return msg;
      }
      case 'deleteMessage': {
        const msg = w.find(chatId!, Number(p.message_id));
        if (!msg || msg.deleted) throw new ApiError(400, 'Bad Request: message to delete not found');
        msg.deleted = true;
        return true;
      }
      case 'answerCallbackQuery':
        return true;
      default:
        throw new ApiError(404, 'Not Found: method not found');
    }
  }

  private startPusher(): void {
    if (this.pusher) return;
    this.pusher = setInterval(() => void this.pushWebhook(), 50);
  }

  private pushing = false;
  private async pushWebhook(): Promise<void> {
    const hook = this.world.webhook;
    if (!hook || this.pushing) return;
    this.pushing = true;
    try {
      for (const update of this.world.drain()) {
        const ok = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(hook.secretToken ? { 'x-telegram-bot-api-secret-token': hook.secretToken } : {}) },
          body: JSON.stringify(update),
        }).then((r) => r.ok, () => false);
        if (!ok) this.world.redeliver(update);
      }
    } finally {
      this.pushing = false;
    }
  }

  // ---- HTTP routing --------------------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    try {
      const api = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
      if (api) {
        if (api[1] !== this.opts.token) return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
        const params = { ...Object.fromEntries(url.searchParams), ...(await this.parseParams(req)) };
        this.world.calls.push({ method: api[2]!, params, at: Date.now() });
        const abort = new AbortController();
        const onClosing = () => abort.abort();
        res.on('close', onClosing);
        this.closing.signal.addEventListener('abort', onClosing, { once: true });
        try {
          const result = await this.call(api[2]!, params, abort.signal);
          return sendJson(res, 200, { ok: true, result });
        } finally {
          this.closing.signal.removeEventListener('abort', onClosing);
        }
      }
      return await this.routeSandbox(req, res, url);
    } catch (err) {
      if (err instanceof ApiError) {
        return sendJson(res, err.code, { ok: false, error_code: err.code, description: err.description, parameters: err.parameters });
      }
      return sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${(err as Error).message}` });
    }
  }

  private async parseParams(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/json')) return readJson(req);
    const raw = await readBody(req);
    if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    return {};
  }

  private async routeSandbox(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const m = /^\/sandbox\/(users|chats)\/(\d+)\/(\w+)$/.exec(url.pathname);
    if (req.method === 'POST' && m?.[1] === 'users' && m[3] === 'messages') {
      const body = await readJson<{ text: string; language_code?: string; first_name?: string; username?: string }>(req);
      const { text, ...patch } = body;
      return sendJson(res, 200, this.sendText(Number(m[2]), text, patch));
    }
    if (req.method === 'POST' && m?.[1] === 'users' && m[3] === 'callbacks') {
      const body = await readJson<{ message_id: number; data: string }>(req);
      return sendJson(res, 200, this.pressButton(Number(m[2]), body.message_id, body.data));
    }
    if (req.method === 'GET' && m?.[1] === 'chats' && m[3] === 'messages') {
      return sendJson(res, 200, this.world.chatMessages(Number(m[2])));
    }
    if (req.method === 'GET' && url.pathname === '/sandbox/calls') {
      const method = url.searchParams.get('method');
      return sendJson(res, 200, this.world.calls.filter((c) => !method || c.method === method));
    }
    if (req.method === 'POST' && url.pathname === '/sandbox/knobs') {
      Object.assign(this.knobs, await readJson(req));
      return sendJson(res, 200, this.knobs);
    }
    return sendJson(res, 404, { error: 'not found' });
  }
}

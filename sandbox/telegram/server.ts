import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { Update } from 'grammy/types';
import { listen, readBody, readJson, sendJson } from '../http-util';
import { boundaryOf, MultipartError, parseMultipart, type Part } from '../multipart';
import { ApiError, BotApi, ConnectionReset, type BotApiKnobs, type InjectedFailure } from './bot-api';
import { TelegramWorld } from './state';
import { UserActionError, UserActions, type MediaKind } from './user-api';

/**
 * A stand-in for the Telegram Bot API (https://core.telegram.org/bots/api).
 *   POST|GET /bot<token>/<method>         the Bot API, JSON, form or multipart, Telegram's answers and limits
 *   GET  /file/bot<token>/<file_path>     file downloads (after getFile)
 *   /sandbox/…                            the user side: act as users, read what the bot sent (see routeSandbox)
 *   GET  /chat                            the web chat (talk to the bot in a browser)
 * Knobs (POST /sandbox/knobs): rateLimitPerChat (429 with retry_after past N messages/s per chat), rateLimitOverall
 * (the same past N messages/s across all chats, as Telegram's ~30/s; off by default),
 * maxDownloadBytes (getFile cap; 20 MB as the cloud Bot API), failures (any Bot API error by method:
 * [{method, code, description, retryAfter?, chatId?, times}], or `reset: true` for a connection reset before
 * the call is acted on), callbackAnswerMs (answerCallbackQuery
 * later than this after the press is 400, as Telegram's ~15 s). A user who blocked the bot (blockBot)
 * gets 403 "Forbidden: bot was blocked by the user" on every call into their chat.
 */
export interface TelegramSandboxOptions {
  token: string;
  port?: number;
  rateLimitPerChat?: number;
}

/** The web chat's files (plain HTML, CSS and browser JavaScript, no build), by the path they are served at. */
const WEB_CHAT: Record<string, { file: URL; type: string }> = {
  '/chat': { file: new URL('./web-chat.html', import.meta.url), type: 'text/html; charset=utf-8' },
  '/chat/web-chat.css': { file: new URL('./web-chat.css', import.meta.url), type: 'text/css; charset=utf-8' },
  '/chat/web-chat.js': { file: new URL('./web-chat.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
};

export class TelegramSandbox {
  readonly world: TelegramWorld;
  readonly users: UserActions;
  readonly knobs: BotApiKnobs;
  private readonly api: BotApi;
  private server?: http.Server;
  private pusher?: NodeJS.Timeout;
  /** Updates taken from the world for webhook delivery, oldest first; chats with one in flight, and how many are in flight. */
  private readonly webhookQueue: Update[] = [];
  private readonly webhookBusy = new Set<string>();
  private webhookInFlight = 0;
  /** Failed deliveries per update id, for the backoff before the next attempt. */
  private readonly webhookFailures = new Map<number, number>();
  private closing = new AbortController();
  port = 0;

  constructor(private readonly opts: TelegramSandboxOptions) {
    this.world = new TelegramWorld(Number(opts.token.split(':')[0]));
    this.knobs = { rateLimitPerChat: opts.rateLimitPerChat ?? 0, maxDownloadBytes: 20 * 1024 * 1024, failures: [], callbackAnswerMs: 15_000 };
    this.api = new BotApi(this.world, this.knobs);
    this.users = new UserActions(this.world);
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    this.port = await listen(this.server, this.opts.port ?? 0);
    this.pusher = setInterval(() => void this.pushWebhook(), 50);
    return this;
  }

  async stop(): Promise<void> {
    this.closing.abort();
    clearInterval(this.pusher);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Shorthand used by tests: a user sends text (commands get their entity). */
  sendText(userId: number, text: string, patch: Parameters<UserActions['sendText']>[2] = {}) {
    return this.users.sendText(userId, text, patch);
  }

  pressButton(userId: number, messageId: number, data: string) {
    return this.users.pressButton(userId, messageId, data);
  }

  /** The user blocks the bot (or unblocks it): from then on every call into their chat is 403. */
  blockBot(userId: number, blocked = true) {
    if (blocked) this.world.blocked.add(userId);
    else this.world.blocked.delete(userId);
    // As Telegram does: the bot learns it through a my_chat_member update.
    const user = this.world.user(userId);
    const [was, now] = blocked ? (['member', 'kicked'] as const) : (['kicked', 'member'] as const);
    return this.world.push({
      my_chat_member: {
        chat: { id: userId, type: 'private', first_name: user.first_name },
        from: user,
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { user: this.world.bot, status: was, ...(was === 'kicked' ? { until_date: 0 } : {}) },
        new_chat_member: { user: this.world.bot, status: now, ...(now === 'kicked' ? { until_date: 0 } : {}) },
      },
    } as Update);
  }

  /** The next `times` calls of `method` fail as Telegram would answer (see BotApiKnobs.failures). */
  failNext(failure: InjectedFailure) {
    this.knobs.failures.push(failure);
  }

  /**
   * Webhook delivery as Telegram does it: up to `max_connections` requests at
   * once (setWebhook, default 40) across chats, one at a time within a chat so
   * its updates arrive in order; an update not answered 2xx is sent again,
   * after a pause, before anything newer of its chat (one slow or failing
   * chat does not hold up the others).
   */
  private pushWebhook(): void {
    const hook = this.world.webhook;
    if (!hook) {
      // Webhook removed: what was not delivered is for getUpdates again.
      if (this.webhookQueue.length) this.world.requeue(this.webhookQueue.splice(0));
      return;
    }
    this.webhookQueue.push(...this.world.drain());
    for (let i = 0; i < this.webhookQueue.length && this.webhookInFlight < hook.maxConnections; ) {
      const update = this.webhookQueue[i]!;
      const chat = chatOf(update);
      if (this.webhookBusy.has(chat)) {
        i++;
        continue;
      }
      this.webhookQueue.splice(i, 1);
      this.webhookBusy.add(chat);
      this.webhookInFlight++;
      void this.deliverUpdate(hook, update, chat);
    }
  }

  private async deliverUpdate(hook: NonNullable<TelegramWorld['webhook']>, update: Update, chat: string): Promise<void> {
    const ok = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(hook.secretToken ? { 'x-telegram-bot-api-secret-token': hook.secretToken } : {}) },
      body: JSON.stringify(update),
      signal: AbortSignal.any([AbortSignal.timeout(60_000), this.closing.signal]),
    }).then(
      async (r) => (await r.arrayBuffer().catch(() => undefined), r.ok),
      () => false,
    );
    this.webhookInFlight--;
    if (ok) {
      this.webhookFailures.delete(update.update_id);
      this.webhookBusy.delete(chat);
      return;
    }
    // Telegram redelivers until a 2xx, backing off (0.5 s, doubling to 8 s), the chat's newer updates waiting behind this one.
    const failures = (this.webhookFailures.get(update.update_id) ?? 0) + 1;
    this.webhookFailures.set(update.update_id, failures);
    this.webhookQueue.unshift(update);
    setTimeout(() => this.webhookBusy.delete(chat), this.closing.signal.aborted ? 0 : Math.min(8000, 250 * 2 ** failures)).unref();
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    try {
      const api = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
      if (api) return await this.routeApi(req, res, url, api[1]!, api[2]!);
      const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
      if (file && req.method === 'GET') {
        if (file[1] !== this.opts.token) return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
        const stored = this.world.files.byFilePath(decodeURIComponent(file[2]!));
        if (!stored) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        res.writeHead(200, { 'content-type': stored.mimeType, 'content-length': stored.data.length }).end(stored.data);
        return;
      }
      const page = WEB_CHAT[url.pathname === '/' ? '/chat' : url.pathname];
      if (req.method === 'GET' && page) {
        res.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-cache' }).end(readFileSync(page.file));
        return;
      }
      return await this.routeSandbox(req, res, url);
    } catch (err) {
      if (err instanceof ConnectionReset) return void req.socket.destroy();
      if (err instanceof ApiError) {
        return sendJson(res, err.code, { ok: false, error_code: err.code, description: err.description, parameters: err.parameters });
      }
      if (err instanceof MultipartError || err instanceof SyntaxError || err instanceof UserActionError) {
        return sendJson(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${err.message}` });
      }
      return sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${(err as Error).message}` });
    }
  }

  private async routeApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, token: string, method: string): Promise<void> {
    if (token !== this.opts.token) return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const { params, parts } = await this.parseParams(req);
    const all = { ...Object.fromEntries(url.searchParams), ...params };
    this.world.calls.push({ method, params: all, at: Date.now() });
    const abort = new AbortController();
    const onClose = () => abort.abort();
    res.on('close', onClose);
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    try {
      const result = await this.api.call(method, all, parts, abort.signal);
      return sendJson(res, 200, { ok: true, result });
    } finally {
      this.closing.signal.removeEventListener('abort', onClose);
    }
  }

  private async parseParams(req: http.IncomingMessage): Promise<{ params: Record<string, unknown>; parts: Map<string, Part> }> {
    const type = req.headers['content-type'] ?? '';
    const parts = new Map<string, Part>();
    if (type.startsWith('application/json')) return { params: await readJson(req), parts };
    const raw = await readBody(req);
    if (type.startsWith('application/x-www-form-urlencoded')) return { params: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), parts };
    if (!boundaryOf(type)) return { params: {}, parts };
    const params: Record<string, unknown> = {};
    for (const part of parseMultipart(raw, type)) {
      if (part.filename !== undefined) parts.set(part.name, part);
      else params[part.name] = part.data.toString('utf8');
    }
    return { params, parts };
  }

  /**
   * The user side (JSON unless noted):
   *   POST /sandbox/users/:id/messages   {text, language_code?, first_name?, username?}
   *   POST /sandbox/users/:id/media?kind=photo|voice|audio|video_note|document&name=&caption=&group=&language_code=&first_name=
   *        raw bytes; items sent with the same `group` form one album (one media_group_id, at most 10 items)
   *   POST /sandbox/users/:id/callbacks  {message_id, data}   the update; its callback_query.id names the answer
   *   GET  /sandbox/callbacks/:queryId   {answered, text?, show_alert?}   the bot's answerCallbackQuery
   *   POST /sandbox/users/:id/payments   {message_id}
   *   POST /sandbox/users/:id/block      {blocked?: boolean}  the user blocks (or unblocks) the bot
   *   GET  /sandbox/chats/:id/messages?language_code=   every message in the chat (bot's and user's) and
   *        `commands`, the command menu a user with that language sees there
   *   GET  /sandbox/files/:fileId        a file's bytes
   *   GET  /sandbox/calls?method=        Bot API calls received
   *   GET|POST /sandbox/knobs
   */
  private async routeSandbox(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const m = /^\/sandbox\/(users|chats|files|callbacks)\/([\w-]+)(?:\/(\w+))?$/.exec(url.pathname);
    const id = Number(m?.[2]);
    if (req.method === 'POST' && m?.[1] === 'users') {
      if (m[3] === 'messages') {
        const { text, ...patch } = await readJson<{ text: string; language_code?: string; first_name?: string; username?: string }>(req);
        return sendJson(res, 200, this.users.sendText(id, String(text ?? ''), patch));
      }
      if (m[3] === 'media') {
        const kind = (url.searchParams.get('kind') ?? 'document') as MediaKind;
        const data = await readBody(req);
        const q = (name: string) => url.searchParams.get(name) || undefined;
        const patch = { language_code: q('language_code'), first_name: q('first_name') };
        const opts = { fileName: q('name'), caption: q('caption'), mediaGroupId: q('group'), ...patch };
        const update = kind === 'photo' ? await this.users.sendPhoto(id, data, { caption: opts.caption, mediaGroupId: opts.mediaGroupId, ...patch }) : await this.users.sendMedia(id, kind, data, opts);
        return sendJson(res, 200, update);
      }
      if (m[3] === 'callbacks') {
        const body = await readJson<{ message_id: number; data: string }>(req);
        return sendJson(res, 200, this.users.pressButton(id, body.message_id, body.data));
      }
      if (m[3] === 'block') {
        const body = await readJson<{ blocked?: boolean }>(req);
        this.blockBot(id, body.blocked !== false);
        return sendJson(res, 200, { ok: true });
      }
      if (m[3] === 'payments') {
        const body = await readJson<{ message_id: number }>(req);
        return sendJson(res, 200, await this.users.payInvoice(id, body.message_id));
      }
    }
    if (req.method === 'GET' && m?.[1] === 'chats' && m[3] === 'messages') {
      const commands = this.world.menuFor(id, url.searchParams.get('language_code') ?? '');
      return sendJson(res, 200, { version: this.world.version, messages: this.world.chatMessages(id), commands });
    }
    if (req.method === 'GET' && m?.[1] === 'callbacks' && !m[3]) {
      const answer = this.world.callbackAnswers.get(m[2]!);
      return sendJson(res, 200, answer ? { answered: true, ...answer } : { answered: false });
    }
    if (req.method === 'GET' && m?.[1] === 'files') {
      const file = this.world.files.get(m[2]!);
      if (!file) return sendJson(res, 404, { error: 'no such file' });
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': file.data.length }).end(file.data);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/sandbox/calls') {
      const method = url.searchParams.get('method');
      return sendJson(res, 200, this.world.calls.filter((c) => !method || c.method === method));
    }
    if (url.pathname === '/sandbox/knobs') {
      if (req.method === 'POST') Object.assign(this.knobs, await readJson(req));
      return sendJson(res, 200, this.knobs);
    }
    return sendJson(res, 404, { error: 'not found' });
  }
}

/** The chat an update belongs to (its message's chat, else its sender), for per-chat ordering. */
function chatOf(update: Update): string {
  const body = Object.values(update).find((v): v is Record<string, { id?: number; chat?: { id?: number } }> => !!v && typeof v === 'object');
  const id = body?.chat?.id ?? body?.message?.chat?.id ?? body?.from?.id ?? body?.user?.id;
  return id === undefined ? `update ${update.update_id}` : String(id);
}

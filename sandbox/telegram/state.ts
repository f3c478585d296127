import { randomInt } from 'node:crypto';
import type { BotCommand, BotCommandScope, Message, Update, User } from 'grammy/types';
import { FileStore } from './files';

/** A message in the sandbox's world, sent by the bot or by a user. */
export interface StoredMessage extends Message {
  from_bot: boolean;
  deleted?: boolean;
  edits: number;
  /** A line the sandbox shows the user itself (e.g. "payment declined: …"). */
  system?: boolean;
}

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
}

export interface Payment {
  chargeId: string;
  userId: number;
  amount: number;
  payload: string;
  refunded: boolean;
}

/** The in-memory world of the Telegram stand-in: users, chats, messages, files, payments, the update queue. */
export class TelegramWorld {
  readonly bot: User;
  readonly calls: ApiCall[] = [];
  readonly files = new FileStore();
  readonly payments = new Map<string, Payment>();
  readonly preCheckoutAnswers = new Map<string, { ok: boolean; error_message?: string }>();
  /** The bot's answerCallbackQuery calls by callback query id (the toast a user sees). */
  readonly callbackAnswers = new Map<string, { text?: string; show_alert?: boolean }>();
  /** When each callback query the sandbox issued was pressed (Telegram lets the bot answer it for ~15 s). */
  readonly callbackQueries = new Map<string, number>();
  /** Like Telegram: sequential from some large number (so two sandboxes' updates never share ids in one Redis). */
  private nextUpdateId = 100_000_000 + randomInt(800_000_000);
  private nextMessageId = new Map<number, number>();
  private pending: Update[] = [];
  private waiters: (() => void)[] = [];
  /** Bumped on every change, so the web chat can poll cheaply. */
  version = 0;
  readonly messages = new Map<number, StoredMessage[]>();
  readonly users = new Map<number, User>();
  webhook: { url: string; secretToken?: string; maxConnections: number } | null = null;
  /** Users who blocked the bot: every call into their chat is 403 "Forbidden: bot was blocked by the user". */
  readonly blocked = new Set<number>();
  /** setMyCommands' lists by scope and language (see commandKey). */
  private readonly commands = new Map<string, BotCommand[]>();
  private nextMediaGroupId = 4_000_000_000_000_000 + randomInt(1_000_000_000_000);

  constructor(botId: number, username = 'aisha_sandbox_bot') {
    this.bot = { id: botId, is_bot: true, first_name: 'Aisha', username };
  }

  user(id: number, patch: Partial<User> = {}): User {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const u = { id, is_bot: false, first_name: `User ${id}`, language_code: 'ru', ...this.users.get(id), ...defined };
    this.users.set(id, u);
    return u;
  }

  chatMessages(chatId: number): StoredMessage[] {
    let list = this.messages.get(chatId);
    if (!list) this.messages.set(chatId, (list = []));
    return list;
  }

  store(chatId: number, msg: Omit<StoredMessage, 'message_id' | 'date' | 'chat' | 'edits'>): StoredMessage {
    const id = this.nextMessageId.get(chatId) ?? 1;
    this.nextMessageId.set(chatId, id + 1);
    const u = this.users.get(chatId);
    const stored = {
      ...msg,
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: u?.first_name ?? 'User', username: u?.username },
      edits: 0,
    } as StoredMessage;
    this.chatMessages(chatId).push(stored);
    this.version++;
    return stored;
  }

  touch(): void {
    this.version++;
  }

  find(chatId: number, messageId: number): StoredMessage | undefined {
    return this.messages.get(chatId)?.find((m) => m.message_id === messageId);
  }

  /** A fresh media_group_id (Telegram's are long numeric strings). */
  mediaGroupId(): string {
    return String(this.nextMediaGroupId++);
  }

  /** setMyCommands (an empty list is deleteMyCommands). `language` '' is the list for every language without its own. */
  setCommands(scope: BotCommandScope | undefined, language: string, commands: BotCommand[]): void {
    if (commands.length) this.commands.set(commandKey(scope, language), commands);
    else this.commands.delete(commandKey(scope, language));
    this.version++;
  }

  /** getMyCommands: exactly the list set for this scope and language (empty when none, no fallback). */
  myCommands(scope: BotCommandScope | undefined, language: string): BotCommand[] {
    return this.commands.get(commandKey(scope, language)) ?? [];
  }

  /**
   * The menu a user sees in their private chat with the bot: the first list set, in
   * Telegram's order (chat + language, chat, all private chats + language, all private
   * chats, default + language, default).
   */
  menuFor(chatId: number, language: string): BotCommand[] {
    const scopes: BotCommandScope[] = [{ type: 'chat', chat_id: chatId }, { type: 'all_private_chats' }, { type: 'default' }];
    for (const scope of scopes) {
      for (const lang of language ? [language, ''] : ['']) {
        const list = this.commands.get(commandKey(scope, lang));
        if (list) return list;
      }
    }
    return [];
  }

  /** Queues an update for getUpdates (or the webhook pusher). */
  push(update: Omit<Update, 'update_id'>): Update {
    const full = { ...update, update_id: this.nextUpdateId++ } as Update;
    this.pending.push(full);
    for (const w of this.waiters.splice(0)) w();
    return full;
  }

  /** Redelivers an update with its original id (Telegram does this when a webhook answer fails). */
  redeliver(update: Update): void {
    this.pending.push(update);
    for (const w of this.waiters.splice(0)) w();
  }

  /** getUpdates semantics: confirm everything below `offset`, wait up to `timeoutS` for more. */
  async takeUpdates(offset: number | undefined, limit: number, timeoutS: number, signal: AbortSignal): Promise<Update[]> {
    if (offset !== undefined) this.pending = this.pending.filter((u) => u.update_id >= offset);
    if (this.pending.length === 0 && timeoutS > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutS * 1000);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    return this.pending.slice(0, limit);
  }

  /** Puts updates taken for webhook delivery back in front of the queue (the webhook was removed before they went out). */
  requeue(updates: Update[]): void {
    this.pending.unshift(...updates);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Removes and returns the queued updates (webhook mode delivers them itself). */
  drain(): Update[] {
    return this.pending.splice(0);
  }

  botMessages(chatId: number): StoredMessage[] {
    return this.chatMessages(chatId).filter((m) => m.from_bot && !m.deleted);
  }
}

/** One key per (scope, language): `default/`, `all_private_chats/en`, `chat:42/ru`, … */
function commandKey(scope: BotCommandScope | undefined, language: string): string {
  const s = scope ?? { type: 'default' };
  const target = 'chat_id' in s ? `:${s.chat_id}` : '';
  const member = 'user_id' in s ? `:${s.user_id}` : '';
  return `${s.type}${target}${member}/${language}`;
}

/** A message as the Bot API shows it (without the sandbox's bookkeeping fields). */
export function asApiMessage(m: StoredMessage): Message {
  const { from_bot: _b, edits: _e, deleted: _d, system: _s, ...message } = m;
  return message as Message;
}

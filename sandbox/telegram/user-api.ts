import { randomBytes } from 'node:crypto';
import type { Message, Update, User } from 'grammy/types';
import { sniffMime } from './files';
import { photoSizes, probeDuration } from './media';
import { asApiMessage, type StoredMessage, type TelegramWorld } from './state';

export type UserPatch = Partial<Pick<User, 'first_name' | 'last_name' | 'username' | 'language_code'>>;
export type MediaKind = 'photo' | 'voice' | 'audio' | 'video_note' | 'document';

/** Telegram's clients send at most 10 files as one album. */
export const ALBUM_LIMIT = 10;

export class UserActionError extends Error {}

export interface PaymentOutcome {
  status: 'paid' | 'declined' | 'timeout';
  chargeId?: string;
  error?: string;
  update?: Update;
}

/** Acting as users: everything a person does in a Telegram client, turned into updates for the bot. */
export class UserActions {
  constructor(private readonly world: TelegramWorld) {}

  private post(userId: number, patch: UserPatch, fields: Partial<Message>): Update {
    const from = this.world.user(userId, patch);
    const stored = this.world.store(userId, { from, ...fields, from_bot: false } as Omit<StoredMessage, 'message_id' | 'date' | 'chat' | 'edits'>);
    return this.world.push({ message: asApiMessage(stored) as Update['message'] });
  }

  sendText(userId: number, text: string, patch: UserPatch = {}): Update {
    const command = /^\/\w+/.exec(text);
    const entities = command ? [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] : undefined;
    return this.post(userId, patch, { text, entities });
  }

  /** Refuses an 11th item in one album (a Telegram client splits bigger selections into several albums). */
  private checkAlbum(userId: number, mediaGroupId: string | undefined): void {
    if (!mediaGroupId) return;
    const items = this.world.chatMessages(userId).filter((m) => m.media_group_id === mediaGroupId && !m.from_bot).length;
    if (items >= ALBUM_LIMIT) throw new UserActionError(`album ${mediaGroupId} already has ${ALBUM_LIMIT} items`);
  }

  async sendPhoto(userId: number, data: Buffer, opts: { caption?: string; mediaGroupId?: string } & UserPatch = {}): Promise<Update> {
    const { caption, mediaGroupId, ...patch } = opts;
    this.checkAlbum(userId, mediaGroupId);
    const photo = await photoSizes(this.world.files, data);
    return this.post(userId, patch, { photo, caption, media_group_id: mediaGroupId });
  }

  /**
   * Photos sent together: photo messages sharing a media_group_id, as Telegram delivers them;
   * more than 10 go as several albums, as a Telegram client sends them.
   */
  async sendAlbum(userId: number, photos: Buffer[], patch: UserPatch = {}): Promise<Update[]> {
    const updates: Update[] = [];
    for (let i = 0; i < photos.length; i += ALBUM_LIMIT) {
      const group = this.world.mediaGroupId();
      for (const data of photos.slice(i, i + ALBUM_LIMIT)) updates.push(await this.sendPhoto(userId, data, { mediaGroupId: group, ...patch }));
    }
    return updates;
  }

  /** Voice notes, audio files, video notes and documents with real bytes; durations come from ffprobe. */
  async sendMedia(userId: number, kind: Exclude<MediaKind, 'photo'>, data: Buffer, opts: { fileName?: string; mimeType?: string; caption?: string; duration?: number; mediaGroupId?: string } & UserPatch = {}): Promise<Update> {
    const { fileName, mimeType, caption, duration: given, mediaGroupId, ...patch } = opts;
    this.checkAlbum(userId, mediaGroupId);
    const mime = mimeType ?? sniffMime(data, kind === 'document' ? 'application/octet-stream' : 'audio/ogg');
    const file = this.world.files.put(data, mime, kind === 'document' ? 'documents' : kind === 'video_note' ? 'video_notes' : kind === 'voice' ? 'voice' : 'music', fileName);
    const base = { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: data.length };
    const duration = given ?? (kind === 'document' ? 0 : await probeDuration(data));
    const fields: Partial<Message> =
      kind === 'voice'
        ? { voice: { ...base, duration, mime_type: mime } }
        : kind === 'audio'
          ? { audio: { ...base, duration, mime_type: mime, file_name: fileName } }
          : kind === 'video_note'
            ? { video_note: { ...base, duration, length: 240 } }
            : { document: { ...base, file_name: fileName, mime_type: mime } };
    return this.post(userId, patch, { ...fields, caption, media_group_id: mediaGroupId });
  }

  pressButton(userId: number, messageId: number, data: string): Update {
    const from = this.world.user(userId);
    const message = this.world.find(userId, messageId);
    if (!message) throw new Error(`no message ${messageId} in chat ${userId}`);
    const id = randomBytes(8).toString('hex');
    this.world.callbackQueries.set(id, Date.now());
    return this.world.push({
      callback_query: { id, from, message: asApiMessage(message), chat_instance: String(userId), data } as Update['callback_query'],
    });
  }

  /**
   * Pays an invoice the bot sent: a pre_checkout_query the bot must answer
   * within 10 s, then (if approved) a successful_payment message.
   */
  async payInvoice(userId: number, messageId: number, { answerTimeoutMs = 10_000 } = {}): Promise<PaymentOutcome> {
    const invoice = this.world.find(userId, messageId) as (StoredMessage & { invoice_payload?: string }) | undefined;
    if (!invoice?.invoice) throw new Error(`message ${messageId} in chat ${userId} is not an invoice`);
    const from = this.world.user(userId);
    const queryId = randomBytes(8).toString('hex');
    const { currency, total_amount } = invoice.invoice;
    const payload = invoice.invoice_payload ?? '';
    this.world.push({ pre_checkout_query: { id: queryId, from, currency, total_amount, invoice_payload: payload } });

    const deadline = Date.now() + answerTimeoutMs;
    let answer = this.world.preCheckoutAnswers.get(queryId);
    while (!answer && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      answer = this.world.preCheckoutAnswers.get(queryId);
    }
    const say = (text: string) => this.world.store(userId, { from: this.world.bot, text, system: true, from_bot: true });
    if (!answer) {
      say('⚠️ Payment failed: the bot did not confirm in time.');
      return { status: 'timeout' };
    }
    if (!answer.ok) {
      say(`⚠️ Payment declined: ${answer.error_message ?? ''}`);
      return { status: 'declined', error: answer.error_message };
    }
    const chargeId = `stxSANDBOX${randomBytes(12).toString('hex')}`;
    this.world.payments.set(chargeId, { chargeId, userId, amount: total_amount, payload, refunded: false });
    const update = this.post(userId, {}, {
      successful_payment: { currency, total_amount, invoice_payload: payload, telegram_payment_charge_id: chargeId, provider_payment_charge_id: '' },
    });
    return { status: 'paid', chargeId, update };
  }
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { validate } from '@telegram-apps/init-data-node';

/**
 * Who is uploading: a Telegram Mini App's `initData`, checked by Telegram's
 * rules (`@telegram-apps/init-data-node`: HMAC-SHA256 with the key
 * HMAC_SHA256("WebAppData", bot token) over the sorted `key=value` lines, and
 * `auth_date` not older than `maxAgeSeconds`), or a one-time link the bot
 * gave the user for a browser outside Telegram.
 */
export interface Uploader {
  telegramId: number;
  /** The link's nonce: a link serves one upload. */
  linkNonce?: string;
}

/** How long a Mini App session may upload (Telegram re-signs initData each time the app opens). */
export const INIT_DATA_MAX_AGE_SECONDS = 24 * 3600;
/** How long a one-time upload link is valid. */
export const UPLOAD_LINK_TTL_SECONDS = 24 * 3600;

export function uploaderFromInitData(initData: string, botToken: string, maxAgeSeconds = INIT_DATA_MAX_AGE_SECONDS): Uploader | null {
  try {
    validate(initData, botToken, { expiresIn: maxAgeSeconds });
    // The signature holds, so its fields are Telegram's. Only the user's id is needed: read it directly
    // (the library's full parser also demands fields, like the newer `signature`, that older clients do not send).
    const user = JSON.parse(new URLSearchParams(initData).get('user') ?? 'null') as { id?: unknown } | null;
    return typeof user?.id === 'number' && Number.isSafeInteger(user.id) ? { telegramId: user.id } : null;
  } catch {
    return null; // forged, another bot's, expired or malformed
  }
}

/** The links' own key, derived from the bot token (so a link is never an initData signature). */
const linkKey = (botToken: string) => createHmac('sha256', 'AishaUploadLink').update(botToken).digest();
const linkMac = (payload: string, botToken: string) => createHmac('sha256', linkKey(botToken)).update(payload).digest('base64url');

/** `<telegramId>.<expires (unix s)>.<nonce>.<mac>`: a link to the upload page for one upload within the TTL. */
export function signUploadLink(telegramId: number, botToken: string, now = Date.now(), ttlSeconds = UPLOAD_LINK_TTL_SECONDS): string {
  const payload = `${telegramId}.${Math.floor(now / 1000) + ttlSeconds}.${randomBytes(12).toString('base64url')}`;
  return `${payload}.${linkMac(payload, botToken)}`;
}

export function uploaderFromLink(token: string, botToken: string, now = Date.now()): Uploader | null {
  const m = /^(\d{1,16})\.(\d{1,12})\.([\w-]{16})\.([\w-]{43})$/.exec(token);
  if (!m) return null;
  const payload = `${m[1]}.${m[2]}.${m[3]}`;
  const given = Buffer.from(m[4]!, 'base64url');
  const expected = Buffer.from(linkMac(payload, botToken), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (Number(m[2]) * 1000 < now) return null;
  return { telegramId: Number(m[1]), linkNonce: m[3]! };
}

/** `Authorization: tma <initData>` (the Mini App) or `Authorization: link <token>` (the page outside Telegram). */
export function uploaderFromAuthorization(header: string | null, botToken: string): Uploader | null {
  const m = /^(tma|link) (.+)$/.exec(header ?? '');
  if (!m) return null;
  return m[1] === 'tma' ? uploaderFromInitData(m[2]!, botToken) : uploaderFromLink(m[2]!, botToken);
}

import { createHmac } from 'node:crypto';
import { TEST_BOT_TOKEN } from './config';

/**
 * Telegram's rule for a Mini App's initData, written out here (not with the
 * library the bot uses, so the two are checked against each other): the
 * sorted `key=value` lines without `hash`, HMAC-SHA256 with the key
 * HMAC_SHA256("WebAppData", bot token), hex.
 */
export function signInitDataFields(fields: Record<string, string>, botToken = TEST_BOT_TOKEN): string {
  const check = Object.keys(fields).toSorted().map((k) => `${k}=${fields[k]}`).join('\n');
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  return new URLSearchParams({ ...fields, hash: createHmac('sha256', secret).update(check).digest('hex') }).toString();
}

/** initData for this Telegram user, signed at `authDate`. */
export function signInitData(user: { id: number; first_name: string; language_code?: string }, botToken = TEST_BOT_TOKEN, authDate = new Date()): string {
  return signInitDataFields({ auth_date: String(Math.floor(authDate.getTime() / 1000)), query_id: 'AAHdF6IQAAAAAN0XohDhrOrc', user: JSON.stringify(user) }, botToken);
}

import { callbacks } from '../vocabulary/callback-data';
import type { Language } from '../vocabulary/languages';
import { telegramActivities } from './proxies';

/** The user could not pay for a job: say what it costs and offer a top-up. Nothing was written. */
export async function notifyInsufficientFunds(chatId: number, language: Language, required: number, balance: number): Promise<void> {
  await telegramActivities().sendMessage({
    chatId,
    language,
    message: { key: 'insufficient-funds', params: { required, balance } },
    buttons: [[{ label: { key: 'balance-topup-button' }, data: callbacks.topupMenu.pack({}) }]],
  });
}

import { upsertSearchAttributes } from '@temporalio/workflow';
import type { TopUpInput } from '../activities/payments';
import { dbActivities, telegramActivities } from './proxies';
import { JobStatusKey } from '../vocabulary/search-attributes';

/**
 * A Telegram Stars payment arrived (`topup-<telegram_payment_charge_id>`):
 * credit the pack once, confirm. A redelivered payment update maps to the
 * same workflow id; the ledger key `topup:<chargeId>` makes a repeat harmless.
 */
export async function topUpWorkflow(input: TopUpInput & { chatId: number }): Promise<{ applied: boolean; balance: number }> {
  const result = await dbActivities().creditTopUp(input);
  if (result.applied) {
    await telegramActivities().sendMessage({
      chatId: input.chatId,
      language: result.language,
      message: { key: 'topup-done', params: { credits: input.credits, stars: input.stars, balance: result.balance } },
    });
  }
  upsertSearchAttributes([{ key: JobStatusKey, value: 'completed' }]);
  return { applied: result.applied, balance: result.balance };
}

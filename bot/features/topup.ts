import { Composer } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import type { Config } from '../../lib/config';
import { workflowIds } from '../../vocabulary/ids';
import type { topUpWorkflow } from '../../workflows/topup';
import type { AppContext } from '../context';
import { topupPacksKeyboard } from '../keyboards';
import { startUserWorkflow } from '../start-workflow';
import { offerContinue } from './waiting';

export const topupFeature = new Composer<AppContext>();

type Pack = Config['tariffs']['starsPacks'][number];

/** How long a payment update waits for its credits before offering to continue a waiting action. */
const CONTINUE_WAIT_MS = 15_000;

/** What an invoice promises, carried by Telegram from the invoice to the payment: `topup:<pack>:<credits>:<stars>`. */
const invoicePayload = (p: Pack) => `topup:${p.id}:${p.credits}:${p.stars}`;

function parsePayload(payload: string): Pack | null {
  const m = /^topup:([\w-]+):(\d+):(\d+)$/.exec(payload);
  return m ? { id: m[1]!, credits: Number(m[2]), stars: Number(m[3]) } : null;
}

/** The pack an invoice payload names, if the configuration still offers it on the same terms. */
function packFor(payload: string, packs: Pack[]): Pack | null {
  const promised = parsePayload(payload);
  const pack = packs.find((p) => p.id === promised?.id);
  return pack && promised && pack.credits === promised.credits && pack.stars === promised.stars ? pack : null;
}

const showPacks = (ctx: AppContext) => ctx.reply(ctx.t('topup-title'), { reply_markup: topupPacksKeyboard(ctx.t, ctx.services.config.tariffs.starsPacks) });

topupFeature.command('topup', showPacks);
topupFeature.callbackQuery(callbacks.topupMenu.filter, async (ctx) => {
  await ctx.answerCallbackQuery();
  await showPacks(ctx);
});

/** A pack button: a Telegram Stars (XTR) invoice with one price and no provider token. */
topupFeature.callbackQuery(callbacks.topupPack.filter, async (ctx) => {
  const packId = callbacks.topupPack.unpack(ctx.callbackQuery.data)?.pack;
  const pack = ctx.services.config.tariffs.starsPacks.find((p) => p.id === packId);
  if (!pack) return ctx.answerCallbackQuery({ text: ctx.t('topup-pack-unknown'), show_alert: true });
  await ctx.answerCallbackQuery();
  const title = ctx.t('topup-invoice-title', { credits: pack.credits });
  await ctx.replyWithInvoice(title, ctx.t('topup-invoice-description'), invoicePayload(pack), 'XTR', [{ label: title, amount: pack.stars }]);
});

/** Telegram waits at most 10 s for this answer: a lookup in the configuration, nothing slow. */
topupFeature.on('pre_checkout_query', async (ctx) => {
  const q = ctx.preCheckoutQuery;
  const pack = packFor(q.invoice_payload, ctx.services.config.tariffs.starsPacks);
  if (q.currency !== 'XTR' || !pack || pack.stars !== q.total_amount) {
    ctx.logger.warn({ payload: q.invoice_payload, amount: q.total_amount }, 'pre-checkout refused');
    return ctx.answerPreCheckoutQuery(false, { error_message: ctx.t('topup-pack-unknown') });
  }
  return ctx.answerPreCheckoutQuery(true);
});

/** The money arrived: a workflow credits it once per telegram_payment_charge_id and confirms. */
topupFeature.on('message:successful_payment', async (ctx) => {
  const p = ctx.message.successful_payment;
  const promised = parsePayload(p.invoice_payload);
  if (!promised || p.currency !== 'XTR') {
    // Paid for something we never offered: log loudly for an operator; the Stars can be refunded with /admin.
    ctx.logger.error({ chargeId: p.telegram_payment_charge_id, payload: p.invoice_payload }, 'payment with an unknown payload');
    return ctx.reply(ctx.t('topup-payment-problem'));
  }
  // Credit what the invoice promised, even if the configuration changed since.
  const handle = await startUserWorkflow<typeof topUpWorkflow>(ctx, 'topUpWorkflow', {
    workflowId: workflowIds.topup(p.telegram_payment_charge_id),
    kind: 'topup',
    summary: `top-up ⭐ ${p.total_amount} (${p.invoice_payload})`,
    args: [
      {
        telegramId: ctx.from.id,
        chatId: ctx.chat.id,
        chargeId: p.telegram_payment_charge_id,
        providerChargeId: p.provider_payment_charge_id || undefined,
        packId: promised.id,
        stars: p.total_amount,
        credits: promised.credits,
      },
    ],
  });
  // An action that lacked credits gets "▶ Continue" once the credits are in (within a few seconds; else the user retries it).
  if (handle && ctx.session.waiting) {
    const credited = await Promise.race([handle.result(), new Promise<null>((resolve) => setTimeout(() => resolve(null), CONTINUE_WAIT_MS).unref())]).catch(() => null);
    if (credited?.applied) await offerContinue(ctx, credited.balance);
  }
});

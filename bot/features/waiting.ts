import { Composer, InlineKeyboard } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import { getBalance } from '../../lib/db/ledger';
import { findUserByTelegramId } from '../../lib/db/users';
import type { AppContext } from '../context';
import type { SessionData } from '../session';

/**
 * Money before work: an action the user cannot pay for is refused before it
 * starts (the workflow's charge stays the real guard), with a top-up button;
 * it is remembered, and once a top-up covers it, "▶ Continue" resumes it.
 */
export const waitingFeature = new Composer<AppContext>();

type Waiting = NonNullable<SessionData['waiting']>;

/** Resumers by kind, registered by the features that own the action (avatar start, generation offer). */
const resumers: { [K in Waiting['kind']]?: (ctx: AppContext, waiting: Extract<Waiting, { kind: K }>) => Promise<unknown> } = {};
export function onContinue<K extends Waiting['kind']>(kind: K, resume: (ctx: AppContext, waiting: Extract<Waiting, { kind: K }>) => Promise<unknown>) {
  (resumers as Record<string, unknown>)[kind] = resume;
}

/** The user's balance, or null before /start. */
export async function balanceOf(ctx: AppContext): Promise<number | null> {
  const user = ctx.from ? await findUserByTelegramId(ctx.services.prisma, ctx.from.id) : null;
  return user ? getBalance(ctx.services.prisma, user.id) : null;
}

/** Whether the balance covers `waiting.price`; if not, says so with a top-up button and remembers the action. Nothing is charged. */
export async function canPay(ctx: AppContext, waiting: Waiting): Promise<boolean> {
  const balance = await balanceOf(ctx);
  if (balance === null || balance >= waiting.price) return true; // unknown users are refused by the caller
  ctx.session = { ...ctx.session, waiting };
  await ctx.reply(ctx.t('insufficient-funds-waiting', { required: waiting.price, balance }), {
    reply_markup: new InlineKeyboard().text(ctx.t('balance-topup-button'), callbacks.topupMenu.pack({})),
  });
  return false;
}

/** After a top-up: the remembered action, if the new balance covers it, gets a "▶ Continue" button. */
export async function offerContinue(ctx: AppContext, balance: number): Promise<void> {
  const waiting = ctx.session.waiting;
  if (!waiting || balance < waiting.price) return;
  await ctx.reply(ctx.t('continue-offer', { kind: waiting.kind, price: waiting.price, balance }), {
    reply_markup: new InlineKeyboard().text(ctx.t('continue-button'), callbacks.continueWaiting.pack({})),
  });
}

waitingFeature.callbackQuery(callbacks.continueWaiting.filter, async (ctx) => {
  const waiting = ctx.session.waiting;
  const resume = waiting && (resumers[waiting.kind] as ((c: AppContext, w: Waiting) => Promise<unknown>) | undefined);
  if (!waiting || !resume) return ctx.answerCallbackQuery({ text: ctx.t('continue-nothing') });
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
  ctx.session = { ...ctx.session, waiting: undefined };
  await resume(ctx, waiting);
});

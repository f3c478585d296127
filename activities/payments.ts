import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../lib/prisma';
import { applyLedgerEntry, InsufficientFundsError } from '../lib/db/ledger';
import { upsertUser } from '../lib/db/users';
import type { Language } from '../lib/i18n';

export interface TopUpInput {
  telegramId: number;
  chargeId: string;
  providerChargeId?: string;
  packId: string;
  stars: number;
  credits: number;
}

export type PaymentRefundDebit =
  | { ok: true; telegramId: number; credits: number; stars: number; balance: number; language: Language }
  | { ok: false; reason: 'not-found' | 'already-refunded' }
  | { ok: false; reason: 'insufficient'; balance: number; credits: number };

/** Telegram Stars payments: credit once per `telegram_payment_charge_id`; refunds debit first, then give the Stars back. */
export function createPaymentActivities({ prisma }: { prisma: PrismaClient }) {
  return {
    /** The payment row and the TOPUP commit together, once (ledger key `topup:<chargeId>`, unique charge id). */
    async creditTopUp(input: TopUpInput): Promise<{ applied: boolean; balance: number; language: Language }> {
      const user = await upsertUser(prisma, { telegramId: input.telegramId });
      const r = await applyLedgerEntry(
        prisma,
        { userId: user.id, kind: 'TOPUP', amount: input.credits, idempotencyKey: `topup:${input.chargeId}`, reason: `${input.stars} Stars (${input.packId})` },
        async (tx) => {
          await tx.payment.create({
            data: {
              userId: user.id,
              telegramPaymentChargeId: input.chargeId,
              providerPaymentChargeId: input.providerChargeId ?? null,
              stars: input.stars,
              credits: input.credits,
              packId: input.packId,
            },
          });
        },
      );
      return { applied: r.applied, balance: r.balanceAfter, language: user.language };
    },

    /** Takes back a top-up's credits before its Stars are refunded; says why when it cannot. */
    /** `attempt` (the workflow run) scopes the ledger keys: a later attempt after a reverted one debits anew. */
    async debitForPaymentRefund({ chargeId, attempt }: { chargeId: string; attempt: string }): Promise<PaymentRefundDebit> {
      const payment = await prisma.payment.findUnique({
        where: { telegramPaymentChargeId: chargeId },
        select: { userId: true, credits: true, stars: true, status: true, user: { select: { telegramId: true, language: true } } },
      });
      if (!payment) return { ok: false, reason: 'not-found' };
      if (payment.status === 'REFUNDED') return { ok: false, reason: 'already-refunded' };
      try {
        const r = await applyLedgerEntry(prisma, {
          userId: payment.userId,
          kind: 'ADJUST',
          amount: -payment.credits,
          idempotencyKey: `payment-refund:${chargeId}:${attempt}`,
          reason: `Stars refund ${chargeId}`,
        });
        return { ok: true, telegramId: Number(payment.user.telegramId), credits: payment.credits, stars: payment.stars, balance: r.balanceAfter, language: payment.user.language };
      } catch (err) {
        if (err instanceof InsufficientFundsError) return { ok: false, reason: 'insufficient', balance: err.balance, credits: payment.credits };
        throw err;
      }
    },

    /** Compensation when Telegram refused the Stars refund: the credits go back. */
    async revertPaymentRefundDebit({ chargeId, attempt }: { chargeId: string; attempt: string }): Promise<{ balance: number }> {
      const payment = await prisma.payment.findUnique({ where: { telegramPaymentChargeId: chargeId }, select: { userId: true, credits: true } });
      if (!payment) throw ApplicationFailure.create({ message: `no payment ${chargeId}`, nonRetryable: true });
      const r = await applyLedgerEntry(prisma, {
        userId: payment.userId,
        kind: 'ADJUST',
        amount: payment.credits,
        idempotencyKey: `payment-refund-revert:${chargeId}:${attempt}`,
        reason: `Stars refund failed ${chargeId}`,
      });
      return { balance: r.balanceAfter };
    },

    async markPaymentRefunded({ chargeId }: { chargeId: string }): Promise<void> {
      await prisma.payment.update({ where: { telegramPaymentChargeId: chargeId }, data: { status: 'REFUNDED', refundedAt: new Date() } });
    },
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;

import { Composer } from 'grammy';
import { findUserByTelegramId } from '../../lib/db/users';
import { getBalance, recentTransactions } from '../../lib/db/ledger';
import type { AppContext } from '../context';

export const balanceFeature = new Composer<AppContext>();

const formatDate = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;

/** `/balance`: the balance and the last 10 ledger rows (read-only). */
balanceFeature.command('balance', async (ctx) => {
  if (!ctx.from) return;
  const { prisma } = ctx.services;
  const user = await findUserByTelegramId(prisma, ctx.from.id);
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  const [balance, txs] = await Promise.all([getBalance(prisma, user.id), recentTransactions(prisma, user.id, 10)]);
  const lines = [ctx.t('balance-title', { balance }), '', ctx.t(txs.length ? 'balance-history-title' : 'balance-history-empty')];
  for (const tx of txs) {
    const sign = tx.amount > 0 ? '+' : '−';
    lines.push(`${formatDate(tx.createdAt)}  ${ctx.t(`tx-${tx.kind}`)}  ${sign}${Math.abs(tx.amount)} → ${tx.balanceAfter}`);
  }
  return ctx.reply(lines.join('\n'));
});

import { Composer } from 'grammy';
import { findUserByTelegramId } from '../../lib/db/users';
import { getBalance, recentTransactions } from '../../lib/db/ledger';
import type { AppContext } from '../context';
import { topupButtonKeyboard } from '../keyboards';

export const balanceFeature = new Composer<AppContext>();

const pad = (n: number) => String(n).padStart(2, '0');
const formatDate = (d: Date) => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

/** `/balance`: the balance, the last 10 ledger rows, the tariffs, a top-up button (read-only). */
balanceFeature.command('balance', async (ctx) => {
  if (!ctx.from) return;
  const { prisma, config } = ctx.services;
  const user = await findUserByTelegramId(prisma, ctx.from.id);
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  const [balance, txs] = await Promise.all([getBalance(prisma, user.id), recentTransactions(prisma, user.id, 10)]);
  const lines = [ctx.t('balance-title', { balance }), '', ctx.t(txs.length ? 'balance-history-title' : 'balance-history-empty')];
  for (const tx of txs) {
    const sign = tx.amount > 0 ? '+' : '−';
    const job = tx.jobId ? `  · ${tx.jobId}` : '';
    lines.push(`${formatDate(tx.createdAt)}  ${ctx.t(`tx-${tx.kind}`)}  ${sign}${Math.abs(tx.amount)} → ${tx.balanceAfter}${job}`);
  }
  const { tariffs } = config;
  lines.push(
    '',
    ctx.t('balance-tariffs', {
      training: tariffs.avatarTraining,
      avatarImage: tariffs.avatarImage,
      imagen: tariffs.imagenImage,
      minute: tariffs.transcriptionMinute,
    }),
  );
  return ctx.reply(lines.join('\n'), { reply_markup: topupButtonKeyboard(ctx.t) });
});

import { Composer } from 'grammy';
import { getBalance } from '../../lib/db/ledger';
import { findUserByTelegramId } from '../../lib/db/users';
import type { adminGrantWorkflow, refundPaymentWorkflow } from '../../workflows/admin';
import { workflowIds } from '../../workflows/ids';
import type { AppContext } from '../context';
import { startUserWorkflow } from '../start-workflow';

export const adminFeature = new Composer<AppContext>();

/** Admins only (ADMIN_TELEGRAM_IDS); anyone else gets no answer at all, not even "unknown command". */
adminFeature.command('admin', async (ctx) => {
  if (!ctx.from || !ctx.services.config.adminTelegramIds.includes(ctx.from.id)) {
    ctx.logger.warn('non-admin tried /admin');
    return;
  }
  const [sub, ...args] = ctx.match.trim().split(/\s+/);
  const adminChat = { adminChatId: ctx.chat.id, adminLanguage: ctx.language };

  if (sub === 'grant' && args.length >= 3) {
    const [user, amount, ...reason] = args;
    const telegramId = Number(user);
    const credits = Number(amount);
    if (!Number.isSafeInteger(telegramId) || telegramId <= 0) return ctx.reply(ctx.t('admin-usage'));
    if (!Number.isSafeInteger(credits) || credits < 1 || credits > 1_000_000) return ctx.reply(ctx.t('admin-bad-amount'));
    if (!(await findUserByTelegramId(ctx.services.prisma, telegramId))) return ctx.reply(ctx.t('admin-user-not-found', { user: String(telegramId) }));
    await startUserWorkflow<typeof adminGrantWorkflow>(ctx, 'adminGrantWorkflow', {
      workflowId: workflowIds.adminGrant(ctx.from.id, ctx.update.update_id),
      kind: 'admin',
      userTelegramId: telegramId,
      args: [{ ...adminChat, updateId: ctx.update.update_id, telegramId, credits, reason: reason.join(' ') }],
    });
    return;
  }

  if (sub === 'balance' && args.length === 1) {
    const telegramId = Number(args[0]);
    const user = Number.isSafeInteger(telegramId) ? await findUserByTelegramId(ctx.services.prisma, telegramId) : null;
    if (!user) return ctx.reply(ctx.t('admin-user-not-found', { user: args[0]! }));
    return ctx.reply(ctx.t('admin-balance', { user: String(telegramId), balance: await getBalance(ctx.services.prisma, user.id) }));
  }

  if (sub === 'refund-payment' && args.length === 1 && /^[\w-]{1,200}$/.test(args[0]!)) {
    const chargeId = args[0]!;
    await startUserWorkflow<typeof refundPaymentWorkflow>(ctx, 'refundPaymentWorkflow', {
      workflowId: workflowIds.refundPayment(chargeId),
      kind: 'admin',
      args: [{ ...adminChat, chargeId }],
      reusePolicy: 'ALLOW_DUPLICATE',
    });
    return ctx.reply(ctx.t('admin-started'));
  }

  return ctx.reply(ctx.t('admin-usage'));
});

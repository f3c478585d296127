import { Composer } from 'grammy';
import { getBalance } from '../../lib/db/ledger';
import { adminStats } from '../../lib/db/stats';
import { userReport } from '../../lib/db/user-report';
import { findUserByTelegramId } from '../../lib/db/users';
import type { adminGrantWorkflow, refundPaymentWorkflow } from '../../workflows/admin';
import { workflowIds } from '../../vocabulary/ids';
import type { AppContext } from '../context';
import { startUserWorkflow } from '../start-workflow';
import { adminRefundJob, adminRetryJob, jobPrefix } from './admin-jobs';
import { renderStats, renderUserReport } from './admin-views';

export const adminFeature = new Composer<AppContext>();

/** `/admin stats 2026-11-20`: the figures as of the end of that UTC day (or now, if it is today). */
function statsMoment(arg: string | undefined): Date | null {
  if (!arg) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(arg)) return null;
  const end = Date.parse(`${arg}T23:59:59.999Z`);
  return Number.isNaN(end) ? null : new Date(Math.min(end, Date.now()));
}

/**
 * Admins only (ADMIN_TELEGRAM_IDS); anyone else gets no answer at all, not even "unknown command".
 * `/admin` or `/admin stats [yyyy-mm-dd]`, `/admin user <telegramId>`, `/admin refund <job>`,
 * `/admin retry <job>`, `/admin grant …`, `/admin balance …`, `/admin refund-payment …`.
 */
adminFeature.command('admin', async (ctx) => {
  if (!ctx.from || !ctx.services.config.adminTelegramIds.includes(ctx.from.id)) {
    ctx.logger.warn('non-admin tried /admin');
    return;
  }
  const [sub, ...args] = ctx.match.trim().split(/\s+/);
  const adminChat = { adminChatId: ctx.chat.id, adminLanguage: ctx.language };

  if (!sub || (sub === 'stats' && args.length <= 1)) {
    const now = statsMoment(args[0]);
    if (!now) return ctx.reply(ctx.t('admin-usage'));
    return ctx.reply(renderStats(ctx.t, await adminStats(ctx.services.prisma, now)));
  }

  if (sub === 'user' && args.length === 1) {
    const telegramId = Number(args[0]);
    const report = Number.isSafeInteger(telegramId) && telegramId > 0 ? await userReport(ctx.services.prisma, telegramId) : null;
    if (!report) return ctx.reply(ctx.t('admin-user-not-found', { user: args[0]! }));
    return ctx.reply(renderUserReport(ctx.t, report));
  }

  if ((sub === 'refund' || sub === 'retry') && args.length === 1) {
    const job = args[0]!;
    const prefix = jobPrefix(job);
    if (!prefix) return ctx.reply(ctx.t('admin-job-bad-id'));
    return sub === 'refund' ? adminRefundJob(ctx, job) : adminRetryJob(ctx, job, prefix);
  }

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
      summary: `admin ${ctx.from.id} grants ${credits} credits to ${telegramId}: ${reason.join(' ')}`,
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
      summary: `admin ${ctx.from.id} refunds Stars payment ${chargeId}`,
      reusePolicy: 'ALLOW_DUPLICATE',
    });
    return ctx.reply(ctx.t('admin-started'));
  }

  return ctx.reply(ctx.t('admin-usage'));
});

import { Composer } from 'grammy';
import { getBalance } from '../../lib/db/ledger';
import { ledgerHistory, type HistoryEntry, type HistoryJob } from '../../lib/db/history';
import type { Translate } from '../../lib/i18n';
import { formatDayTime } from '../../lib/time-zone';
import type { AppContext } from '../context';
import { topupButtonKeyboard } from '../keyboards';

export const balanceFeature = new Composer<AppContext>();

/** The longest admin reason a history line shows. */
const REASON_CHARS = 40;

/** What a job was, in words: "Imagen 4 · 2 изображения", "Аватар «Аня» · обучение", "Расшифровка · 12 мин". */
function jobText(t: Translate, job: HistoryJob, amount: number): string {
  if (!job.found) return t('history-job', { kind: job.kind });
  if (job.kind === 'avatar') return t('history-avatar', { name: job.name });
  if (job.kind === 'summary') return t('history-summary');
  if (job.kind === 'transcription') return t('history-transcription', { minutes: job.durationSec ? Math.max(1, Math.ceil(job.durationSec / 60)) : 0 });
  // A refund gives back some of the images: as many as its amount pays for.
  const units = job.unitPrice > 0 && Math.abs(amount) % job.unitPrice === 0 ? Math.abs(amount) / job.unitPrice : job.numImages;
  return t('history-generation', { mode: job.mode, avatar: job.avatarName ?? 'none', count: units });
}

/** What a ledger row was for, as the user reads it (never a workflow id). */
export function historyText(t: Translate, e: HistoryEntry): string {
  if (e.job && e.kind === 'CHARGE') return t('history-charge', { kind: e.job.kind, job: jobText(t, e.job, e.amount) });
  if (e.job && e.kind === 'REFUND') return t('history-refund', { job: jobText(t, e.job, e.amount) });
  if (e.source === 'welcome') return t('history-welcome');
  if (e.source === 'stars-refund') return t('history-stars-refund');
  if (e.source === 'stars-refund-reverted') return t('history-stars-refund-reverted');
  if (e.kind === 'GRANT') {
    const reason = Array.from(e.reason?.replace(/\s+/g, ' ').trim() ?? '');
    return t('history-grant', { reason: reason.length ? reason.slice(0, REASON_CHARS).join('') + (reason.length > REASON_CHARS ? '…' : '') : 'none' });
  }
  return t(`tx-${e.kind}`);
}

/** "06.12 14:05  🎨 Imagen 4 · 2 изображения  −8 → 12", the time in the user's zone. */
export function historyLine(t: Translate, e: HistoryEntry, timeZone: string): string {
  const sign = e.amount > 0 ? '+' : '−';
  return `${formatDayTime(e.createdAt, timeZone)}  ${historyText(t, e)}  ${sign}${Math.abs(e.amount)} → ${e.balanceAfter}`;
}

/** The balance, the last 10 ledger rows, the tariffs, a top-up button (read-only): `/balance` and the menu's 💰. */
export async function showBalance(ctx: AppContext) {
  const { prisma, config } = ctx.services;
  const { user } = ctx;
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  const [balance, history] = await Promise.all([getBalance(prisma, user.id), ledgerHistory(prisma, user.id, 10)]);
  const lines = [ctx.t('balance-title', { balance }), '', ctx.t(history.length ? 'balance-history-title' : 'balance-history-empty')];
  lines.push(...history.map((e) => historyLine(ctx.t, e, ctx.timeZone)));
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
}

balanceFeature.command('balance', async (ctx) => {
  if (!ctx.from) return;
  return showBalance(ctx);
});

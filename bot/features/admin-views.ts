import type { Translate } from '../../lib/i18n';
import type { AdminStats } from '../../lib/db/stats';
import type { UserReport } from '../../lib/db/user-report';

const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

/** `/admin` (or `/admin stats [day]`): the overview in the admin's language, one compact message. */
export function renderStats(t: Translate, s: AdminStats): string {
  const lines = [
    t('admin-stats-title', { day: s.day }),
    t('admin-stats-users', { total: s.users.total, new: s.users.newToday, active: s.users.activeToday, week: s.users.active7d }),
    t('admin-stats-retention-title'),
    ...s.retention.map((r) =>
      r.rate === null
        ? t('admin-stats-retention-empty', { n: r.n })
        : t('admin-stats-retention', { n: r.n, retained: r.retained, cohort: r.cohort, percent: Math.round(r.rate * 100) }),
    ),
    t('admin-stats-jobs-title'),
    ...s.jobsToday.map((j) =>
      t('admin-stats-jobs', { kind: j.kind, total: j.total, statuses: j.byStatus.map((b) => `${b.status.toLowerCase()} ${b.count}`).join(', ') || '—' }),
    ),
    t('admin-stats-credits', { charged: s.credits.charged, refunded: s.credits.refunded }),
  ];
  if (s.failureReasons.length === 0) lines.push(t('admin-stats-failures-none'));
  else lines.push(t('admin-stats-failures-title'), ...s.failureReasons.map((f) => t('admin-stats-failure', { count: f.count, kind: f.kind, reason: f.reason })));
  return lines.join('\n');
}

/** `/admin user <telegramId>`: account, counts, the latest jobs and the last failures. */
export function renderUserReport(t: Translate, r: UserReport): string {
  const name = [r.firstName, r.username ? `@${r.username}` : null].filter(Boolean).join(' ');
  const lines = [
    t('admin-user-title', { user: String(r.telegramId), name: name || '—' }),
    t('admin-user-profile', { balance: r.balance, language: r.language, since: r.memberSince.toISOString().slice(0, 10), seen: minute(r.lastSeenAt) }),
    t('admin-user-counts', { avatars: r.counts.avatars, images: r.counts.images, transcripts: r.counts.transcripts }),
  ];
  if (r.latestJobs.length === 0) lines.push(t('admin-user-jobs-none'));
  else {
    lines.push(t('admin-user-jobs-title'));
    for (const j of r.latestJobs) lines.push(t('admin-user-job', { created: minute(j.createdAt), kind: j.kind, status: j.status.toLowerCase(), job: j.workflowId }));
  }
  if (r.lastFailures.length > 0) {
    lines.push(t('admin-user-failures-title'));
    for (const j of r.lastFailures) lines.push(t('admin-user-failure', { job: j.workflowId, reason: j.failureReason ?? 'unknown' }));
  }
  return lines.join('\n');
}

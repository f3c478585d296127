import type { PrismaClient } from '../prisma';

/** The job kinds the stats count (the kinds a user pays for). */
export type StatsJobKind = 'avatar_training' | 'generation' | 'transcription';
export const STATS_JOB_KINDS: readonly StatsJobKind[] = ['avatar_training', 'generation', 'transcription'];

/** The retention days reported. */
export const RETENTION_DAYS = [1, 7, 30] as const;

/**
 * Dn retention: among the users whose signup day + n is today or earlier
 * (`cohort`), how many were active on exactly their signup day + n
 * (`retained`); `rate` = retained / cohort, null for an empty cohort.
 */
export interface RetentionFigure {
  n: (typeof RETENTION_DAYS)[number];
  cohort: number;
  retained: number;
  rate: number | null;
}

export interface AdminStats {
  /** The UTC day the figures are for (yyyy-mm-dd). */
  day: string;
  /** The moment they were taken: nothing created later is counted. */
  now: Date;
  users: {
    total: number;
    /** Signed up today. */
    newToday: number;
    /** Active today: a recorded activity day, or signed up today. */
    activeToday: number;
    /** Active on any of the last 7 days, today included. */
    active7d: number;
  };
  retention: RetentionFigure[];
  /** Jobs created today, by kind, then by their status (avatar stages or job statuses, as stored). */
  jobsToday: { kind: StatsJobKind; total: number; byStatus: { status: string; count: number }[] }[];
  /** Ledger CHARGE and REFUND entries written today, in credits (both positive). */
  credits: { charged: number; refunded: number };
  /** The most frequent failure reasons of failed jobs created in the last 7 days (top 5). */
  failureReasons: { kind: StatsJobKind; reason: string; count: number }[];
}

const DAY_MS = 24 * 3600 * 1000;
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The operator's overview for `/admin`, relative to `now` in UTC days and
 * ignoring every row created after `now` (so figures "as of" a past moment
 * are exact even while new users and jobs keep arriving).
 *
 * - A user is *active* on a day when `user_activity_days` has that day (the
 *   bot records it on the user's first update of the day) or it is their
 *   signup day. Activity days carry no time: a day up to `now`'s day counts.
 * - *Dn retention* (n = 1, 7, 30): the cohort is every user whose signup day
 *   + n ≤ today; retained are those active on exactly signup day + n.
 * - Jobs: avatars, generations and transcripts created today; failures: rows
 *   with status FAILED created in the last 7 days, grouped by kind and reason.
 */
export async function adminStats(prisma: PrismaClient, now: Date = new Date()): Promise<AdminStats> {
  const day = utcDay(now);
  const at = now.toISOString();
  const dayStart = `${day}T00:00:00.000Z`;
  const weekStart = `${utcDay(new Date(Date.parse(dayStart) - 6 * DAY_MS))}T00:00:00.000Z`;

  const [users] = await prisma.$queryRaw<{ total: number; new_today: number }[]>`
    SELECT count(*)::int AS total,
           count(*) FILTER (WHERE created_at >= ${dayStart}::timestamp)::int AS new_today
    FROM users WHERE created_at <= ${at}::timestamp`;

  const [active] = await prisma.$queryRaw<{ today: number; week: number }[]>`
    WITH known AS (SELECT id, created_at::date AS signup FROM users WHERE created_at <= ${at}::timestamp),
    days AS (
      SELECT a.user_id, a.day FROM user_activity_days a JOIN known k ON k.id = a.user_id
      WHERE a.day > ${day}::date - 7 AND a.day <= ${day}::date
      UNION
      SELECT id, signup FROM known WHERE signup > ${day}::date - 7
    )
    SELECT count(DISTINCT user_id) FILTER (WHERE day = ${day}::date)::int AS today,
           count(DISTINCT user_id)::int AS week
    FROM days`;

  const retentionRows = await prisma.$queryRaw<{ n: number; cohort: number; retained: number }[]>`
    WITH known AS (SELECT id, created_at::date AS signup FROM users WHERE created_at <= ${at}::timestamp)
    SELECT ns.n::int AS n,
           count(k.id)::int AS cohort,
           count(k.id) FILTER (WHERE EXISTS (
             SELECT 1 FROM user_activity_days a WHERE a.user_id = k.id AND a.day = k.signup + ns.n
           ))::int AS retained
    FROM (VALUES (1), (7), (30)) AS ns(n)
    LEFT JOIN known k ON k.signup + ns.n <= ${day}::date
    GROUP BY ns.n ORDER BY ns.n`;

  const jobRows = await prisma.$queryRaw<{ kind: StatsJobKind; status: string; count: number }[]>`
    SELECT 'avatar_training' AS kind, status::text AS status, count(*)::int AS count FROM avatars
      WHERE created_at >= ${dayStart}::timestamp AND created_at <= ${at}::timestamp GROUP BY status
    UNION ALL
    SELECT 'generation', status::text, count(*)::int FROM generations
      WHERE created_at >= ${dayStart}::timestamp AND created_at <= ${at}::timestamp GROUP BY status
    UNION ALL
    SELECT 'transcription', status::text, count(*)::int FROM transcripts
      WHERE created_at >= ${dayStart}::timestamp AND created_at <= ${at}::timestamp GROUP BY status
    ORDER BY kind, count DESC, status`;

  const [credits] = await prisma.$queryRaw<{ charged: number; refunded: number }[]>`
    SELECT coalesce(-sum(amount) FILTER (WHERE kind = 'CHARGE'), 0)::int AS charged,
           coalesce(sum(amount) FILTER (WHERE kind = 'REFUND'), 0)::int AS refunded
    FROM transactions
    WHERE kind IN ('CHARGE', 'REFUND') AND created_at >= ${dayStart}::timestamp AND created_at <= ${at}::timestamp`;

  const failureReasons = await prisma.$queryRaw<{ kind: StatsJobKind; reason: string; count: number }[]>`
    SELECT kind, reason, count(*)::int AS count FROM (
      SELECT 'avatar_training' AS kind, coalesce(failure_reason, 'unknown') AS reason FROM avatars
        WHERE status = 'FAILED' AND created_at >= ${weekStart}::timestamp AND created_at <= ${at}::timestamp
      UNION ALL
      SELECT 'generation', coalesce(failure_reason, 'unknown') FROM generations
        WHERE status = 'FAILED' AND created_at >= ${weekStart}::timestamp AND created_at <= ${at}::timestamp
      UNION ALL
      SELECT 'transcription', coalesce(failure_reason, 'unknown') FROM transcripts
        WHERE status = 'FAILED' AND created_at >= ${weekStart}::timestamp AND created_at <= ${at}::timestamp
    ) failed
    GROUP BY kind, reason ORDER BY count DESC, kind, reason LIMIT 5`;

  return {
    day,
    now,
    users: { total: users?.total ?? 0, newToday: users?.new_today ?? 0, activeToday: active?.today ?? 0, active7d: active?.week ?? 0 },
    retention: retentionRows.map((r) => ({
      n: r.n as RetentionFigure['n'],
      cohort: r.cohort,
      retained: r.retained,
      rate: r.cohort > 0 ? r.retained / r.cohort : null,
    })),
    jobsToday: STATS_JOB_KINDS.map((kind) => {
      const byStatus = jobRows.filter((r) => r.kind === kind).map(({ status, count }) => ({ status, count }));
      return { kind, total: byStatus.reduce((a, r) => a + r.count, 0), byStatus };
    }),
    credits: { charged: credits?.charged ?? 0, refunded: credits?.refunded ?? 0 },
    failureReasons,
  };
}

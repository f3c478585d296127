import type { Language } from '../i18n';
import type { PrismaClient } from '../prisma';
import type { StatsJobKind } from './stats';

/** One job of a user, named by its workflow id (`avatar-…`, `gen-…`, `tr-…`). */
export interface UserJob {
  kind: StatsJobKind;
  workflowId: string;
  /** The row's status as stored (avatar stage or job status). */
  status: string;
  createdAt: Date;
  failureReason: string | null;
}

/** What `/admin user <telegramId>` shows. */
export interface UserReport {
  telegramId: number;
  username: string | null;
  firstName: string | null;
  language: Language;
  balance: number;
  memberSince: Date;
  lastSeenAt: Date;
  /** Avatars and images not deleted; all transcripts. */
  counts: { avatars: number; images: number; transcripts: number };
  /** The 10 latest jobs, newest first. */
  latestJobs: UserJob[];
  /** The 5 latest failed jobs with their reasons, newest first. */
  lastFailures: UserJob[];
}

/** A user's account and jobs for an operator, or null when there is no such user. */
export async function userReport(prisma: PrismaClient, telegramId: number): Promise<UserReport | null> {
  const user = await prisma.user.findUnique({
    where: { telegramId: BigInt(telegramId) },
    select: { id: true, username: true, firstName: true, language: true, createdAt: true, lastSeenAt: true, balance: { select: { credits: true } } },
  });
  if (!user) return null;
  const [avatars, images, transcripts] = await Promise.all([
    prisma.avatar.count({ where: { userId: user.id, deletedAt: null } }),
    prisma.image.count({ where: { userId: user.id, deletedAt: null } }),
    prisma.transcript.count({ where: { userId: user.id } }),
  ]);
  const jobs = (failedOnly: boolean, take: number) => prisma.$queryRaw<{ kind: StatsJobKind; workflow_id: string; status: string; created_at: Date; failure_reason: string | null }[]>`
    SELECT * FROM (
      SELECT 'avatar_training' AS kind, 'avatar-' || id AS workflow_id, status::text AS status, created_at, failure_reason FROM avatars WHERE user_id = ${user.id}
      UNION ALL
      SELECT 'generation', 'gen-' || id, status::text, created_at, failure_reason FROM generations WHERE user_id = ${user.id}
      UNION ALL
      SELECT 'transcription', 'tr-' || id, status::text, created_at, failure_reason FROM transcripts WHERE user_id = ${user.id}
    ) jobs
    WHERE NOT ${failedOnly}::boolean OR status = 'FAILED'
    ORDER BY created_at DESC, workflow_id LIMIT ${take}`;
  const toJob = (r: { kind: StatsJobKind; workflow_id: string; status: string; created_at: Date; failure_reason: string | null }): UserJob => ({
    kind: r.kind,
    workflowId: r.workflow_id,
    status: r.status,
    createdAt: r.created_at,
    failureReason: r.failure_reason,
  });
  const [latest, failed] = await Promise.all([jobs(false, 10), jobs(true, 5)]);
  return {
    telegramId,
    username: user.username,
    firstName: user.firstName,
    language: user.language,
    balance: user.balance?.credits ?? 0,
    memberSince: user.createdAt,
    lastSeenAt: user.lastSeenAt,
    counts: { avatars, images, transcripts },
    latestJobs: latest.map(toJob),
    lastFailures: failed.map(toJob),
  };
}

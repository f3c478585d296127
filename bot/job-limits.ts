import type { AppContext } from './context';

/** Jobs one user may have running at once, by kind. */
export const JOB_LIMITS = { avatar_training: 1, generation: 3, transcription: 2 } as const;
export type LimitedJobKind = keyof typeof JOB_LIMITS;

/** The user's running jobs of a kind, from the rows the workflows keep current. */
export async function runningJobs(ctx: AppContext, userId: number, kind: LimitedJobKind): Promise<number> {
  const { prisma } = ctx.services;
  switch (kind) {
    case 'avatar_training':
      return prisma.avatar.count({ where: { userId, status: { in: ['CHARGED', 'TRAINING'] }, deletedAt: null } });
    case 'generation':
      return prisma.generation.count({ where: { userId, status: { in: ['PENDING', 'RUNNING'] } } });
    case 'transcription':
      return prisma.transcript.count({ where: { userId, status: { in: ['PENDING', 'RUNNING'] } } });
  }
}

/**
 * True when the user may start one more job of this kind; otherwise tells
 * them (a toast for a button, a message otherwise) and returns false.
 * Nothing is charged either way: jobs charge inside their workflow.
 */
export async function withinJobLimit(ctx: AppContext, userId: number, kind: LimitedJobKind): Promise<boolean> {
  const running = await runningJobs(ctx, userId, kind);
  if (running < JOB_LIMITS[kind]) return true;
  const text = ctx.t('job-limit', { kind, limit: JOB_LIMITS[kind] });
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
  else await ctx.reply(text);
  return false;
}

import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { cleanupWorkflow } from '../workflows/cleanup';

/** One Schedule per main task queue (`cleanup-daily-aisha`); a test on a private queue gets its own. */
export const cleanupScheduleId = (taskQueue: string) => `cleanup-daily-${taskQueue}`;

/** When it runs: every day at 03:30 UTC. */
export const CLEANUP_CALENDAR = { hour: 3, minute: 30, comment: 'daily at 03:30 UTC' } as const;

/**
 * Creates the daily cleanup Schedule (workflows/cleanup.ts) unless it exists:
 * every worker calls this at start, the first one creates it, the others find
 * it there (ScheduleAlreadyRunning). An existing Schedule is left as it is —
 * an operator may have paused it (`temporal schedule toggle --pause`); delete
 * it to have the next worker start recreate it with new settings.
 */
export async function ensureCleanupSchedule(client: Client, taskQueue: string): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = cleanupScheduleId(taskQueue);
  try {
    await client.schedule.create<typeof cleanupWorkflow>({
      scheduleId,
      spec: { calendars: [CLEANUP_CALENDAR] },
      action: {
        type: 'startWorkflow',
        workflowType: 'cleanupWorkflow',
        workflowId: `cleanup-${taskQueue}`,
        taskQueue,
        args: [{}],
        workflowExecutionTimeout: '6 hours',
      },
      // A run still going when the next is due: skip the next. A server that was down catches up one run at most.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      state: { note: 'Daily cleanup: audio of ended transcripts, abandoned avatar drafts, training archives older than a week' },
    });
    return { scheduleId, created: true };
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return { scheduleId, created: false };
    throw err;
  }
}

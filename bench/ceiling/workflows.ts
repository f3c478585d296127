// The engine's ceiling for a job of our shape: a workflow that does nothing
// but run `activities` empty activities one after another (bundled only by
// bench/ceiling/worker.ts, never by the app).
import { proxyActivities } from '@temporalio/workflow';

const { nothing } = proxyActivities<{ nothing(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function emptyWorkflow(activities: number): Promise<void> {
  for (let i = 0; i < activities; i++) await nothing();
}

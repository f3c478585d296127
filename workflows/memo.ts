import { patched, upsertMemo } from '@temporalio/workflow';

/**
 * Adds what a job learned (duration, outcome, failure reason) to its memo,
 * next to the `summary` the bot gave it at start, so the Web UI and
 * `temporal workflow describe` say what happened without reading the history.
 *
 * Behind `patched()`: upserting a memo is a workflow command, and histories
 * recorded before this existed have none; for them `patched` answers false
 * during replay and nothing is emitted (see README, "Changing a workflow").
 */
export function noteInMemo(fields: Record<string, string | number | undefined>, unpatched = false): void {
  // `unpatched`: a job whose input already says it is this new (generation revision 2) asks nothing.
  if (!unpatched && !patched('job-memo-v1')) return;
  upsertMemo(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
}

/**
 * The jobs people can follow (replies under each rejected photo, outcomes as
 * new messages, progress with an estimate and ✖️): new Telegram sends are new
 * activity commands, so histories recorded before answer false here and keep
 * their old path during replay.
 */
export const followableJobs = (): boolean => patched('followable-jobs-v1');

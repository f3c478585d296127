/**
 * How long a waiting FAL training sleeps before its next status check
 * (issue 18): FAL's webhook is the way the result arrives, polling is the net
 * for a lost one and the source of progress. Early on it checks every `base`
 * seconds (queue position, first progress), then waits as long as it has
 * already waited (30, 30, 60, 120, … s), never more than half of the time the
 * job is expected to have left, so checks come close together again as the
 * webhook becomes due, and never more than `max`. Once the expected end has
 * passed (the webhook may be lost) it is `base` again, growing to a quarter
 * of how late the job is (still ≤ `max`): a lost webhook costs at most `base`
 * seconds right after the expected end, and at most a quarter of the delay
 * for a job FAL runs far longer than estimated (the P5 bench's 6-hour
 * trainings against a 15-minute estimate checked every 30 s: 118 checks/s
 * for 5 455 of them).
 */
export function nextTrainingPollSeconds(opts: { waited: number; left: number; base: number; max: number }): number {
  const { base } = opts;
  const max = Math.max(base, opts.max);
  const spaced = opts.left > 0 ? Math.min(Math.max(opts.waited, base), opts.left / 2) : -opts.left / 4;
  return Math.round(Math.min(max, Math.max(base, spaced)));
}

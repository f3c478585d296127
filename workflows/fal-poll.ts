/**
 * How long a waiting FAL training sleeps before its next status check
 * (issue 18): FAL's webhook is the way the result arrives, polling is the net
 * for a lost one and the source of progress. Early on it checks every `base`
 * seconds (queue position, first progress), then waits as long as it has
 * already waited (30, 30, 60, 120, … s), never more than half of the time the
 * job is expected to have left, so checks come close together again as the
 * webhook becomes due, and never more than `max`. Once the expected end has
 * passed (the webhook may be lost) it is `base` again: a lost webhook costs
 * at most `base` seconds past the expected end, as before.
 */
export function nextTrainingPollSeconds(opts: { waited: number; left: number; base: number; max: number }): number {
  const { base } = opts;
  const max = Math.max(base, opts.max);
  const spaced = Math.min(Math.max(opts.waited, base), opts.left / 2);
  return Math.round(Math.min(max, Math.max(base, spaced)));
}

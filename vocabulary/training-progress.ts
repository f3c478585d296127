// A training's live status message ("training… 40 %, 12 min so far, about 18
// min left"): rendered by the workflow (older trainings, and the first view)
// and by the fal queue's watchTraining activity (trainings of revision 2,
// which edit their progress without waking the workflow). Pure: both sides
// import it.

export interface TrainingProgressContext {
  name: string;
  /** When FAL took the training (ms since the epoch). */
  startedAt: number;
  /** What a training takes, as observed, before FAL reports any progress. */
  expectedSeconds: number;
  /** The cancel button's callback data. */
  cancelData: string;
}

/** Seconds the training should still take: from FAL's progress once it reports any, else from observed trainings. */
export function trainingSecondsLeft(ctx: TrainingProgressContext, percent: number, now: number): number {
  const elapsed = (now - ctx.startedAt) / 1000;
  return percent > 0 ? (elapsed * (100 - percent)) / percent : ctx.expectedSeconds - elapsed;
}

/** The status message and its cancel button, at `percent` (0 while queued, with the queue position). */
export function trainingProgressView(ctx: TrainingProgressContext, percent: number, queuePosition: number, now: number) {
  const elapsed = (now - ctx.startedAt) / 1000;
  const left = percent > 0 ? trainingSecondsLeft(ctx, percent, now) : Math.max(trainingSecondsLeft(ctx, 0, now), 60);
  return {
    message: { key: 'avatar-training', params: { name: ctx.name, percent, elapsed: Math.floor(elapsed / 60), left: Math.max(1, Math.ceil(left / 60)), queue: queuePosition } },
    buttons: [[{ label: { key: 'avatar-cancel-button' }, data: ctx.cancelData }]],
  };
}

/** What the status message last showed, and when. */
export interface TrainingProgressShown {
  percent: number;
  /** −1 when no queue position was shown. */
  queue: number;
  at: number;
}

/**
 * Whether a status check's news is worth an edit: a higher percentage or a
 * new queue position once `progressSeconds` have passed since the last one,
 * or the same figures refreshed (the minutes move on) every 4 × that.
 */
export function trainingProgressDue(shown: TrainingProgressShown, next: { percent: number; queue?: number }, progressSeconds: number, now: number): boolean {
  const since = now - shown.at;
  const changed = next.percent > shown.percent || (next.queue !== undefined && next.queue !== shown.queue);
  return since >= progressSeconds * 1000 * (changed ? 1 : 4);
}

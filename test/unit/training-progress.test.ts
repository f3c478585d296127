import { describe, expect, it } from 'vitest';
import { trainingProgressDue, trainingProgressView, trainingSecondsLeft } from '../../vocabulary/training-progress';

const ctx = { name: 'Аня', startedAt: 1_000_000, expectedSeconds: 900, cancelData: 'avc:x' };

describe("a training's status message", () => {
  it('estimates the time left from FAL’s percentage, else from observed trainings', () => {
    expect(trainingSecondsLeft(ctx, 0, ctx.startedAt + 300_000)).toBe(600);
    expect(trainingSecondsLeft(ctx, 25, ctx.startedAt + 300_000)).toBe(900); // 5 min for 25 % → 15 more
    const view = trainingProgressView(ctx, 25, 0, ctx.startedAt + 300_000);
    expect(view.message.params).toMatchObject({ name: 'Аня', percent: 25, elapsed: 5, left: 15, queue: 0 });
    expect(view.buttons).toEqual([[{ label: { key: 'avatar-cancel-button' }, data: 'avc:x' }]]);
    // past its estimate with no percentage yet, it still says at least a minute
    expect(trainingProgressView(ctx, 0, 0, ctx.startedAt + 2_000_000).message.params.left).toBe(1);
  });

  it('is edited for news once progressSeconds have passed, and for the clock alone every 4 × that', () => {
    const shown = { percent: 10, queue: -1, at: 0 };
    expect(trainingProgressDue(shown, { percent: 11 }, 30, 29_999)).toBe(false);
    expect(trainingProgressDue(shown, { percent: 11 }, 30, 30_000)).toBe(true);
    expect(trainingProgressDue(shown, { percent: 10 }, 30, 119_999)).toBe(false);
    expect(trainingProgressDue(shown, { percent: 10 }, 30, 120_000)).toBe(true);
    // a new queue position is news; the same one is not
    const queued = { percent: 0, queue: 3, at: 0 };
    expect(trainingProgressDue(queued, { percent: 0, queue: 2 }, 30, 30_000)).toBe(true);
    expect(trainingProgressDue(queued, { percent: 0, queue: 3 }, 30, 30_000)).toBe(false);
  });
});

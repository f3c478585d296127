import { describe, expect, it } from 'vitest';
import { nextTrainingPollSeconds } from '../../workflows/fal-poll';

/** The checks a training makes over `seconds` when it is expected to take `expected` (no progress reported). */
function checks(expected: number, seconds: number, base = 30, max = 300): number[] {
  const at: number[] = [];
  for (let t = 0; t < seconds; ) {
    t += nextTrainingPollSeconds({ waited: t, left: expected - t, base, max });
    at.push(t);
  }
  return at;
}

describe('a waiting training spaces its FAL status checks', () => {
  it('checks every base seconds at first, then waits as long as it has waited', () => {
    expect(checks(3600, 500)).toEqual([30, 60, 120, 240, 480, 780]);
  });

  it('never waits longer than max, however far off the end is', () => {
    const at = checks(6 * 3600, 3600);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(Math.max(...gaps)).toBe(300);
    expect(at.length).toBeLessThan(3600 / 30 / 5); // a fifth of the checks a fixed 30 s makes
  });

  it('closes in on the expected end, checks every base seconds right after it, then a quarter of how late the job is', () => {
    const at = checks(900, 1200);
    // 15 minutes expected: 30, 60, 120, 240, 480, then half of what is left each time, then every 30 s.
    expect(at.slice(0, 5)).toEqual([30, 60, 120, 240, 480]);
    const late = at.filter((t) => t > 900);
    expect(late[0]! - 900).toBeLessThanOrEqual(30);
    const soon = late.filter((t) => t <= 900 + 120 + 30); // up to 2 min late: base
    expect(soon.slice(1).map((t, i) => t - soon[i]!)).toEqual(soon.slice(1).map(() => 30));
    expect(at.length).toBeLessThan(1200 / 30); // fewer than the fixed 40
    // FAL far slower than estimated: 20 minutes late and more, the checks are max apart
    const overdue = checks(900, 900 + 3600).filter((t) => t > 900 + 1200);
    expect(overdue.slice(1).map((t, i) => t - overdue[i]!)).toEqual(overdue.slice(1).map(() => 300));
    expect(nextTrainingPollSeconds({ waited: 1500, left: -600, base: 30, max: 300 })).toBe(150);
  });

  it('keeps base as the floor and max below base means base', () => {
    expect(nextTrainingPollSeconds({ waited: 0, left: 5, base: 30, max: 300 })).toBe(30);
    expect(nextTrainingPollSeconds({ waited: 1000, left: 10_000, base: 30, max: 10 })).toBe(30);
    expect(nextTrainingPollSeconds({ waited: 1000, left: -50, base: 30, max: 300 })).toBe(30);
    expect(nextTrainingPollSeconds({ waited: 1000, left: -50, base: 1, max: 300 })).toBe(13); // a quarter of 50 s late
  });
});

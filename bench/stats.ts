export interface Figures {
  ops: number;
  seconds: number;
  opsPerSecond: number;
  p50ms: number;
  p99ms: number;
}

/**
 * Runs `op` `total` times with `concurrency` callers, measuring each call;
 * once `stop()` turns true no further call starts (the figures count the
 * calls made).
 */
export async function measure(total: number, concurrency: number, op: (i: number) => Promise<unknown>, stop?: () => boolean): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && !stop?.()) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { ops: latencies.length, seconds, opsPerSecond: latencies.length / seconds, p50ms: pct(50), p99ms: pct(99) };
}

export function printRow(label: string, f: Figures, baseline?: Figures): void {
  const ratio = baseline ? `  ×${(f.opsPerSecond / baseline.opsPerSecond).toFixed(2)} of baseline` : '';
  process.stdout.write(
    `${label.padEnd(44)} ${f.opsPerSecond.toFixed(f.opsPerSecond < 10 ? 2 : 0).padStart(7)} ops/s  p50 ${f.p50ms.toFixed(2).padStart(7)} ms  p99 ${f.p99ms.toFixed(2).padStart(7)} ms${ratio}\n`,
  );
}

/** The p-th percentile of `values` (nearest rank; 0 when empty). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Goals measured in this run, for the closing `bench: N of M goals met`. */
export const goals: { label: string; met: boolean }[] = [];

/** A figure beside its goal (issue 18's table), counted for the summary line. */
export function goalRow(label: string, figure: string, goal: string, met: boolean): string {
  goals.push({ label, met });
  return `${label.padEnd(52)} ${figure}\n${''.padEnd(52)} goal ${goal}: ${met ? 'met' : 'NOT met'}\n`;
}

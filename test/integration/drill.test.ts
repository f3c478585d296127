import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BAD_INPUTS } from '../../sandbox/drill/bad-inputs';
import { runDrill } from '../../sandbox/drill/run';

/**
 * The short chaos drill (README, "The chaos drill"): the production shape with
 * the stand-ins, about 60 jobs, the bad-input corpus and six scheduled faults
 * (kill -9 of workers and a bot among them) on top of FAL losing, failing and
 * 5xx-ing at fixed rates; the audit must find every job final, the ledger
 * exact, nothing delivered twice or unpaid, every bad input answered uncharged.
 */
describe('chaos drill (short)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisha-drill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('60 jobs, 6 faults: every job final, no ledger anomaly, no duplicate', async () => {
    const lines: string[] = [];
    const result = await runDrill({
      jobs: 60,
      users: 20,
      seed: 17,
      minutes: 4,
      faults: 6,
      badInputs: BAD_INPUTS.length,
      blockRate: 0.15,
      // The other test files share these services: no restarts of Temporal, PostgreSQL, MinIO or Redis here.
      serviceFaults: false,
      env: inject('env'),
      workDir: dir,
      log: (l) => lines.push(l),
    });
    const report = `${result.table}\n${result.anomalies.map((a) => `${a.kind}: ${a.subject}: ${a.problem}`).join('\n')}\n${result.summary}`;
    expect(result.faults.filter((f) => f.kind.startsWith('kill -9')).length, report).toBeGreaterThanOrEqual(2);
    expect(result.jobs.length, report).toBeGreaterThanOrEqual(40);
    expect(result.anomalies, report).toEqual([]);
    expect(result.summary).toMatch(/^drill: (\d+) jobs, \1 terminal, 0 stuck, 0 ledger anomalies, 0 duplicates, \d+ faults$/);
  }, 600_000);
});

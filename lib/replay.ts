import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';

export interface ReplayOutcome {
  workflowId: string;
  ok: boolean;
  /** "nondeterminism" when the code no longer produces the recorded commands. */
  kind?: 'nondeterminism' | 'error';
  message?: string;
}

type History = Parameters<typeof Worker.runReplayHistory>[1];

/** Replays histories (from `temporal workflow show --output json` or the server) against the given workflow code. */
export async function replayHistories(
  options: Pick<ReplayWorkerOptions, 'workflowsPath' | 'workflowBundle'>,
  histories: AsyncIterable<{ workflowId: string; history: History }> | Iterable<{ workflowId: string; history: History }>,
): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  for await (const result of Worker.runReplayHistories({ ...options, replayName: 'aisha-replay' }, histories as Iterable<{ workflowId: string; history: History }>)) {
    if (!result.error) {
      outcomes.push({ workflowId: result.workflowId, ok: true });
      continue;
    }
    const nondeterminism = result.error instanceof DeterminismViolationError || /nondetermin/i.test(result.error.message);
    outcomes.push({ workflowId: result.workflowId, ok: false, kind: nondeterminism ? 'nondeterminism' : 'error', message: result.error.message });
  }
  return outcomes;
}

/**
 * The recorded histories in a folder (`test/replay/histories`), one JSON export
 * per file named `<label>--<workflowId>.json`: workflows may derive ids from
 * their own (the billing child is `bill-<id>`), so replay needs the real one.
 */
export function historiesFromFolder(folder: string): { workflowId: string; label: string; history: History }[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const base = path.basename(f, '.json');
      const [label, workflowId] = base.includes('--') ? [base.slice(0, base.indexOf('--')), base.slice(base.indexOf('--') + 2)] : [base, base];
      return { workflowId, label, history: JSON.parse(readFileSync(path.join(folder, f), 'utf8')) as History };
    });
}

/** Histories fetched from the server: one workflow id, or every execution a visibility query matches. */
export async function* historiesFromServer(client: Client, target: { workflowId: string } | { query: string }) {
  if ('workflowId' in target) {
    const history = await client.workflow.getHandle(target.workflowId).fetchHistory();
    yield { workflowId: target.workflowId, history };
    return;
  }
  yield* client.workflow.list({ query: target.query }).intoHistories();
}

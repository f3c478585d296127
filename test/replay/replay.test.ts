import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { historiesFromFolder, replayHistories } from '../../lib/replay';
import { workflowsPath } from '../../workers/create-workers';
import { createLogger } from '../../lib/logger';
import { installTemporalRuntime } from '../../lib/temporal-runtime';

installTemporalRuntime(createLogger({ level: 'warn' }), 'WARN');

const folder = fileURLToPath(new URL('./histories', import.meta.url));
const recorded = historiesFromFolder(folder);

describe('recorded histories replay against the current workflow code', () => {
  it('has a recorded history for every workflow type', async () => {
    const types = new Set(
      recorded.map(({ history }) => {
        const started = (history as { events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] }).events[0];
        return started?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      }),
    );
    const registered = Object.keys(await import('../../workflows')).sort();
    expect([...types].sort()).toEqual(registered);
  });

  it('every recorded history replays cleanly', async () => {
    const outcomes = await replayHistories({ workflowsPath }, recorded);
    expect(outcomes).toHaveLength(recorded.length);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
  });

  it('reports a deliberately incompatible change as nondeterminism', async () => {
    const incompatible = fileURLToPath(new URL('./incompatible/workflows.ts', import.meta.url));
    const onboarding = recorded.filter((r) => r.label.startsWith('onboarding'));
    const outcomes = await replayHistories({ workflowsPath: incompatible }, onboarding);
    expect(outcomes.length).toBeGreaterThan(0);
    for (const o of outcomes) expect(o).toMatchObject({ ok: false, kind: 'nondeterminism' });
  });
});

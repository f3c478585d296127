// Test-only: receives falResult signals as a job workflow would, so the bot's
// FAL webhook endpoint can be checked end to end (bundled on its own by
// test/integration/fal-webhook.test.ts).
import { condition, defineQuery, setHandler } from '@temporalio/workflow';
import { falResultSignal, type FalResult } from '../../workflows/fal-api';

export interface FalReceiverState {
  /** One entry per distinct FAL request id, first delivery wins. */
  results: FalResult[];
  /** Every signal received, duplicates included. */
  signals: number;
}

export const falReceivedQuery = defineQuery<FalReceiverState>('falReceived');

/** Records falResult signals; returns once `expected` distinct requests reported. */
export async function falReceiverWorkflow({ expected }: { expected: number }): Promise<FalReceiverState> {
  const state: FalReceiverState = { results: [], signals: 0 };
  setHandler(falResultSignal, (result) => {
    state.signals++;
    if (!state.results.some((r) => r.requestId === result.requestId)) state.results.push(result);
  });
  setHandler(falReceivedQuery, () => state);
  await condition(() => state.results.length >= expected);
  return state;
}

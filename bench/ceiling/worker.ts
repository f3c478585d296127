// A worker for bench/ceiling/workflows.ts on its own task queue, in the bench
// process: how many empty workflows with N activities the Temporal server in
// use completes per second at a given concurrency.
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { loadTemporalConfig } from '../../lib/config';
import { measure, type Figures } from '../stats';
import type { emptyWorkflow } from './workflows';

export interface Ceiling {
  /** Runs `total` empty workflows of `activities` activities with `concurrency` callers. */
  measure(activities: number, total: number, concurrency: number): Promise<Figures>;
  stop(): Promise<void>;
}

export async function startCeiling(): Promise<Ceiling> {
  const temporal = loadTemporalConfig();
  const taskQueue = `aisha-bench-ceiling-${Math.random().toString(16).slice(2, 10)}`;
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    }),
    activities: { nothing: async () => undefined },
    shutdownGraceTime: '1 second',
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  let runs = 0;
  return {
    measure: (activities, total, concurrency) => {
      const batch = ++runs;
      return measure(total, concurrency, (i) =>
        client.workflow.execute<typeof emptyWorkflow>('emptyWorkflow', { taskQueue, workflowId: `${taskQueue}-${batch}-${i}`, args: [activities] }),
      );
    },
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
}

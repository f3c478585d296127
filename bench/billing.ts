// Charge+settle through Temporal on this machine: the real billing workflow on
// a private task queue, started with its `settle` signal (signal-with-start),
// each operation timed until the workflow has charged and refunded. Baseline
// in the same run: the same two ledger writes (charge, refund) done directly.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createBillingActivities } from '../activities/billing';
import { createLedgerActivities } from '../activities/ledger';
import { loadBenchServiceUrls, loadTemporalConfig } from '../lib/config';
import { applyLedgerEntry } from '../lib/db/ledger';
import { upsertUser } from '../lib/db/users';
import { createLogger } from '../lib/logger';
import { createPrisma } from '../lib/prisma';
import { installTemporalRuntime } from '../lib/temporal-runtime';
import { bundleWorkflows, createWorkers, runWorkers } from '../workers/create-workers';
import { settleSignal } from '../workflows/billing-api';
import type { billingWorkflow } from '../workflows/billing';
import { startCeiling } from './ceiling/worker';
import { historyCosts } from './histories';
import { goalRow, measure, printRow, type Figures } from './stats';

export async function billingBench(): Promise<void> {
  installTemporalRuntime(createLogger({ level: 'error' }), 'ERROR');
  const temporalConfig = loadTemporalConfig();
  const prisma = createPrisma(loadBenchServiceUrls().databaseUrl, { max: 30 });
  const run = randomBytes(4).toString('hex');
  const taskQueue = `aisha-bench-${run}`;
  const users = await Promise.all(
    Array.from({ length: 10 }, (_, i) => upsertUser(prisma, { telegramId: 8_000_000_000 + (Number.parseInt(run, 16) % 100_000) * 10 + i })),
  );
  for (const u of users) await applyLedgerEntry(prisma, { userId: u.id, kind: 'GRANT', amount: 1_000_000, idempotencyKey: `bench-seed:${run}:${u.id}` });

  const ledger = createLedgerActivities({ prisma, tariffs: { avatarTraining: 150, avatarImage: 5, imagenImage: 4, transcriptionMinute: 1, transcriptSummary: 2, welcomeCredits: 0, starsPacks: [] } });
  const nativeConnection = await NativeConnection.connect({ address: temporalConfig.address });
  const connection = await Connection.connect({ address: temporalConfig.address });
  const client = new Client({ connection, namespace: temporalConfig.namespace });
  const workers = await createWorkers({
    connection: nativeConnection,
    namespace: temporalConfig.namespace,
    taskQueue,
    activities: { main: { ...ledger, ...createBillingActivities({ prisma, ledger, temporal: client }) }, telegram: {}, fal: {}, openai: {}, media: {} },
    workflowBundle: await bundleWorkflows(),
    shutdownGraceTime: '1 second',
  });
  const running = runWorkers(workers);

  const op = (tag: string) => async (i: number) => {
    const user = users[i % users.length]!;
    const jobWorkflowId = `gen-bench-${run}-${tag}-${i}`;
    const handle = await client.workflow.signalWithStart<typeof billingWorkflow, [{ deliveredUnits: number }]>('billingWorkflow', {
      taskQueue,
      workflowId: `bill-${jobWorkflowId}`,
      args: [{ userId: user.id, telegramId: 0, jobWorkflowId, jobKind: 'generation', unitPrice: 5, units: 4, deadlineSeconds: 600, reason: 'bench' }],
      signal: settleSignal,
      signalArgs: [{ deliveredUnits: i % 5 }],
    });
    await handle.result();
  };
  const direct = (tag: string) => async (i: number) => {
    const userId = users[i % users.length]!.id;
    const jobId = `gen-bench-direct-${run}-${tag}-${i}`;
    await applyLedgerEntry(prisma, { userId, kind: 'CHARGE', amount: -20, idempotencyKey: `${jobId}:charge`, jobId });
    const refund = 20 - (i % 5) * 5;
    if (refund > 0) await applyLedgerEntry(prisma, { userId, kind: 'REFUND', amount: refund, idempotencyKey: `${jobId}:refund`, jobId });
  };

  const ceiling = await startCeiling();
  try {
    let last: { baseline: Figures; temporal: Figures; concurrency: number } | undefined;
    for (const [total, concurrency] of [
      [100, 1],
      [300, 10],
      [400, 40],
    ] as const) {
      const baseline = await measure(total, concurrency, direct(`c${concurrency}`));
      printRow(`baseline: charge+refund in SQL, ${concurrency} caller(s)`, baseline);
      const temporal = await measure(total, concurrency, op(`c${concurrency}`));
      printRow(`billing workflow charge+settle, ${concurrency} caller(s)`, temporal, baseline);
      last = { baseline, temporal, concurrency };
    }
    const { baseline, temporal, concurrency } = last!;
    // The engine's ceiling for this shape: empty workflows with as many activities as a billing run has.
    const costs = await historyCosts(client, `bill-gen-bench-${run}-c${concurrency}-1`);
    const empty = await ceiling.measure(costs.activities, 400, concurrency);
    printRow(`empty workflow, ${costs.activities} activities, ${concurrency} callers`, empty);
    const ofSql = temporal.opsPerSecond / baseline.opsPerSecond;
    const ofCeiling = temporal.opsPerSecond / empty.opsPerSecond;
    const bar = Math.min(0.5 * baseline.opsPerSecond, 0.9 * empty.opsPerSecond);
    process.stdout.write(
      goalRow(
        `P6 billing charge+settle, ${concurrency} callers`,
        `${temporal.opsPerSecond.toFixed(1)} ops/s = ${(ofSql * 100).toFixed(0)} % of SQL (${baseline.opsPerSecond.toFixed(0)}/s), ${(ofCeiling * 100).toFixed(0)} % of the engine ceiling (${empty.opsPerSecond.toFixed(1)}/s); ${costs.actions} actions, ${costs.workflowTasks} workflow tasks per run`,
        '≥ 50 % of SQL, or ≥ 90 % of the ceiling if lower',
        temporal.opsPerSecond >= bar,
      ),
    );
  } finally {
    await ceiling.stop();
    for (const w of workers.values()) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
    await connection.close();
    await nativeConnection.close();
    await prisma.$disconnect();
  }
}

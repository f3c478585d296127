// npm run bench -- [name…]   (default: all). Prints figures; never asserts timings.
import { Connection } from '@temporalio/client';
import { loadTemporalConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { installTemporalRuntime } from '../lib/temporal-runtime';
import { benches } from './index';
import { goals } from './stats';

const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((w) => !(w in benches));
if (unknown.length) {
  process.stderr.write(`unknown bench ${unknown.join(', ')}; available: ${Object.keys(benches).join(', ')}\n`);
  process.exit(2);
}
// The SDK's own lines only when something is wrong (figures are the output).
installTemporalRuntime(createLogger({ level: 'error' }), 'ERROR');

// Which Temporal server the figures are of (the dev server or the production one on PostgreSQL).
const temporal = loadTemporalConfig();
const connection = await Connection.connect({ address: temporal.address });
const cluster = await connection.workflowService.getClusterInfo({});
await connection.close();
process.stdout.write(
  `Temporal ${cluster.serverVersion} at ${temporal.address}: persistence ${cluster.persistenceStore}, visibility ${cluster.visibilityStore}, ${cluster.historyShardCount} history shard(s)\n`,
);

const failed: string[] = [];
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  process.stdout.write(`\n== ${name}\n`);
  try {
    await benches[name]!();
  } catch (err) {
    // One broken bench does not hide the others' figures; the run still fails.
    failed.push(name);
    process.stdout.write(`bench ${name} FAILED: ${(err as Error).stack ?? String(err)}\n`);
  }
}
if (goals.length) {
  process.stdout.write(`\n${goals.map((g) => `  ${g.met ? 'met    ' : 'NOT met'}  ${g.label}`).join('\n')}\nbench: ${goals.filter((g) => g.met).length} of ${goals.length} goals met\n`);
}
if (failed.length) process.stdout.write(`bench: ${failed.join(', ')} failed (their goals are not measured)\n`);
process.exit(failed.length ? 1 : 0);

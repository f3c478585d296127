// npm run replay -- <workflowId>            replay one execution from the server
// npm run replay -- --all '<visibility query>'  replay every execution the query matches
// npm run replay -- --dir test/replay/histories  replay recorded JSON exports
// Replays against the workflow code in this checkout and reports nondeterminism.
import path from 'node:path';
import { loadTemporalConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { historiesFromFolder, historiesFromServer, replayHistories } from '../lib/replay';
import { createTemporalClient } from '../lib/temporal';
import { installTemporalRuntime } from '../lib/temporal-runtime';
import { workflowsPath } from '../workers/create-workers';

const args = process.argv.slice(2).filter((a) => a !== '--');
const usage = 'usage: npm run replay -- <workflowId> | --all "<query>" | --dir <folder>';
if (args.length === 0 || args[0] === '--help') {
  process.stderr.write(`${usage}\n`);
  process.exit(args.length === 0 ? 2 : 0);
}

installTemporalRuntime(createLogger({ level: 'error' }), 'ERROR');
let histories;
let close = async () => {};
if (args[0] === '--dir') {
  histories = historiesFromFolder(path.resolve(args[1] ?? 'test/replay/histories'));
} else {
  const client = await createTemporalClient(loadTemporalConfig());
  close = () => client.connection.close();
  histories = historiesFromServer(client, args[0] === '--all' ? { query: args[1] ?? '' } : { workflowId: args[0]! });
}

const outcomes = await replayHistories({ workflowsPath }, histories);
await close();
for (const o of outcomes) {
  process.stdout.write(o.ok ? `✔ ${o.workflowId}: replays cleanly\n` : `✘ ${o.workflowId}: ${o.kind === 'nondeterminism' ? 'NONDETERMINISM' : 'ERROR'} — ${o.message}\n`);
}
const failed = outcomes.filter((o) => !o.ok).length;
process.stdout.write(`${outcomes.length} replayed, ${failed} failed\n`);
process.exit(failed || outcomes.length === 0 ? 1 : 0);

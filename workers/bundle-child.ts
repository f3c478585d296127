// Bundles the workflow code and writes it, as JSON, to the file named by the
// first argument; run by bundleWorkflowsApart() so that webpack's memory ends
// with this process, not the worker.
import { writeFile } from 'node:fs/promises';
import { bundleWorkflows } from './create-workers';

const out = process.argv[2];
if (!out) throw new Error('usage: bundle-child.ts <output.json>');
await writeFile(out, JSON.stringify(await bundleWorkflows()));

// npm run sandbox -- [telegram] [fal] [openai]      (none named: all three)
// Runs the stand-ins on their documented ports (Telegram 8081, FAL 8082,
// OpenAI 8083; override with --telegram-port/--fal-port/--openai-port) and
// prints the variables that point the app at them.
import { parseArgs } from 'node:util';
import { SANDBOX_PORTS, startSandboxes, type SandboxName } from './index';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'telegram-port': { type: 'string' },
    'fal-port': { type: 'string' },
    'openai-port': { type: 'string' },
  },
});
const names = Object.keys(SANDBOX_PORTS) as SandboxName[];
const unknown = positionals.filter((p) => !names.includes(p as SandboxName));
if (unknown.length) {
  console.error(`unknown stand-in: ${unknown.join(', ')} (one of ${names.join(', ')})`);
  process.exit(2);
}
const which = positionals.length ? (positionals as SandboxName[]) : names;
const ports = Object.fromEntries(names.filter((n) => values[`${n}-port`]).map((n) => [n, Number(values[`${n}-port`])]));
const sandboxes = await startSandboxes(which, { ports });

if (sandboxes.telegram) console.log(`Telegram Bot API sandbox  ${sandboxes.telegram.apiRoot}   web chat: ${sandboxes.telegram.apiRoot}/chat`);
if (sandboxes.fal) console.log(`FAL sandbox               ${sandboxes.fal.url}   JWKS: ${sandboxes.fal.url}/.well-known/jwks.json`);
if (sandboxes.openai) console.log(`OpenAI sandbox            ${sandboxes.openai.baseUrl}`);
console.log('\nPoint the app at them with:');
for (const [k, v] of Object.entries(sandboxes.env)) console.log(`  ${k}=${v}`);
console.log('\nKnobs: POST <stand-in>/sandbox/knobs with JSON. Ctrl-C stops.');

const stop = () => void sandboxes.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

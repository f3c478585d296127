// npm run bench -- [name…]   (default: all). Prints figures; never asserts timings.
import { benches } from './index';
import { goals } from './stats';

const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((w) => !(w in benches));
if (unknown.length) {
  process.stderr.write(`unknown bench ${unknown.join(', ')}; available: ${Object.keys(benches).join(', ')}\n`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  process.stdout.write(`\n== ${name}\n`);
  await benches[name]!();
}
if (goals.length) {
  process.stdout.write(`\n${goals.map((g) => `  ${g.met ? 'met    ' : 'NOT met'}  ${g.label}`).join('\n')}\nbench: ${goals.filter((g) => g.met).length} of ${goals.length} goals met\n`);
}
process.exit(0);

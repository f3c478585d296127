// npm run bench -- [name…]   (default: all). Prints figures; never asserts timings.
import { benches } from './index';

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
process.exit(0);

// `npm run drill -- [--jobs N] [--users U] [--seed S] [--minutes M] [--faults F] [--bad B]`:
// the chaos drill against the local services in their production shape (the
// Temporal server on PostgreSQL): running ones are used as they are, stopped
// ones are started with `--production` and stopped again at the end. Its data
// stays in the database `npm run services -- env` names, for anyone to audit
// with plain SQL.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BAD_INPUTS } from './bad-inputs';
import { defaultFaultCount } from './faults';
import { runDrill } from './run';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '60' },
    users: { type: 'string' },
    seed: { type: 'string', default: '1' },
    minutes: { type: 'string', default: '20' },
    faults: { type: 'string' },
    bad: { type: 'string' },
  },
});
const num = (name: string, v: string | undefined, min: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`drill: --${name} expects an integer ≥ ${min} (got ${v})\n`);
    process.exit(2);
  }
  return n;
};
const jobs = num('jobs', values.jobs, 1);

const services = (args: string[]) => execFileSync('bash', ['scripts/services.sh', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let startedHere = false;
try {
  services(['status']);
} catch {
  process.stderr.write('drill: starting the local services (production shape)…\n');
  services(['start', '--production']);
  startedHere = true;
}
const env = Object.fromEntries(
  services(['env'])
    .trim()
    .split('\n')
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
) as Record<string, string>;
execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: env.DATABASE_URL }, stdio: ['ignore', 'ignore', 'inherit'] });

const result = await runDrill({
  jobs,
  users: num('users', values.users ?? String(Math.ceil(jobs / 3)), 1),
  seed: num('seed', values.seed, 0),
  minutes: num('minutes', values.minutes, 1),
  faults: num('faults', values.faults ?? String(defaultFaultCount(jobs)), 0),
  badInputs: num('bad', values.bad ?? String(Math.max(BAD_INPUTS.length, Math.round(jobs / 5))), 0),
  blockRate: 0.05 * 3, // a user's last job only: ~5 % of jobs' users over three jobs each
  serviceFaults: true,
  env,
  workDir: join(process.env.AISHA_DATA_DIR ?? '.data', 'drill'),
  log: (line) => process.stderr.write(`${line}\n`),
}).finally(() => startedHere && services(['stop']));

process.stdout.write(`\n${result.table}\n\n`);
if (result.driverErrors.length) process.stdout.write(`users' steps that timed out (the audit judges the jobs):\n${result.driverErrors.map((e) => `  ${e}`).join('\n')}\n\n`);
if (result.anomalies.length) {
  process.stdout.write('anomalies:\n');
  for (const a of result.anomalies) {
    const inspect = /^(gen|tr|avatar|topup)-/.test(a.subject) ? `   temporal workflow show -w ${a.subject}` : '';
    process.stdout.write(`  ${a.kind}: ${a.subject}: ${a.problem}${inspect}\n`);
  }
  process.stdout.write('\n');
}
process.stdout.write(`(${result.durationS} s, seed ${values.seed}, ${result.badInputs} bad inputs)\n${result.summary}\n`);
process.exit(result.anomalies.length ? 1 : 0);

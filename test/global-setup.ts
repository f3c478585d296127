import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

/**
 * Finds the real local services (or starts them with the project's own
 * script), then recreates and migrates the test database. The environment
 * that points at them is handed to every test file through `inject('env')`.
 */
export default function setup(project: TestProject) {
  /** One database per concurrent suite on the same services (e.g. two checkouts testing at once); `aisha_test` by default. */
  const database = process.env.AISHA_TEST_DB ?? 'aisha_test';
  if (!/^aisha_test\w*$/.test(database)) throw new Error(`AISHA_TEST_DB must start with aisha_test (got ${database})`);
  const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    execFileSync('bash', args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });

  try {
    run(['scripts/services.sh', 'status']);
  } catch {
    run(['scripts/services.sh', 'start']);
  }
  const env = Object.fromEntries(
    run(['scripts/services.sh', 'env', database])
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;

  const admin = env.DATABASE_URL!.replace(new RegExp(`/${database}$`), '/postgres');
  execFileSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, '-c', `CREATE DATABASE ${database} OWNER aisha`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: env.DATABASE_URL }, stdio: ['ignore', 'ignore', 'inherit'] });
  project.provide('env', env);
}

declare module 'vitest' {
  export interface ProvidedContext {
    env: Record<string, string>;
  }
}

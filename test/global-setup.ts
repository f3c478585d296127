import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

/**
 * Finds the real local services (or starts them with the project's own
 * script), then recreates and migrates the test database. The environment
 * that points at them is handed to every test file through `inject('env')`.
 */
export default function setup(project: TestProject) {
  const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    execFileSync('bash', args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });

  try {
    run(['scripts/services.sh', 'status']);
  } catch {
    run(['scripts/services.sh', 'start']);
  }
  const env = Object.fromEntries(
    run(['scripts/services.sh', 'env', 'aisha_test'])
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;

  const admin = env.DATABASE_URL!.replace(/\/aisha_test$/, '/postgres');
  execFileSync('psql', [admin, '-qc', 'DROP DATABASE IF EXISTS aisha_test WITH (FORCE)', '-c', 'CREATE DATABASE aisha_test OWNER aisha'], {
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

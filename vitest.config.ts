import { defineConfig } from 'vitest/config';

// Workers (Temporal's native core) need process isolation: forks, not threads.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 180_000,
    testTimeout: 120_000,
    teardownTimeout: 30_000,
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});

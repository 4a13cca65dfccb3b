import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // chDB binds one data directory to one process: every test file runs in its own fork.
    pool: 'forks',
    poolOptions: { forks: { isolate: true } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

/** Test projects: `unit` (fast, beside the code) and `e2e` (real server, real Chromium). */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          globalSetup: ['server/test-support/pg.global-setup.ts'],
          include: ['protocol/**/*.test.ts', 'server/**/*.test.ts', 'src/**/*.test.{ts,tsx}', 'sw/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          globalSetup: ['tests/support/build-app.global-setup.ts', 'server/test-support/pg.global-setup.ts'],
          include: ['tests/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Browser and process tests share 2 cores: run files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});

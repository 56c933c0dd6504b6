/** Test projects: `unit` (fast, beside the code), `unit-pg` (server suites on PostgreSQL), `e2e` (real server, real Chromium) and `firefox` and `webkit` (real server, Firefox ESR and WebKitGTK). */
import { defineConfig } from 'vitest/config';

/** Tests that need PostgreSQL: they run only in the `unit-pg` project. */
const PG_ONLY = ['server/storage/postgres/**/*.test.ts', 'server/limits/postgres-backend.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['protocol/**/*.test.ts', 'server/**/*.test.ts', 'src/**/*.test.{ts,tsx}', 'sw/**/*.test.ts'],
          exclude: PG_ONLY,
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        // The server suites again on PostgreSQL (one throwaway cluster, a database per server),
        // and the PostgreSQL adapter's own tests.
        test: {
          name: 'unit-pg',
          globalSetup: ['server/test-support/pg.global-setup.ts'],
          include: ['server/*.test.ts', 'server/previews/preview-runner.test.ts', ...PG_ONLY],
          env: { BURROW_TEST_STORE: 'postgres' },
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          globalSetup: ['tests/support/build-app.global-setup.ts', 'server/test-support/pg.global-setup.ts'],
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/firefox/**', 'tests/webkit/**'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Browser and process tests share 2 cores: run files one at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'firefox',
          globalSetup: ['tests/support/build-app.global-setup.ts'],
          include: ['tests/firefox/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // About 1 GB per Firefox on 2 cores: one file, and one Firefox, at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'webkit',
          globalSetup: ['tests/support/build-app.global-setup.ts'],
          include: ['tests/webkit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

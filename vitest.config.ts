/** Test projects: `unit` (fast, beside the code), `e2e` (real server, real Chromium) and `firefox` and `webkit` (real server, Firefox ESR and WebKitGTK). */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['protocol/**/*.test.ts', 'server/**/*.test.ts', 'src/**/*.test.{ts,tsx}', 'sw/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          globalSetup: ['tests/support/build-app.global-setup.ts'],
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

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Business dates are computed in Asia/Shanghai inside the domain; tests run in UTC to prove it.
process.env.TZ = 'UTC';

const root = fileURLToPath(new URL('..', import.meta.url));
const integration = ['tests/integration/**/*.test.ts'];
const pgUrl = process.env.TEST_DATABASE_URL;

export default defineConfig({
  root,
  resolve: { alias: { '@shared': `${root}shared` } },
  test: {
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: '.artifacts/junit.xml' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], env: { TZ: 'UTC' } } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          env: { TZ: 'UTC', TEST_DATABASE_URL: '' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      // the same files again on a real PostgreSQL server through the Neon driver (CI sets TEST_DATABASE_URL)
      ...(pgUrl
        ? [
            {
              extends: true as const,
              test: {
                name: 'integration-pg',
                include: integration,
                env: { TZ: 'UTC', TEST_DATABASE_URL: pgUrl },
                testTimeout: 30_000,
                hookTimeout: 60_000,
              },
            },
          ]
        : []),
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          env: { TZ: 'UTC', TEST_DATABASE_URL: '' },
          globalSetup: ['tests/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

/**
 * Three projects, so day-to-day work can run the fast one alone (`npm run test:unit`) while
 * `npm test` runs them all. Only the integration project starts DynamoDB Local (its global setup).
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // No DynamoDB Local, no browser, no CDK synth.
          include: ['test/unit/**/*.test.ts'],
          // Unit tests share a worker's module cache: 17 s instead of 45 s on two cores. They
          // hold no state between files (checked with --sequence.shuffle); a test that needs a
          // fresh module belongs in the integration project.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          // CDK synth of the stacks and constructs.
          include: ['test/infra/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // DynamoDB Local, the HubSpot sandbox, the local stack and the browser.
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});

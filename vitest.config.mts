import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['fake-cloud/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report is what .ci/run reads its "N passed, N failed" line from.
    reporters: ['default', ['json', { outputFile: '.cache/vitest-results.json' }]],
  },
});

import { defineConfig } from 'vitest/config';

// CI reads the JSON report for its `N passed, N failed` line; people get the default reporter only.
const reporters = process.env.CI
  ? ['default', ['json', { outputFile: '.vitest-reports/results.json' }]]
  : ['default'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: reporters as never,
    // Real processes, sockets and files: generous ceilings, but every wait is on a condition.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits on a condition; 1 s (vitest's default) is a machine-speed bet on 2 shared cores.
    expect: { poll: { timeout: 10_000 } },
    // Two cores: keep parallel files from starving the timing-sensitive ones.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.e2e.ts'],
    // One browser, one stack: files run one after another.
    fileParallelism: false,
    // Timeouts only bound a hang: generous, so a busy machine (a browser, a build, three servers on
    // 2 shared cores) is slow, not failed. expect.poll's own default (1 s) would decide outcomes.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    expect: { poll: { timeout: 60_000 } },
  },
});

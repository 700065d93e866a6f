/** Generous per-test and hook limits: the property tests and the mTLS PKI set-up do real CPU work on a shared machine. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

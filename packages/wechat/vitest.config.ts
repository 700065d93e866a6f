/**
 * Generous per-test and hook limits: the property tests and the mTLS PKI set-up do real CPU work on a shared machine
 * (a property test took 22.5 s of the former 30 s under stress-ng on 2 shared cores, 2026-12-02). They bound a hang only.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

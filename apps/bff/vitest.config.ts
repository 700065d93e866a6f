import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // These only bound a hang: generous, so a busy machine (CPU-starved, 2 cores shared) still passes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

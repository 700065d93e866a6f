import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The timeouts only bound a hang: generous, so a busy machine still passes.
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The timeouts only bound a hang: generous, so a busy machine still passes (the certs script's RSA key
  // generation took 30 s of the former 60 s under stress-ng on 2 shared cores, 2026-12-02).
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});

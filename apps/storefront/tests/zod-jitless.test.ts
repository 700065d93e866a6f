// @vitest-environment node
import '../src/zod-jitless';
import * as z from 'zod/mini';
import { expect, it } from 'vitest';

it('zod loaded after the entry set its global config runs jitless (no eval for the CSP to report)', () => {
  expect(z.config().jitless).toBe(true);
  expect((globalThis as { __zod_globalConfig?: unknown }).__zod_globalConfig).toBe(z.config());
});

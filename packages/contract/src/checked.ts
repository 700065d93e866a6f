/** `schema.check(...)` for zod/mini schemas defined at module level, in a form bundlers can drop. */
import type * as z from 'zod/mini';

/**
 * `schema.check(...checks)` as a plain call marked side-effect free: a bundler keeps every method call
 * at module level (it might have effects), and with it every schema that call builds, used or not.
 */
/* @__NO_SIDE_EFFECTS__ */
export function checked<S extends z.ZodMiniType>(schema: S, ...checks: Parameters<S['check']>): S {
  return schema.check(...checks);
}

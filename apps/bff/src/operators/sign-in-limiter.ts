/**
 * Slows password guessing: after MAX_FAILURES wrong passwords for one account, or from one client, within
 * the window, sign-in is refused (429 + Retry-After) until the window ends. Counted with rate-limiter-flexible:
 * on PostgreSQL in the shared `rate_limits` table (every instance counts against one limit), on PGlite in memory.
 */
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';

export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;

export class SignInLimiter {
  private readonly failures: RateLimiterAbstract;

  /** `pool`: PostgreSQL's pool (shared counters); null counts in this process's memory. */
  constructor(pool: pg.Pool | null) {
    const options = {
      // Apart from the order limiter's keys in the same table.
      keyPrefix: 'operator-sign-in',
      points: MAX_FAILURES,
      duration: FAILURE_WINDOW_MS / 1000,
    };
    this.failures = pool
      ? // The table comes from our migrations (011), so the store does not create one of its own.
        new RateLimiterPostgres({
          ...options,
          storeClient: pool,
          storeType: 'pool',
          tableName: 'rate_limits',
          tableCreated: true,
        })
      : new RateLimiterMemory(options);
  }

  /** Milliseconds until any of `keys` may try again; 0 when all may. Rejects if the store fails. */
  async blockedForMs(keys: string[]): Promise<number> {
    let waitMs = 0;
    for (const key of keys) {
      const counted = await this.failures.get(key);
      if (counted && counted.consumedPoints >= MAX_FAILURES) waitMs = Math.max(waitMs, counted.msBeforeNext);
    }
    return waitMs;
  }

  /** Counts a wrong password against every key; the window starts at a key's first failure. */
  async fail(keys: string[]): Promise<void> {
    for (const key of keys) await this.failures.penalty(key, 1);
  }

  /** A correct password clears the account's count (not the client's: one right guess must not reset a spray). */
  async succeed(accountKey: string): Promise<void> {
    await this.failures.delete(accountKey);
  }
}

/**
 * Slows password guessing: after MAX_FAILURES wrong passwords for one account, or from one client, within
 * the window, sign-in is refused (429 + Retry-After) until the window ends. In memory, per BFF instance.
 */

export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;

export class SignInLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds until any of `keys` may try again; 0 when all may. */
  blockedForMs(keys: string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (entry && entry.resetAt > now && entry.count >= MAX_FAILURES) wait = Math.max(wait, entry.resetAt - now);
    }
    return wait;
  }

  fail(keys: string[]): void {
    const now = this.now();
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (!entry || entry.resetAt <= now) this.failures.set(key, { count: 1, resetAt: now + FAILURE_WINDOW_MS });
      else entry.count += 1;
    }
    if (this.failures.size > 10_000)
      for (const [key, e] of this.failures) if (e.resetAt <= now) this.failures.delete(key);
  }

  /** A correct password clears the account's count (not the client's: one right guess must not reset a spray). */
  succeed(accountKey: string): void {
    this.failures.delete(accountKey);
  }
}

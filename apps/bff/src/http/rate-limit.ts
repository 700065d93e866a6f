/**
 * Fixed-window request counting per client. In memory and per BFF instance: with N instances a
 * client gets up to N times the limit, which still bounds it; a shared store is not worth a
 * dependency for this.
 */

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private nextSweep = 0;

  /** `limit` 0 lets everything through. */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key`; refused once the window already holds `limit`. */
  take(key: string): RateDecision {
    if (this.limit === 0) return { allowed: true };
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) return { allowed: false, retryAfterMs: window.resetAt - now };
    window.count += 1;
    return { allowed: true };
  }

  /** Forgets finished windows once per window length, so many one-off clients cannot grow the map for good. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.windowMs;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

/**
 * What one client is counted as: its IPv4 address, or its IPv6 /64, since a single
 * subscriber is usually handed a whole /64 and could otherwise rotate addresses freely.
 */
export function clientKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

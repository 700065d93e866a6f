/**
 * Fixed-window request counting per client, with rate-limiter-flexible. On PostgreSQL the counters live
 * in the `rate_limits` table, so every BFF instance counts against one limit; PGlite (one process by
 * nature) counts in memory.
 */
import type pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  /** Counts one request for `key`; refused once the window already holds `limit`. Rejects if the store fails. */
  take(key: string): Promise<RateDecision>;
}

export interface RateLimitOptions {
  /** Requests per window; 0 lets everything through. */
  limit: number;
  windowMs: number;
  /** Keeps this limiter's keys apart from other limiters' in the shared table. */
  name: string;
  /** PostgreSQL's pool: count in the shared table. Null: count in this process's memory. */
  pool: pg.Pool | null;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  if (options.limit === 0) return { take: () => Promise.resolve({ allowed: true }) };
  const common = {
    keyPrefix: options.name,
    points: options.limit,
    duration: Math.max(1, Math.ceil(options.windowMs / 1000)),
  };
  const limiter: RateLimiterAbstract = options.pool
    ? // The table comes from our migrations (010), so the store does not create one of its own.
      new RateLimiterPostgres({
        ...common,
        storeClient: options.pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        tableCreated: true,
      })
    : new RateLimiterMemory(common);
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (refusal) {
        // The library rejects with its result when over the limit, and with an Error when the store fails.
        if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterMs: refusal.msBeforeNext };
        throw refusal;
      }
    },
  };
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
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * The order rate limit holds across BFF instances: on PostgreSQL its counters live in the shared
 * `rate_limits` table (rate-limiter-flexible), so N instances do not allow N times the limit. PGlite
 * counts in memory. Windows roll over by the store's clock, never by the test sleeping.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBff, type RunningBff } from '../src/app';
import { createRateLimiter } from '../src/http/rate-limit';
import { testPostgresUrl } from './helpers/backends';
import { useStack } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

describe('createRateLimiter in memory (PGlite)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('allows `limit` per window and key, tells how long to wait, and allows again in the next window', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, name: 'test', pool: null });
    for (let i = 0; i < 3; i++) expect(await limiter.take('a')).toEqual({ allowed: true });
    expect(await limiter.take('b')).toEqual({ allowed: true });
    vi.advanceTimersByTime(20_000);
    expect(await limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 40_000 });
    vi.advanceTimersByTime(40_000);
    expect(await limiter.take('a')).toEqual({ allowed: true });
  });

  it('limit 0 lets everything through', async () => {
    const limiter = createRateLimiter({ limit: 0, windowMs: 60_000, name: 'test', pool: null });
    for (let i = 0; i < 100; i++) expect((await limiter.take('a')).allowed).toBe(true);
  });
});

describe.skipIf(!testPostgresUrl)('order rate limit shared by two BFF instances (PostgreSQL)', () => {
  const { stack } = useStack(
    { name: 'postgres' },
    { TRUST_PROXY: '1', ORDER_RATE_LIMIT: '3', ORDER_RATE_WINDOW_SECONDS: '600' },
  );
  let second: RunningBff;
  beforeAll(async () => {
    // Another instance of the same shop: its own process state, the same database.
    second = await startBff(stack.bff.services.config, { database: stack.database, logger: stack.bff.services.logger });
  });
  afterAll(async () => {
    await second?.close();
  });

  const order = (bff: RunningBff, ip: string) =>
    fetch(`${bff.url}/api/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
      body: JSON.stringify(orderBody([{ productId: 'notebook', quantity: 1 }])),
    });

  it('refuses the fourth order from one address whichever instance takes it, until the window ends', async () => {
    expect((await order(stack.bff, '203.0.113.20')).status).toBe(201);
    expect((await order(second, '203.0.113.20')).status).toBe(201);
    expect((await order(stack.bff, '203.0.113.20')).status).toBe(201);
    for (const bff of [second, stack.bff]) {
      const refused = await order(bff, '203.0.113.20');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(500);
    }
    expect((await order(second, '198.51.100.20')).status).toBe(201);
    // The window ends (its expiry, epoch ms, moved into the past): both instances allow again.
    await stack.database.db
      .updateTable('rate_limits')
      .set({ expire: Date.now() - 1 })
      .where('key', '=', 'orders:ip:203.0.113.20')
      .execute();
    expect((await order(second, '203.0.113.20')).status).toBe(201);
  });
});

/**
 * The operator sign-in limit (five wrong passwords → 429) holds across BFF instances: on PostgreSQL its counters
 * live in the shared `rate_limits` table, so guessing on two instances is not twice the tries. PGlite counts in
 * memory. Windows end by the store's clock or a fake one, never by the test sleeping.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBff, type RunningBff } from '../src/app';
import { addOperator } from '../src/operators/accounts';
import { FAILURE_WINDOW_MS, SignInLimiter } from '../src/operators/sign-in-limiter';
import { testPostgresUrl } from './helpers/backends';
import { useStack } from './helpers/stack';

const PASSWORD = 'correct horse battery';

describe('SignInLimiter in memory (PGlite)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('blocks a key after five failures until its window ends; success clears only the account', async () => {
    vi.useFakeTimers();
    const limiter = new SignInLimiter(null);
    const keys = ['account:a', 'client:1.2.3.4'];
    for (let i = 0; i < 4; i++) await limiter.fail(keys);
    expect(await limiter.blockedForMs(keys)).toBe(0);
    await limiter.fail(keys);
    expect(await limiter.blockedForMs(keys)).toBe(FAILURE_WINDOW_MS);
    await limiter.succeed('account:a');
    expect(await limiter.blockedForMs(['account:a'])).toBe(0);
    expect(await limiter.blockedForMs(['client:1.2.3.4'])).toBe(FAILURE_WINDOW_MS);
    vi.advanceTimersByTime(FAILURE_WINDOW_MS);
    expect(await limiter.blockedForMs(keys)).toBe(0);
  });
});

describe.skipIf(!testPostgresUrl)('operator sign-in limit shared by two BFF instances (PostgreSQL)', () => {
  const { stack } = useStack({ name: 'postgres' }, { TRUST_PROXY: '1' });
  let second: RunningBff;
  beforeAll(async () => {
    // Another instance of the same shop: its own process state, the same database.
    second = await startBff(stack.bff.services.config, { database: stack.database, logger: stack.bff.services.logger });
    for (const name of ['guessed', 'other1', 'other2', 'other3']) {
      await addOperator(stack.database.db, name, PASSWORD, 'viewer');
    }
  });
  afterAll(async () => {
    await second?.close();
  });

  const signIn = (bff: RunningBff, name: string, password: string, ip: string) =>
    fetch(`${bff.url}/api/operator/sign-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
      body: JSON.stringify({ name, password }),
    });

  it('five wrong passwords for one account, spread over both instances and addresses, block it on both', async () => {
    for (let i = 0; i < 5; i++) {
      const bff = i % 2 === 0 ? stack.bff : second;
      expect((await signIn(bff, 'guessed', `wrong-${i}`, `203.0.113.${30 + i}`)).status).toBe(401);
    }
    for (const bff of [stack.bff, second]) {
      const refused = await signIn(bff, 'guessed', PASSWORD, '198.51.100.30');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    }
    // The window ends (its expiry, epoch ms, moved into the past): both instances let the account in again.
    await stack.database.db
      .updateTable('rate_limits')
      .set({ expire: Date.now() - 1 })
      .where('key', '=', 'operator-sign-in:account:guessed')
      .execute();
    expect((await signIn(second, 'guessed', PASSWORD, '198.51.100.30')).status).toBe(200);
  });

  it('one address guessing different accounts on both instances is blocked after five', async () => {
    const names = ['other1', 'other2', 'other3', 'other1', 'other2'];
    for (const [i, name] of names.entries()) {
      expect((await signIn(i % 2 ? second : stack.bff, name, 'nope', '192.0.2.40')).status).toBe(401);
    }
    expect((await signIn(second, 'other3', PASSWORD, '192.0.2.40')).status).toBe(429);
    expect((await signIn(stack.bff, 'other3', PASSWORD, '192.0.2.41')).status).toBe(200);
  });
});

/**
 * Anyone may order without signing in, and every order holds stock until it is paid or expires:
 * order creation is limited per WeChat user or, for guests, client IP (rate) and per shopper (unpaid orders held at once),
 * with 429 + Retry-After and a message the storefront shows as it is.
 */
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorSchema } from '@wxpay-shop/contract';
import type { DatabaseHandle } from '../src/db/connect';
import type { DB } from '../src/db/schema';
import { clientKey } from '../src/http/rate-limit';
import { placeOrder } from '../src/orders/place-order';
import { backends, openTestDatabase } from './helpers/backends';
import {
  consentedCallback,
  createOrder,
  expireOrder,
  paidOrder,
  setStock,
  stockOf,
  useStack,
  waitFor,
  type Stack,
} from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

const TEAPOT = [{ productId: 'teapot', quantity: 1 }];

async function refusal(res: Response) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(res.headers.getSetCookie()).toEqual([]);
  const { error } = ApiErrorSchema.parse(await res.json());
  expect(error.code).toBe('TOO_MANY_REQUESTS');
  return { retryAfter, error };
}

const sessionCount = async (stack: Stack) =>
  (await stack.database.db.selectFrom('sessions').select('id').execute()).length;

describe.each(backends)('unpaid orders per shopper ($name)', (backend) => {
  const { stack } = useStack(backend, { MAX_PENDING_ORDERS: '2' });

  it('refuses a third unpaid order with 429 until one is paid or expires; other shoppers still get the stock', async () => {
    await setStock(stack, 'teapot', 10);
    const hoarder = stack.browser();
    const first = await createOrder(hoarder, TEAPOT);
    await createOrder(hoarder, TEAPOT);

    const { retryAfter, error } = await refusal(await hoarder.post('/api/orders', orderBody(TEAPOT)));
    expect(error.message).toMatch(/^您已有 2 个待支付订单，请先支付，或 \d+ 分钟后再下单$/);
    // Until the older order expires (ORDER_TTL_MINUTES, 30 by default).
    expect(retryAfter).toBeGreaterThan(29 * 60);
    expect(retryAfter).toBeLessThanOrEqual(30 * 60);
    expect(await stockOf(stack, 'teapot')).toBe(8);

    expect((await createOrder(stack.browser(), TEAPOT)).status).toBe('PENDING');
    expect(await stockOf(stack, 'teapot')).toBe(7);

    // An expired order no longer counts, even before the reconciler has closed it.
    await expireOrder(stack, first.outTradeNo);
    await createOrder(hoarder, TEAPOT);
    expect((await hoarder.post('/api/orders', orderBody(TEAPOT))).status).toBe(429);
  });

  it('replays a retried order (Idempotency-Key) at the cap instead of refusing it', async () => {
    const shopper = stack.browser();
    const key = { 'Idempotency-Key': 'checkout-attempt-0001' };
    const created = await shopper.post('/api/orders', orderBody(TEAPOT), key);
    expect(created.status).toBe(201);
    await createOrder(shopper, TEAPOT);
    const retried = await shopper.post('/api/orders', orderBody(TEAPOT), key);
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect((await shopper.post('/api/orders', orderBody(TEAPOT))).status).toBe(429);
  });

  it('does not count paid orders', async () => {
    const { browser } = await paidOrder(stack);
    await createOrder(browser, TEAPOT);
    await createOrder(browser, TEAPOT);
    expect((await browser.post('/api/orders', orderBody(TEAPOT))).status).toBe(429);
  });

  it('holds under concurrency: 10 simultaneous orders from one shopper create exactly 2', async () => {
    await setStock(stack, 'mug', 50);
    const shopper = stack.browser();
    // The first order gives the browser its session; the rest share it.
    await createOrder(shopper, [{ productId: 'mug', quantity: 1 }]);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const res = await shopper.post('/api/orders', orderBody([{ productId: 'mug', quantity: 1 }]));
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    expect(await stockOf(stack, 'mug')).toBe(48);
  });
});

// PGlite runs one transaction at a time anyway; on PostgreSQL two creates really overlap.
const postgres = backends.find((b) => b.name === 'postgres');
describe.skipIf(!postgres)('unpaid orders per shopper under overlapping transactions (postgres)', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(postgres!);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('counts one create after the other commits, so two overlapping creates cannot both pass a cap of 1', async () => {
    const create = (trx: Transaction<DB>) =>
      placeOrder(trx, {
        shopper: { ownerId: 'g_overlapping', openid: null },
        idempotencyKey: null,
        quantities: new Map([['green-tea', 1]]),
        deliveryAddress: null,
        signType: 'MD5',
        now: new Date(),
        expiresAt: new Date(Date.now() + 60_000),
        onSaleOnly: false,
        maxPendingOrders: 1,
      });
    let commitFirst!: () => void;
    let firstCounted!: () => void;
    const counted = new Promise<void>((resolve) => (firstCounted = resolve));
    const first = database.db.transaction().execute(async (trx) => {
      await create(trx);
      firstCounted();
      await new Promise<void>((resolve) => (commitFirst = resolve));
    });
    await counted;
    const second = database.db.transaction().execute(async (trx) => {
      await create(trx);
    });
    const secondOutcome = second.then(
      () => 'created',
      (err: { status?: number }) => err.status,
    );
    // The second is now waiting for the first's advisory lock (seen in pg_locks, not assumed after a pause).
    await waitFor(async () => {
      const { rows } = await sql<{ waiting: number }>`
        select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted`.execute(database.db);
      return rows[0]!.waiting > 0;
    });
    commitFirst();
    await first;
    expect(await secondOutcome).toBe(429);
  });
});

describe('order creation per client IP (TRUST_PROXY=1)', () => {
  // A window far longer than the test, so a slow machine cannot see it roll over mid-test (the next
  // window is tested with a fake clock and in the shared store: order-rate-limit-shared.test.ts).
  const { stack } = useStack(
    { name: 'pglite' },
    { TRUST_PROXY: '1', ORDER_RATE_LIMIT: '3', ORDER_RATE_WINDOW_SECONDS: '600' },
  );

  /** A request without a cookie, as the proxy in front would forward it from `ip`. */
  const cookieless = (ip: string) =>
    fetch(`${stack.bff.url}/api/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
      body: JSON.stringify(orderBody([{ productId: 'notebook', quantity: 5 }])),
    });

  it('refuses cookieless orders from one address past the limit, without a session; other addresses still order', async () => {
    await setStock(stack, 'notebook', 80);
    for (let i = 0; i < 3; i++) expect((await cookieless('203.0.113.9')).status).toBe(201);
    const sessionsBefore = await sessionCount(stack);

    const { retryAfter, error } = await refusal(await cookieless('203.0.113.9'));
    expect(error.message).toMatch(/^下单太频繁，请 (9|10) 分钟后再试$/);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(retryAfter).toBeGreaterThan(500);
    expect(await stockOf(stack, 'notebook')).toBe(65);
    expect(await sessionCount(stack)).toBe(sessionsBefore);

    // Another shopper, at another address, still gets the stock.
    expect((await cookieless('198.51.100.7')).status).toBe(201);
    expect(await stockOf(stack, 'notebook')).toBe(60);
  });

  it('answers a retried order (Idempotency-Key) with the order it created even past the limit; a new order is still refused', async () => {
    await setStock(stack, 'notebook', 80);
    const shopper = stack.browser();
    const from = { 'X-Forwarded-For': '192.0.2.41' };
    const key = { ...from, 'Idempotency-Key': 'checkout-retry-past-limit-01' };
    const items = [{ productId: 'notebook', quantity: 1 }];
    const created = await shopper.post('/api/orders', orderBody(items), key);
    expect(created.status).toBe(201);
    const { outTradeNo } = (await created.json()) as { outTradeNo: string };
    for (let i = 0; i < 2; i++) expect((await shopper.post('/api/orders', orderBody(items), from)).status).toBe(201);
    await refusal(await shopper.post('/api/orders', orderBody(items), from));

    // The first answer was lost: the retry gets that order, nothing more is reserved.
    const retried = await shopper.post('/api/orders', orderBody(items), key);
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(((await retried.json()) as { outTradeNo: string }).outTradeNo).toBe(outTradeNo);
    expect(await stockOf(stack, 'notebook')).toBe(77);
    // Past the limit, a new key (or the same key with other items) creates nothing.
    await refusal(
      await shopper.post('/api/orders', orderBody(items), {
        ...from,
        'Idempotency-Key': 'checkout-retry-past-limit-02',
      }),
    );
    expect((await shopper.post('/api/orders', orderBody([{ productId: 'notebook', quantity: 2 }]), key)).status).toBe(
      409,
    );
    expect(await stockOf(stack, 'notebook')).toBe(77);
  });

  it('counts signed-in WeChat users each on their own, not by the address they share (a carrier NAT)', async () => {
    await setStock(stack, 'notebook', 80);
    const signedIn = async (userId: string) => {
      const browser = stack.browser();
      expect((await browser.get(await consentedCallback(stack, browser, userId, '/'))).status).toBe(302);
      return browser;
    };
    const [xiaoli, wangwu] = [await signedIn('xiaoli'), await signedIn('wangwu')];
    const order = (browser: typeof xiaoli) =>
      browser.post('/api/orders', orderBody([{ productId: 'notebook', quantity: 1 }]));
    for (let i = 0; i < 3; i++) expect((await order(xiaoli)).status).toBe(201);
    await refusal(await order(xiaoli));
    // Same socket address (127.0.0.1), another WeChat user: not refused for xiaoli's orders.
    expect((await order(wangwu)).status).toBe(201);
  });

  it('counts an IPv6 /64 as one client, and a spoofed X-Forwarded-For entry left of the proxy does not help', async () => {
    for (let i = 0; i < 3; i++) expect((await cookieless(`2001:db8:1:2::${i + 1}`)).status).toBe(201);
    expect((await cookieless('2001:db8:1:2:ffff::9')).status).toBe(429);
    expect((await cookieless('2001:db8:1:3::1')).status).toBe(201);
    // Only the entry our proxy appended counts (TRUST_PROXY=1), whatever the client wrote before it.
    expect((await cookieless('6.6.6.6, 2001:db8:1:2::1')).status).toBe(429);
  });
});

describe('clientKey', () => {
  it('keeps IPv4 addresses and reduces IPv6 to its /64', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });
});

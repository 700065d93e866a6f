import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiErrorSchema, OrderListSchema, OrderSchema, type Order } from '@wxpay-shop/contract';
import type { Browser } from './helpers/browser';
import { backends } from './helpers/backends';
import { createOrder, expireOrder, payNotifyXml, postNotify, signIn, useStack, waitFor } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

const newKey = () => randomBytes(16).toString('hex');

describe.each(backends)('POST /api/orders with Idempotency-Key ($name)', (backend) => {
  const { stack, setStock, stockOf, db } = useStack(backend);

  const orderCount = async () =>
    Number(
      (
        await db()
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const post = (browser: Browser, key: string, items: { productId: string; quantity: number }[]) =>
    browser.post('/api/orders', orderBody(items), { 'Idempotency-Key': key });
  const listed = async (browser: Browser) =>
    OrderListSchema.parse(await (await browser.get('/api/orders')).json()).orders;

  /** A guest whose session already exists (its first order set the cookie). */
  async function guest(): Promise<Browser> {
    const browser = stack.browser();
    await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
    return browser;
  }

  it('answers a retry with the same order (200, Idempotent-Replayed) and reserves its stock once', async () => {
    await setStock('mug', 20);
    const browser = await guest();
    const key = newKey();
    const items = [
      { productId: 'mug', quantity: 2 },
      { productId: 'green-tea', quantity: 1 },
      { productId: 'mug', quantity: 1 },
    ];
    const first = await post(browser, key, items);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const created = OrderSchema.parse(await first.json());
    expect(await stockOf('mug')).toBe(17);

    // The same lines in another order (as a reloaded cart may send them) are the same order.
    const retry = await post(browser, key, [items[1]!, { productId: 'mug', quantity: 3 }]);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('cache-control')).toBe('no-store');
    expect(OrderSchema.parse(await retry.json())).toEqual(created);
    expect(await stockOf('mug')).toBe(17);
    const mine = await listed(browser);
    expect(mine.filter((o) => o.outTradeNo === created.outTradeNo)).toHaveLength(1);
    expect(mine).toHaveLength(2); // the guest's first order and this one
  });

  it('creates one order and reserves stock once for 20 concurrent requests with one key', async () => {
    await setStock('teapot', 30);
    const browser = await guest();
    const before = await orderCount();
    const key = newKey();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(browser, key, [{ productId: 'teapot', quantity: 2 }])),
    );
    const bodies = await Promise.all(
      responses.map(async (r) => ({
        status: r.status,
        replayed: r.headers.get('idempotent-replayed'),
        body: (await r.json()) as Order,
      })),
    );
    expect(bodies.filter((b) => b.status === 201 && b.replayed === null)).toHaveLength(1);
    expect(bodies.filter((b) => b.status === 200 && b.replayed === 'true')).toHaveLength(19);
    expect(new Set(bodies.map((b) => OrderSchema.parse(b.body).outTradeNo)).size).toBe(1);
    expect(await orderCount()).toBe(before + 1);
    expect(await stockOf('teapot')).toBe(28);
  });

  it('refuses the same key with other items (409) and creates nothing', async () => {
    await setStock('umbrella', 10);
    const browser = await guest();
    const key = newKey();
    const created = OrderSchema.parse(
      await (await post(browser, key, [{ productId: 'umbrella', quantity: 1 }])).json(),
    );
    const before = await orderCount();
    for (const other of [
      [{ productId: 'umbrella', quantity: 2 }],
      [
        { productId: 'umbrella', quantity: 1 },
        { productId: 'mug', quantity: 1 },
      ],
      [{ productId: 'mug', quantity: 1 }],
    ]) {
      const res = await post(browser, key, other);
      expect(res.status).toBe(409);
      const { error } = ApiErrorSchema.parse(await res.json());
      expect(error).toMatchObject({
        code: 'CONFLICT',
        message: 'This Idempotency-Key was used for an order with other items; use a new key for a new order',
        details: { outTradeNo: created.outTradeNo },
      });
    }
    expect(await orderCount()).toBe(before);
    expect(await stockOf('umbrella')).toBe(9);
  });

  it("keeps keys per owner: another shopper's identical key and items make their own order", async () => {
    await setStock('notebook', 10);
    const key = newKey();
    const alice = await guest();
    const bob = await guest();
    const items = [{ productId: 'notebook', quantity: 1 }];
    const a = await post(alice, key, items);
    const b = await post(bob, key, items);
    expect([a.status, b.status]).toEqual([201, 201]);
    const [orderA, orderB] = [OrderSchema.parse(await a.json()), OrderSchema.parse(await b.json())];
    expect(orderA.outTradeNo).not.toBe(orderB.outTradeNo);
    expect(await stockOf('notebook')).toBe(8);
    expect((await listed(bob)).map((o) => o.outTradeNo)).not.toContain(orderA.outTradeNo);
    // Each one's retry finds their own order.
    expect(OrderSchema.parse(await (await post(alice, key, items)).json()).outTradeNo).toBe(orderA.outTradeNo);
    expect(OrderSchema.parse(await (await post(bob, key, items)).json()).outTradeNo).toBe(orderB.outTradeNo);
  });

  it.each([
    ['empty', ''],
    ['too short', 'abc123'],
    ['too long', 'k'.repeat(65)],
    ['with spaces', 'not a valid key 1234'],
    ['with other punctuation', 'key.with.dots.0000'],
    ['two values', `${'a'.repeat(16)}, ${'b'.repeat(16)}`],
  ])('refuses a malformed key (%s) with 400, before creating anything or starting a session', async (_label, key) => {
    const before = await orderCount();
    const browser = stack.browser();
    const res = await post(browser, key, [{ productId: 'sticker', quantity: 1 }]);
    expect(res.status).toBe(400);
    const { error } = ApiErrorSchema.parse(await res.json());
    expect(error).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Idempotency-Key must be 16-64 characters of A-Z a-z 0-9 _ -',
    });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await orderCount()).toBe(before);
  });

  it('without the header, every request is a new order, as before', async () => {
    const browser = await guest();
    const before = await orderCount();
    const items = [{ productId: 'sticker', quantity: 1 }];
    const responses = [
      await browser.post('/api/orders', orderBody(items)),
      await browser.post('/api/orders', orderBody(items)),
    ];
    expect(responses.map((r) => r.status)).toEqual([201, 201]);
    expect(responses.map((r) => r.headers.get('idempotent-replayed'))).toEqual([null, null]);
    expect(await orderCount()).toBe(before + 2);
  });

  it('replays a paid order as it is now (PAID), without reserving again', async () => {
    await setStock('green-tea', 10);
    const browser = await guest();
    const key = newKey();
    const items = [{ productId: 'green-tea', quantity: 2 }];
    const created = OrderSchema.parse(await (await post(browser, key, items)).json());
    expect(
      await postNotify(stack, payNotifyXml({ outTradeNo: created.outTradeNo, totalFee: created.totalFen })),
    ).toMatchObject({ status: 200 });
    await waitFor(
      async () => (await listed(browser)).find((o) => o.outTradeNo === created.outTradeNo)?.status === 'PAID',
    );
    const retry = await post(browser, key, items);
    expect(retry.status).toBe(200);
    const replayed = OrderSchema.parse(await retry.json());
    expect(replayed).toMatchObject({ outTradeNo: created.outTradeNo, status: 'PAID' });
    expect(replayed.paidAt).not.toBeNull();
    expect(await stockOf('green-tea')).toBe(8);
  });

  it('replays a closed order as CLOSED and leaves the stock its close gave back', async () => {
    await setStock('umbrella', 5);
    const browser = await guest();
    const key = newKey();
    const items = [{ productId: 'umbrella', quantity: 5 }];
    const created = OrderSchema.parse(await (await post(browser, key, items)).json());
    expect(await stockOf('umbrella')).toBe(0);
    await expireOrder(stack, created.outTradeNo);
    expect(await stack.bff.reconcileOnce()).toMatchObject({ closed: 1 });
    expect(await stockOf('umbrella')).toBe(5);
    const retry = await post(browser, key, items);
    expect(retry.status).toBe(200);
    expect(OrderSchema.parse(await retry.json())).toMatchObject({ outTradeNo: created.outTradeNo, status: 'CLOSED' });
    expect(await stockOf('umbrella')).toBe(5);
  });

  it('lets a key that failed for want of stock be retried once stock is back', async () => {
    await setStock('mug', 1);
    const browser = await guest();
    const key = newKey();
    const items = [{ productId: 'mug', quantity: 2 }];
    expect((await post(browser, key, items)).status).toBe(409);
    await setStock('mug', 5);
    const retry = await post(browser, key, items);
    expect(retry.status).toBe(201);
    expect(await stockOf('mug')).toBe(3);
  });

  it('keeps a guest key across sign-in in the same session (the order moves to the openid)', async () => {
    const browser = await guest();
    const key = newKey();
    const items = [{ productId: 'sticker', quantity: 2 }];
    const created = OrderSchema.parse(await (await post(browser, key, items)).json());
    await signIn(stack, browser);
    const retry = await post(browser, key, items);
    expect(retry.status).toBe(200);
    expect(OrderSchema.parse(await retry.json()).outTradeNo).toBe(created.outTradeNo);
  });
});

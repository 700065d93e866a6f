/**
 * A guest's session (a row for 7 days and a cookie) is started by the order it creates, and only then:
 * a refused POST /api/orders leaves nothing behind.
 */
import { describe, expect, it } from 'vitest';
import type { CreateOrderRequestInput } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import { useStack } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

describe.each(backends)('sessions of refused orders ($name)', (backend) => {
  const { stack, setStock } = useStack(backend, { MAX_PENDING_ORDERS: '1' });

  const sessionCount = async () => (await stack.database.db.selectFrom('sessions').select('id').execute()).length;

  it('an unknown product, a summed quantity over 99 or a short stock: refused, no session row, no cookie', async () => {
    await setStock('mug', 1);
    const refusals: [CreateOrderRequestInput['items'], number][] = [
      [[{ productId: 'no-such-product', quantity: 1 }], 400],
      [
        [
          { productId: 'green-tea', quantity: 60 },
          { productId: 'green-tea', quantity: 60 },
        ],
        400,
      ],
      [[{ productId: 'mug', quantity: 2 }], 409],
    ];
    const before = await sessionCount();
    for (const [items, status] of refusals) {
      const res = await stack.browser().post('/api/orders', orderBody(items));
      expect(res.status).toBe(status);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect(await sessionCount()).toBe(before);
  });

  it('the order that is created starts the session, and the next refusal does not change it', async () => {
    const browser = stack.browser();
    const before = await sessionCount();
    const created = await browser.post('/api/orders', orderBody([{ productId: 'green-tea', quantity: 1 }]));
    expect(created.status).toBe(201);
    expect(browser.cookies.size).toBeGreaterThan(0);
    expect(await sessionCount()).toBe(before + 1);
    const list = (await (await browser.get('/api/orders')).json()) as { orders: unknown[] };
    expect(list.orders).toHaveLength(1);
    // Over MAX_PENDING_ORDERS: refused inside the transaction; the existing session stays as it was.
    const cookies = new Map(browser.cookies);
    expect((await browser.post('/api/orders', orderBody([{ productId: 'green-tea', quantity: 1 }]))).status).toBe(429);
    expect(browser.cookies).toEqual(cookies);
    expect(await sessionCount()).toBe(before + 1);
  });
});

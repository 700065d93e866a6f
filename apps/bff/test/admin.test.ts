import { describe, expect, it } from 'vitest';
import { AdminOrderListSchema, ApiErrorSchema } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import { ADMIN_TOKEN, createOrder, expireOrder, payNotifyXml, postNotify, useStack } from './helpers/stack';

describe.each(backends)('operator attention list ($name)', (backend) => {
  const { stack } = useStack(backend);

  const list = (token: string | null, query = '?attention=1') =>
    fetch(`${stack.bff.url}/api/admin/orders${query}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

  it('requires the admin token', async () => {
    for (const token of [null, 'wrong', `${ADMIN_TOKEN}x`, 'x'.repeat(ADMIN_TOKEN.length)]) {
      const res = await list(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(ApiErrorSchema.parse(await res.json()).error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('lists flagged orders with their reason and leaves normal ones out', async () => {
    const normal = await createOrder(stack.browser());
    const flagged = await createOrder(stack.browser(), [{ productId: 'mug', quantity: 1 }]);
    // A valid payment for an order we had already closed is exactly what needs a human.
    await expireOrder(stack, flagged.outTradeNo);
    expect(await stack.bff.reconcileOnce()).toMatchObject({ closed: 1 });
    const transactionId = '4200000000000000000000000042';
    await postNotify(
      stack,
      payNotifyXml({ outTradeNo: flagged.outTradeNo, totalFee: flagged.totalFen, transactionId }),
    );

    const res = await list(ADMIN_TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { orders } = AdminOrderListSchema.parse(await res.json());
    expect(orders.map((o) => o.outTradeNo)).toEqual([flagged.outTradeNo]);
    expect(orders[0]).toMatchObject({ status: 'CLOSED', totalFen: 2990, items: [{ productId: 'mug', quantity: 1 }] });
    expect(orders[0]!.attention).toContain(transactionId);
    expect(orders.some((o) => o.outTradeNo === normal.outTradeNo)).toBe(false);
  });

  it('refuses a listing without ?attention=1', async () => {
    expect((await list(ADMIN_TOKEN, '')).status).toBe(400);
    expect((await list(ADMIN_TOKEN, '?attention=0')).status).toBe(400);
  });
});

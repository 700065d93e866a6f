import { describe, expect, it } from 'vitest';
import { ApiErrorSchema, ProductListSchema, ProductSchema } from '@wxpay-shop/contract';
import { closeLocally } from '../src/payments/settle';
import { backends } from './helpers/backends';
import { adminRefund, createOrder, expireOrder, payNotifyXml, postNotify, useStack, waitFor } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

describe.each(backends)('stock reservations ($name)', (backend) => {
  const { stack, setStock, stockOf, db } = useStack(backend);

  const orderStatus = async (outTradeNo: string) =>
    (await db().selectFrom('orders').select('status').where('out_trade_no', '=', outTradeNo).executeTakeFirstOrThrow())
      .status;
  const expire = (outTradeNo: string) => expireOrder(stack, outTradeNo);

  it('reserves stock and answers 409 naming the product when it runs out', async () => {
    await setStock('sticker', 3);
    const browser = stack.browser();
    await createOrder(browser, [{ productId: 'sticker', quantity: 2 }]);
    expect(await stockOf('sticker')).toBe(1);
    const res = await browser.post('/api/orders', orderBody([{ productId: 'sticker', quantity: 2 }]));
    expect(res.status).toBe(409);
    const body = ApiErrorSchema.parse(await res.json());
    expect(body.error).toMatchObject({
      code: 'CONFLICT',
      message: '「测试贴纸」库存不足',
      details: { productIds: ['sticker'] },
    });
    expect(await stockOf('sticker')).toBe(1);
  });

  it('rolls back what an order already took when a later item is short', async () => {
    await setStock('sticker', 50);
    await setStock('teapot', 1);
    // 'sticker' sorts before 'teapot', so it is reserved first and must be given back.
    const res = await stack.browser().post(
      '/api/orders',
      orderBody([
        { productId: 'teapot', quantity: 2 },
        { productId: 'sticker', quantity: 5 },
      ]),
    );
    expect(res.status).toBe(409);
    expect(ApiErrorSchema.parse(await res.json()).error.message).toBe('「紫砂壶」库存不足');
    expect(await stockOf('sticker')).toBe(50);
    expect(await stockOf('teapot')).toBe(1);
  });

  it('never oversells under concurrency: 20 orders for 1 against stock 5', async () => {
    await setStock('mug', 5);
    const before = await db().selectFrom('order_items').select('id').where('product_id', '=', 'mug').execute();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        stack.browser().post('/api/orders', orderBody([{ productId: 'mug', quantity: 1 }])),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    expect(await stockOf('mug')).toBe(0);
    const after = await db().selectFrom('order_items').select('id').where('product_id', '=', 'mug').execute();
    expect(after.length - before.length).toBe(5);
  });

  it('never serves stale stock from a cache: the catalog revalidates (ETag) and changes after an order', async () => {
    await setStock('mug', 30);
    const browser = stack.browser();
    const stockIn = async (res: Response) =>
      ProductListSchema.parse(await res.json()).products.find((p) => p.id === 'mug')!.stock;
    const first = await browser.get('/api/products');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(await stockIn(first)).toBe(30);
    // Unchanged: a body-less 304.
    const unchanged = await browser.fetch('/api/products', { headers: { 'If-None-Match': etag! } });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');
    await createOrder(browser, [{ productId: 'mug', quantity: 3 }]);
    // Changed: the old validator no longer matches, and the new stock is served at once.
    const changed = await browser.fetch('/api/products', { headers: { 'If-None-Match': etag! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await stockIn(changed)).toBe(27);
    const one = await browser.get('/api/products/mug');
    expect(one.headers.get('cache-control')).toBe('no-cache');
    expect(ProductSchema.parse(await one.json()).stock).toBe(27);
  });

  it('gives the stock back exactly once when an expired order is closed', async () => {
    await setStock('green-tea', 10);
    const browser = stack.browser();
    const order = await createOrder(browser, [
      { productId: 'green-tea', quantity: 2 },
      { productId: 'green-tea', quantity: 1 },
    ]);
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
    expect(await stockOf('green-tea')).toBe(7);
    await expire(order.outTradeNo);
    expect(await stack.bff.reconcileOnce()).toMatchObject({ closed: 1, errors: 0 });
    expect(await orderStatus(order.outTradeNo)).toBe('CLOSED');
    expect(await stockOf('green-tea')).toBe(10);
    // A second pass, and a late local close, find nothing to close and so release nothing.
    await db()
      .updateTable('orders')
      .set({ reconcile_lease_until: null })
      .where('out_trade_no', '=', order.outTradeNo)
      .execute();
    expect(await stack.bff.reconcileOnce()).toMatchObject({ closed: 0 });
    expect(await closeLocally(db(), order.outTradeNo, 'test-late-close')).toBe(false);
    expect(await stockOf('green-tea')).toBe(10);
  });

  it('releases stock on every path that closes, including an order that never reached WeChat', async () => {
    await setStock('umbrella', 4);
    const order = await createOrder(stack.browser(), [{ productId: 'umbrella', quantity: 4 }]);
    expect(await stockOf('umbrella')).toBe(0);
    await expire(order.outTradeNo);
    expect(await stack.bff.reconcileOnce()).toMatchObject({ closed: 1 });
    expect(await stockOf('umbrella')).toBe(4);
  });

  it('keeps the stock taken once paid, through expiry and a refund', async () => {
    await setStock('notebook', 10);
    const browser = stack.browser();
    const order = await createOrder(browser, [{ productId: 'notebook', quantity: 2 }]);
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
    await stack.emu.pay(order.outTradeNo);
    await waitFor(async () => (await orderStatus(order.outTradeNo)) === 'PAID');
    await expire(order.outTradeNo);
    expect(await stack.bff.reconcileOnce()).toMatchObject({ closed: 0 });
    expect(await closeLocally(db(), order.outTradeNo, 'test-late-close')).toBe(false);
    expect(await stockOf('notebook')).toBe(8);

    const refund = await adminRefund(stack, order.outTradeNo);
    expect(refund.status).toBe(202);
    await waitFor(async () => (await orderStatus(order.outTradeNo)) === 'REFUNDED');
    expect(await stockOf('notebook')).toBe(8);
  });

  it('does not restock when money arrives for an order that was already closed', async () => {
    await setStock('sticker', 20);
    const order = await createOrder(stack.browser(), [{ productId: 'sticker', quantity: 3 }]);
    await expire(order.outTradeNo);
    await stack.bff.reconcileOnce();
    expect(await stockOf('sticker')).toBe(20);
    await postNotify(stack, payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen }));
    // Still CLOSED and flagged for an operator; the release happened once, at the close.
    const row = await db()
      .selectFrom('orders')
      .selectAll()
      .where('out_trade_no', '=', order.outTradeNo)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'CLOSED', needs_attention: true });
    expect(await stockOf('sticker')).toBe(20);
  });
});

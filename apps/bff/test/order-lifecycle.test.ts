/**
 * After checkout: the operator ships, the shopper confirms receipt (or the reconciler does), the
 * shopper cancels an unpaid order or asks for a refund that the operator approves or rejects.
 * Payment and fulfilment are separate axes, so a refund never erases the shipping history.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AdminAfterSaleListSchema, ApiErrorSchema, OrderSchema, ShopSchema, type Order } from '@wxpay-shop/contract';
import { formatOutTradeNo, nextOutTradeNo } from '../src/orders/out-trade-no';
import { backends } from './helpers/backends';
import type { Browser } from './helpers/browser';
import { ADMIN_TOKEN, MERCHANT, createOrder, orderRow, paidOrder, stockOf, useStack, waitFor } from './helpers/stack';

describe('readable order numbers', () => {
  it('are the Beijing date and a zero-padded sequence, digits only', () => {
    // 2026-12-01 16:30 UTC is already 2026-12-02 in Beijing.
    expect(formatOutTradeNo(new Date('2026-12-01T16:30:00Z'), 42)).toBe('2026120200000042');
    expect(formatOutTradeNo(new Date('2026-12-01T12:00:00Z'), 123_456_789n)).toBe('20261201123456789');
  });
});

describe.each(backends)('order lifecycle ($name)', (backend) => {
  const { stack } = useStack(
    backend,
    { SHOP_NAME: '山居茶铺', AUTO_RECEIVE_DAYS: '7' },
    { clearFaultsAfterEach: true },
  );

  const admin = (path: string, body: unknown = {}, token: string | null = ADMIN_TOKEN) =>
    fetch(`${stack.bff.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const ship = (
    outTradeNo: string,
    body: unknown = { carrier: '顺丰速运', trackingNo: 'SF1234567890' },
    token?: string | null,
  ) => admin(`/api/admin/orders/${outTradeNo}/ship`, body, token);
  const order = async (res: Response): Promise<Order> => OrderSchema.parse(await res.json());
  const errorOf = async (res: Response) => ApiErrorSchema.parse(await res.json()).error;
  const read = async (browser: Browser, outTradeNo: string) => order(await browser.get(`/api/orders/${outTradeNo}`));
  const afterSale = (browser: Browser, outTradeNo: string, body: unknown) =>
    browser.post(`/api/orders/${outTradeNo}/after-sales`, body);
  const types = (o: Order) => o.timeline.map((e) => e.type);

  describe('order numbers and the shop name', () => {
    it('numbers orders with digits only, unique when drawn concurrently', async () => {
      const created = await createOrder(stack.browser(), [{ productId: 'sticker', quantity: 1 }]);
      expect(created.outTradeNo).toMatch(/^\d{16,32}$/);
      const drawn = await Promise.all(Array.from({ length: 20 }, () => nextOutTradeNo(stack.database.db)));
      expect(new Set(drawn).size).toBe(20);
      for (const n of drawn) expect(n).toMatch(/^\d{16}$/);
    });

    it('answers SHOP_NAME on /api/shop and puts it in the pay body', async () => {
      expect(ShopSchema.parse(await (await fetch(`${stack.bff.url}/api/shop`)).json())).toEqual({ name: '山居茶铺' });
      const browser = stack.browser();
      const created = await createOrder(browser, [{ productId: 'mug', quantity: 1 }]);
      expect((await browser.post(`/api/orders/${created.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
      expect(stack.emu.state.findOrder(MERCHANT.mchId, created.outTradeNo)!.body).toMatch(/^山居茶铺-/);
    });
  });

  describe('shipping and receipt', () => {
    it('refuses to ship an unpaid order, or without the admin token', async () => {
      const created = await createOrder(stack.browser());
      const unpaid = await ship(created.outTradeNo);
      expect(unpaid.status).toBe(409);
      expect((await errorOf(unpaid)).message).toMatch(/PENDING/);
      expect((await ship(created.outTradeNo, undefined, null)).status).toBe(401);
      expect((await ship(created.outTradeNo, undefined, 'wrong')).status).toBe(401);
      expect((await orderRow(stack, created.outTradeNo)).fulfilment).toBe('UNSHIPPED');
    });

    it('ships a paid order once with carrier and tracking number; a retry answers the same, another number is refused', async () => {
      const { browser, order: created } = await paidOrder(stack);
      expect((await ship(created.outTradeNo, { carrier: '顺丰速运', trackingNo: 'bad number!' })).status).toBe(400);
      const res = await ship(created.outTradeNo);
      expect(res.status).toBe(200);
      const shipped = await order(res);
      expect(shipped).toMatchObject({
        status: 'PAID',
        fulfilment: 'SHIPPED',
        shipment: { carrier: '顺丰速运', trackingNo: 'SF1234567890' },
      });
      const shippedAt = Date.parse(shipped.shipment!.shippedAt);
      expect(Date.parse(shipped.autoReceiveAt!) - shippedAt).toBe(7 * 86_400_000);
      expect(types(shipped)).toEqual(['CREATED', 'PAID', 'SHIPPED']);
      expect(shipped.timeline.at(-1)).toMatchObject({ detail: '顺丰速运 SF1234567890' });

      expect((await ship(created.outTradeNo)).status).toBe(200);
      const other = await ship(created.outTradeNo, { carrier: '中通快递', trackingNo: 'ZT000111' });
      expect(other.status).toBe(409);
      expect((await read(browser, created.outTradeNo)).shipment).toMatchObject({ trackingNo: 'SF1234567890' });
      const events = await stack.database.db
        .selectFrom('order_events')
        .selectAll()
        .where('to_status', '=', 'SHIPPED')
        .execute();
      expect(events.filter((e) => e.detail === '顺丰速运 SF1234567890')).toHaveLength(1);
    });

    it('lets the shopper confirm receipt only once shipped, and only of their own order', async () => {
      const { browser, order: created } = await paidOrder(stack);
      const early = await browser.post(`/api/orders/${created.outTradeNo}/confirm-receipt`);
      expect(early.status).toBe(409);
      expect((await errorOf(early)).message).toBe('订单尚未发货，不能确认收货');
      await ship(created.outTradeNo);

      const stranger = await stack.browser().post(`/api/orders/${created.outTradeNo}/confirm-receipt`);
      expect(stranger.status).toBe(404);
      expect((await orderRow(stack, created.outTradeNo)).fulfilment).toBe('SHIPPED');

      const res = await browser.post(`/api/orders/${created.outTradeNo}/confirm-receipt`);
      expect(res.status).toBe(200);
      const received = await order(res);
      expect(received).toMatchObject({ status: 'PAID', fulfilment: 'RECEIVED', autoReceiveAt: null });
      expect(received.receivedAt).not.toBeNull();
      expect(received.timeline.at(-1)).toMatchObject({ type: 'RECEIVED', automatic: false });
      // A second tap answers the order as it is.
      expect((await browser.post(`/api/orders/${created.outTradeNo}/confirm-receipt`)).status).toBe(200);
    });

    it('receives a shipped order automatically once its auto_receive_at has passed, not before', async () => {
      const { browser, order: created } = await paidOrder(stack);
      await ship(created.outTradeNo);
      await stack.bff.reconcileOnce();
      expect((await orderRow(stack, created.outTradeNo)).fulfilment).toBe('SHIPPED');
      await stack.database.db
        .updateTable('orders')
        .set({ auto_receive_at: sql<Date>`now() - interval '1 minute'` })
        .where('out_trade_no', '=', created.outTradeNo)
        .execute();
      expect(await stack.bff.reconcileOnce()).toMatchObject({ received: 1, errors: 0 });
      const received = await read(browser, created.outTradeNo);
      expect(received).toMatchObject({ fulfilment: 'RECEIVED' });
      expect(received.timeline.at(-1)).toMatchObject({ type: 'RECEIVED', automatic: true });
      expect(await stack.bff.reconcileOnce()).toMatchObject({ received: 0 });
    });
  });

  describe('cancelling an unpaid order', () => {
    it('closes an order never sent to WeChat and gives the stock back', async () => {
      const browser = stack.browser();
      const before = await stockOf(stack, 'mug');
      const created = await createOrder(browser, [{ productId: 'mug', quantity: 2 }]);
      expect(await stockOf(stack, 'mug')).toBe(before - 2);
      const res = await browser.post(`/api/orders/${created.outTradeNo}/cancel`);
      expect(res.status).toBe(200);
      const cancelled = await order(res);
      expect(cancelled.status).toBe('CLOSED');
      expect(types(cancelled)).toEqual(['CREATED', 'CANCELLED']);
      expect(await stockOf(stack, 'mug')).toBe(before);
      // A repeated tap changes nothing and gives nothing back twice.
      expect((await browser.post(`/api/orders/${created.outTradeNo}/cancel`)).status).toBe(200);
      expect(await stockOf(stack, 'mug')).toBe(before);
    });

    it('closes it at WeChat first when a prepay exists, so it can no longer be paid', async () => {
      const browser = stack.browser();
      const before = await stockOf(stack, 'mug');
      const created = await createOrder(browser, [{ productId: 'mug', quantity: 1 }]);
      expect((await browser.post(`/api/orders/${created.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
      const res = await browser.post(`/api/orders/${created.outTradeNo}/cancel`);
      expect(res.status).toBe(200);
      expect((await order(res)).status).toBe('CLOSED');
      expect(stack.emu.state.findOrder(MERCHANT.mchId, created.outTradeNo)!.state).toBe('CLOSED');
      expect(await stockOf(stack, 'mug')).toBe(before);
    });

    it('keeps an order WeChat says is paid: 409 and PAID, stock still taken', async () => {
      // The payment notification is lost, so only closeorder's ORDERPAID tells the BFF.
      await stack.control('faults', { target: 'notify', kind: 'drop', count: 50 });
      const browser = stack.browser();
      const before = await stockOf(stack, 'mug');
      const created = await createOrder(browser, [{ productId: 'mug', quantity: 1 }]);
      expect((await browser.post(`/api/orders/${created.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
      await stack.emu.pay(created.outTradeNo);
      expect((await orderRow(stack, created.outTradeNo)).status).toBe('PENDING');
      const res = await browser.post(`/api/orders/${created.outTradeNo}/cancel`);
      expect(res.status).toBe(409);
      expect(await errorOf(res)).toMatchObject({ code: 'CONFLICT', details: { status: 'PAID' } });
      expect((await read(browser, created.outTradeNo)).status).toBe('PAID');
      expect(await stockOf(stack, 'mug')).toBe(before - 1);
    });

    it('a cancel racing a payment ends PAID or CLOSED in agreement with WeChat, never CLOSED with money taken', async () => {
      for (let round = 0; round < 4; round++) {
        const browser = stack.browser();
        const created = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
        expect((await browser.post(`/api/orders/${created.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
        const [cancel] = await Promise.all([
          browser.post(`/api/orders/${created.outTradeNo}/cancel`),
          stack.emu.pay(created.outTradeNo).catch(() => undefined),
        ]);
        const paidAtWechat = stack.emu.state.findOrder(MERCHANT.mchId, created.outTradeNo)!.state !== 'CLOSED';
        const expected = paidAtWechat ? 'PAID' : 'CLOSED';
        expect(cancel.status).toBe(paidAtWechat ? 409 : 200);
        await waitFor(async () => (await orderRow(stack, created.outTradeNo)).status === expected);
      }
    });

    it('refuses to cancel a paid order, and another shopper cannot cancel at all', async () => {
      const { browser, order: created } = await paidOrder(stack);
      const paid = await browser.post(`/api/orders/${created.outTradeNo}/cancel`);
      expect(paid.status).toBe(409);
      expect((await errorOf(paid)).message).toMatch(/已支付/);

      const unpaid = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
      expect((await stack.browser().post(`/api/orders/${unpaid.outTradeNo}/cancel`)).status).toBe(404);
      expect((await orderRow(stack, unpaid.outTradeNo)).status).toBe('PENDING');
    });
  });

  describe('after-sale requests', () => {
    it('refuses more than is left, an unpaid order, a wrong kind and another shopper', async () => {
      const { browser, order: created } = await paidOrder(stack);
      const tooMuch = await afterSale(browser, created.outTradeNo, {
        reason: '不想要了',
        amountFen: created.totalFen + 1,
      });
      expect(tooMuch.status).toBe(400);
      expect((await errorOf(tooMuch)).details).toEqual({ leftFen: created.totalFen });
      const returnBeforeShipping = await afterSale(browser, created.outTradeNo, {
        kind: 'RETURN_REFUND',
        reason: '不想要了',
        amountFen: 100,
      });
      expect(returnBeforeShipping.status).toBe(409);
      expect((await afterSale(browser, created.outTradeNo, { reason: '', amountFen: 100 })).status).toBe(400);
      expect(
        (await afterSale(stack.browser(), created.outTradeNo, { reason: '不想要了', amountFen: 100 })).status,
      ).toBe(404);

      const unpaid = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
      expect((await afterSale(browser, unpaid.outTradeNo, { reason: '不想要了', amountFen: 1 })).status).toBe(409);
      expect(await stack.database.db.selectFrom('after_sales').selectAll().execute()).toHaveLength(0);
    });

    it('a partial 仅退款: waits, holds shipping, is approved, and the shopper sees the amount refunded', async () => {
      const { browser, order: created } = await paidOrder(stack);
      const res = await afterSale(browser, created.outTradeNo, { reason: '拍多了', amountFen: 1000 });
      expect(res.status).toBe(201);
      const requested = await order(res);
      expect(requested.afterSales).toEqual([
        expect.objectContaining({
          kind: 'REFUND_ONLY',
          status: 'PENDING',
          amountFen: 1000,
          reason: '拍多了',
          refund: null,
        }),
      ]);
      expect(types(requested).at(-1)).toBe('AFTER_SALE_REQUESTED');
      // One request at a time, and no shipping while the shopper may be getting the money back.
      expect((await afterSale(browser, created.outTradeNo, { reason: '拍多了', amountFen: 500 })).status).toBe(409);
      expect((await ship(created.outTradeNo)).status).toBe(409);

      const queue = AdminAfterSaleListSchema.parse(
        await (
          await fetch(`${stack.bff.url}/api/admin/after-sales`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
        ).json(),
      );
      const id = requested.afterSales[0]!.id;
      expect(queue.afterSales.find((a) => a.id === id)).toMatchObject({
        outTradeNo: created.outTradeNo,
        status: 'PENDING',
      });
      expect((await admin(`/api/admin/after-sales/${id}/approve`, {}, null)).status).toBe(401);

      const approve = await admin(`/api/admin/after-sales/${id}/approve`);
      expect(approve.status).toBe(202);
      const refunded = await waitFor(async () => {
        const now = await read(browser, created.outTradeNo);
        return now.refundedFen === 1000 && now;
      });
      expect(refunded).toMatchObject({ status: 'PAID', totalFen: created.totalFen, refundedFen: 1000 });
      expect(refunded.afterSales[0]).toMatchObject({
        status: 'APPROVED',
        refund: { amountFen: 1000, status: 'SUCCESS' },
      });
      expect(types(refunded).slice(-4)).toEqual([
        'AFTER_SALE_REQUESTED',
        'AFTER_SALE_APPROVED',
        'REFUND_STARTED',
        'REFUND_SUCCEEDED',
      ]);
      // Approving again reports and refunds nothing more.
      expect((await admin(`/api/admin/after-sales/${id}/approve`)).status).toBe(202);
      expect(
        await stack.database.db
          .selectFrom('refunds')
          .selectAll()
          .where('order_id', '=', (await orderRow(stack, created.outTradeNo)).id)
          .execute(),
      ).toHaveLength(1);
      // What is left can still be asked for; more than that cannot.
      expect(
        (await afterSale(browser, created.outTradeNo, { reason: '拍多了', amountFen: created.totalFen - 999 })).status,
      ).toBe(400);
    });

    it('a rejection carries the reason the shopper reads, and a new request may follow', async () => {
      const { browser, order: created } = await paidOrder(stack);
      const requested = await order(
        await afterSale(browser, created.outTradeNo, { reason: '不想要了', amountFen: created.totalFen }),
      );
      const id = requested.afterSales[0]!.id;
      expect((await admin(`/api/admin/after-sales/${id}/reject`, { reason: '' })).status).toBe(400);
      const res = await admin(`/api/admin/after-sales/${id}/reject`, { reason: '商品已打包，请收货后申请退货' });
      expect(res.status).toBe(200);
      const seen = await read(browser, created.outTradeNo);
      expect(seen.afterSales[0]).toMatchObject({ status: 'REJECTED', rejectReason: '商品已打包，请收货后申请退货' });
      expect(seen.timeline.at(-1)).toMatchObject({
        type: 'AFTER_SALE_REJECTED',
        detail: '商品已打包，请收货后申请退货',
      });
      expect((await admin(`/api/admin/after-sales/${id}/approve`)).status).toBe(409);
      expect((await afterSale(browser, created.outTradeNo, { reason: '不想要了', amountFen: 100 })).status).toBe(201);
    });

    it('a 退货退款 after shipping refunds in full and keeps the shipping history', async () => {
      const { browser, order: created } = await paidOrder(stack);
      await ship(created.outTradeNo);
      expect(
        (await afterSale(browser, created.outTradeNo, { kind: 'REFUND_ONLY', reason: '坏了', amountFen: 100 })).status,
      ).toBe(409);
      const requested = await order(
        await afterSale(browser, created.outTradeNo, { reason: '坏了', amountFen: created.totalFen }),
      );
      expect(requested.afterSales[0]).toMatchObject({ kind: 'RETURN_REFUND' });
      expect((await admin(`/api/admin/after-sales/${requested.afterSales[0]!.id}/approve`)).status).toBe(202);
      const refunded = await waitFor(async () => {
        const now = await read(browser, created.outTradeNo);
        return now.status === 'REFUNDED' && now;
      });
      expect(refunded).toMatchObject({
        fulfilment: 'SHIPPED',
        shipment: { carrier: '顺丰速运', trackingNo: 'SF1234567890' },
      });
      expect(types(refunded)).toEqual([
        'CREATED',
        'PAID',
        'SHIPPED',
        'AFTER_SALE_REQUESTED',
        'AFTER_SALE_APPROVED',
        'REFUND_STARTED',
        'REFUND_SUCCEEDED',
      ]);
    });
  });
});

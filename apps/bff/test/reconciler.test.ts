import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql, type KyselyPlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import { OrderSchema } from '@wxpay-shop/contract';
import { PayV2Gateway, buildXml, parseXml, randomString, sign } from '@wxpay-shop/wechat';
import { reconcileOnce } from '../src/payments/reconciler';
import { createLogger } from '../src/logger';
import { backends } from './helpers/backends';
import {
  MERCHANT,
  adminRefund,
  createOrder,
  expireOrder,
  paidOrder,
  useStack,
  waitFor,
  withPayModes,
} from './helpers/stack';

/** A WeChat Pay stand-in whose refundquery answers, correctly signed, with a refund_status WeChat might add one day. */
async function newStatusRefundQuery(refundStatus: string) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const asked = await parseXml(Buffer.concat(chunks).toString('utf8'));
        const fields: Record<string, string> = {
          return_code: 'SUCCESS',
          result_code: 'SUCCESS',
          appid: MERCHANT.appId,
          mch_id: MERCHANT.mchId,
          nonce_str: randomString(32),
          out_trade_no: asked.out_refund_no!.slice(0, asked.out_refund_no!.lastIndexOf('R')),
          refund_count: '1',
          out_refund_no_0: asked.out_refund_no!,
          refund_id_0: '50300000000000000099',
          refund_fee_0: '2990',
          refund_status_0: refundStatus,
        };
        res.setHeader('Content-Type', 'text/xml');
        res.end(buildXml({ ...fields, sign: sign(fields, MERCHANT.apiKey, 'MD5') }));
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const pay = new PayV2Gateway({ ...MERCHANT, signType: 'MD5', payBaseUrl: `http://127.0.0.1:${port}`, retries: 0 });
  return { pay, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.each(withPayModes(backends))('reconciler ($name, $pay)', (backend) => {
  const { stack, orderRow, db } = useStack(backend, {}, { clearFaultsAfterEach: true, pay: backend.pay });

  const backdatePrepay = (outTradeNo: string) =>
    db()
      .updateTable('orders')
      .set({ prepay_created_at: sql<Date>`now() - interval '2 minutes'` })
      .where('out_trade_no', '=', outTradeNo)
      .execute();
  const expire = (outTradeNo: string) => expireOrder(stack, outTradeNo);
  const lastEvent = async (outTradeNo: string) =>
    db()
      .selectFrom('order_events')
      .innerJoin('orders', 'orders.id', 'order_events.order_id')
      .select(['order_events.to_status', 'order_events.source'])
      .where('orders.out_trade_no', '=', outTradeNo)
      .orderBy('order_events.id', 'desc')
      .executeTakeFirst();

  async function paidWithDroppedNotify() {
    const browser = stack.browser();
    const order = await createOrder(browser);
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
    expect((await stack.control('faults', { target: 'notify', kind: 'drop', count: 1 })).ok).toBe(true);
    await stack.emu.pay(order.outTradeNo);
    await new Promise((r) => setTimeout(r, 150));
    expect((await orderRow(order.outTradeNo)).status).toBe('PENDING');
    return { browser, order };
  }

  it('marks an order PAID with orderquery when the notification was dropped', async () => {
    const { order } = await paidWithDroppedNotify();
    // Young prepays are left to the notification.
    expect((await stack.bff.reconcileOnce()).checked).toBe(0);
    await backdatePrepay(order.outTradeNo);
    const summary = await stack.bff.reconcileOnce();
    expect(summary).toMatchObject({ checked: 1, paid: 1, closed: 0, errors: 0 });
    const row = await orderRow(order.outTradeNo);
    expect(row.status).toBe('PAID');
    expect(row.transaction_id).toBe(stack.emu.state.findOrder('10000100', order.outTradeNo)!.transactionId);
    expect(await lastEvent(order.outTradeNo)).toEqual({ to_status: 'PAID', source: 'reconciler-query' });
  });

  it('lets an authoritative GET settle a PENDING order via orderquery', async () => {
    const { browser, order } = await paidWithDroppedNotify();
    const view = OrderSchema.parse(await (await browser.get(`/api/orders/${order.outTradeNo}`)).json());
    expect(view.status).toBe('PAID');
    expect(await lastEvent(order.outTradeNo)).toEqual({ to_status: 'PAID', source: 'order-read' });
  });

  it('rate-limits orderquery on reads to one per order per 5 s', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    await browser.get(`/api/orders/${order.outTradeNo}`);
    const firstQuery = (await orderRow(order.outTradeNo)).last_queried_at;
    expect(firstQuery).not.toBeNull();
    // Pay with the notification dropped: within the window a read must not ask WeChat again.
    await stack.control('faults', { target: 'notify', kind: 'drop', count: 1 });
    await stack.emu.pay(order.outTradeNo);
    const again = OrderSchema.parse(await (await browser.get(`/api/orders/${order.outTradeNo}`)).json());
    expect(again.status).toBe('PENDING');
    expect((await orderRow(order.outTradeNo)).last_queried_at!.getTime()).toBe(firstQuery!.getTime());
  });

  it('closes an expired unpaid order with closeorder', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    await expire(order.outTradeNo);
    const summary = await stack.bff.reconcileOnce();
    expect(summary).toMatchObject({ checked: 1, closed: 1, paid: 0 });
    expect((await orderRow(order.outTradeNo)).status).toBe('CLOSED');
    expect(stack.emu.state.findOrder('10000100', order.outTradeNo)!.state).toBe('CLOSED');
    expect(await lastEvent(order.outTradeNo)).toEqual({ to_status: 'CLOSED', source: 'reconciler-closeorder' });
    // Closed means closed: paying is refused.
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(409);
  });

  it('closes an expired order that never reached WeChat locally', async () => {
    const order = await createOrder(stack.browser());
    await expire(order.outTradeNo);
    expect(await stack.bff.reconcileOnce()).toMatchObject({ checked: 1, closed: 1 });
    expect(await lastEvent(order.outTradeNo)).toEqual({ to_status: 'CLOSED', source: 'reconciler-expired' });
  });

  it('closes through closeorder, not locally, when a pay request stored a prepay after the pass claimed the order', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
    await expire(order.outTradeNo);
    // The pass claims the order as it was just before the pay request stored its prepay_id.
    const claimSawNoPrepay: KyselyPlugin = {
      transformQuery: ({ node }) => node,
      transformResult: async ({ result }) => ({
        ...result,
        rows: result.rows.map((row) =>
          Object.keys(row).join() === 'id,out_trade_no,total_fen,prepay_id,expires_at'
            ? { ...row, prepay_id: null }
            : row,
        ),
      }),
    };
    const summary = await reconcileOnce({
      db: db().withPlugin(claimSawNoPrepay),
      pay: stack.bff.services.pay,
      log: createLogger('silent'),
      metrics: stack.bff.services.metrics,
    });
    expect(summary).toMatchObject({ checked: 1, closed: 1, errors: 0 });
    expect(stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)!.state).toBe('CLOSED');
    expect(await lastEvent(order.outTradeNo)).toEqual({ to_status: 'CLOSED', source: 'reconciler-closeorder' });
  });

  it('closes an expired order locally when WeChat has no record of it (ORDERNOTEXIST)', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    await backdatePrepay(order.outTradeNo);
    expect((await stack.control('reset', undefined, 'POST')).ok).toBe(true); // the emulator forgets every order
    // Not expired yet: left alone, and not counted as an error.
    expect(await stack.bff.reconcileOnce()).toMatchObject({ closed: 0, errors: 0 });
    expect((await orderRow(order.outTradeNo)).status).toBe('PENDING');
    await expire(order.outTradeNo);
    // Release the first pass's lease so the next pass may take the order again.
    await db()
      .updateTable('orders')
      .set({ reconcile_lease_until: null })
      .where('out_trade_no', '=', order.outTradeNo)
      .execute();
    expect(await stack.bff.reconcileOnce()).toMatchObject({ closed: 1, errors: 0 });
    expect(await lastEvent(order.outTradeNo)).toEqual({ to_status: 'CLOSED', source: 'reconciler-notexist' });
  });

  it('takes the payment instead of closing when an expired order was in fact paid', async () => {
    const { order } = await paidWithDroppedNotify();
    await expire(order.outTradeNo);
    expect(await stack.bff.reconcileOnce()).toMatchObject({ paid: 1, closed: 0 });
    expect((await orderRow(order.outTradeNo)).status).toBe('PAID');
  });

  it('never lets concurrent passes work on the same order (lease + SKIP LOCKED)', async () => {
    const { order } = await paidWithDroppedNotify();
    await backdatePrepay(order.outTradeNo);
    const passes = await Promise.all([stack.bff.reconcileOnce(), stack.bff.reconcileOnce(), stack.bff.reconcileOnce()]);
    expect(passes.reduce((n, p) => n + p.checked, 0)).toBe(1);
    expect((await orderRow(order.outTradeNo)).status).toBe('PAID');
  });

  it('keeps a refund PROCESSING (never settled, never an error) when refundquery reports an unknown status', async () => {
    const { order } = await paidOrder(stack, [{ productId: 'mug', quantity: 1 }]);
    await stack.control('faults', { target: 'notify', kind: 'drop', count: 1 });
    expect((await adminRefund(stack, order.outTradeNo)).status).toBe(202);
    await waitFor(
      async () =>
        [...stack.emu.state.refunds.values()].find((r) => r.outTradeNo === order.outTradeNo)?.status === 'SUCCESS',
    );
    const backdateRefunds = () =>
      db()
        .updateTable('refunds')
        .set({ updated_at: sql<Date>`now() - interval '2 minutes'` })
        .execute();
    await backdateRefunds();

    const fake = await newStatusRefundQuery('SOME_NEW_STATUS');
    const lines: string[] = [];
    const log = createLogger('debug', { write: (line: string) => void lines.push(line) });
    try {
      const summary = await reconcileOnce({ db: db(), pay: fake.pay, log, metrics: stack.bff.services.metrics });
      expect(summary).toMatchObject({ refundsSettled: 0, errors: 0 });
    } finally {
      await fake.close();
    }
    const refund = await db()
      .selectFrom('refunds')
      .innerJoin('orders', 'orders.id', 'refunds.order_id')
      .select(['refunds.status'])
      .where('orders.out_trade_no', '=', order.outTradeNo)
      .executeTakeFirstOrThrow();
    expect(refund.status).toBe('PROCESSING');
    const row = await orderRow(order.outTradeNo);
    expect(row).toMatchObject({ status: 'REFUNDING', refunded_fen: 0, needs_attention: false });
    expect(lines.join('')).toMatch(/unknown refund_status.*SOME_NEW_STATUS|SOME_NEW_STATUS.*unknown refund_status/);

    // Still in the queue: once WeChat answers with a known final status, it settles.
    await backdateRefunds();
    expect((await stack.bff.reconcileOnce()).refundsSettled).toBe(1);
    expect((await orderRow(order.outTradeNo)).status).toBe('REFUNDED');
  });

  it('asks again, now and then, about a refund stuck in CHANGE and settles it once WeChat has a final status', async () => {
    const { order } = await paidOrder(stack);
    await stack.control('faults', { target: 'notify', kind: 'drop', count: 1 });
    expect((await adminRefund(stack, order.outTradeNo)).status).toBe(202);
    await waitFor(
      async () =>
        [...stack.emu.state.refunds.values()].find((r) => r.outTradeNo === order.outTradeNo)?.status === 'SUCCESS',
    );
    // WeChat had reported CHANGE (its notification is what the test stands in for); the
    // notification of the later SUCCESS was lost as well.
    const { id } = await orderRow(order.outTradeNo);
    await db().updateTable('refunds').set({ status: 'CHANGE' }).where('order_id', '=', id).execute();
    const backdate = (minutes: number) =>
      db()
        .updateTable('refunds')
        .set({ updated_at: sql<Date>`now() - make_interval(mins => ${minutes})` })
        .where('order_id', '=', id)
        .execute();
    await backdate(2);
    expect((await stack.bff.reconcileOnce()).refundsSettled).toBe(0); // not every pass
    await backdate(11);
    expect((await stack.bff.reconcileOnce()).refundsSettled).toBe(1);
    expect(await orderRow(order.outTradeNo)).toMatchObject({ status: 'REFUNDED', refunded_fen: order.totalFen });
  });

  it('settles a refund with refundquery when its notification was dropped', async () => {
    const { order } = await paidOrder(stack);
    await stack.control('faults', { target: 'notify', kind: 'drop', count: 1 });
    const res = await adminRefund(stack, order.outTradeNo);
    expect(res.status).toBe(202);
    await waitFor(
      async () =>
        [...stack.emu.state.refunds.values()].find((r) => r.outTradeNo === order.outTradeNo)?.status === 'SUCCESS',
    );
    expect((await orderRow(order.outTradeNo)).status).toBe('REFUNDING');
    await db()
      .updateTable('refunds')
      .set({ updated_at: sql<Date>`now() - interval '2 minutes'` })
      .execute();
    expect((await stack.bff.reconcileOnce()).refundsSettled).toBe(1);
    const row = await orderRow(order.outTradeNo);
    expect(row.status).toBe('REFUNDED');
    expect(row.refunded_fen).toBe(row.total_fen);
  });
});

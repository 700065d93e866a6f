import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { routes } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import {
  ADMIN_TOKEN,
  MERCHANT,
  SUCCESS_XML,
  adminRefund,
  createOrder,
  paidOrder,
  payNotifyXml,
  postNotify,
  useStack,
  waitFor,
} from './helpers/stack';
import { deltas, sampleKey, scrape, type Samples } from './helpers/metrics';

describe.each(backends)('Prometheus metrics ($name)', (backend) => {
  const { stack, db, orderRow } = useStack(backend, { METRICS_PORT: '0' });
  const metrics = async (): Promise<{ text: string; samples: Samples }> => scrape(stack.bff.metricsUrl!);
  const value = async (name: string, labels: Record<string, string> = {}) =>
    (await metrics()).samples.get(sampleKey(name, labels));

  it('serves /metrics on its own loopback listener, not on the shoppers’ port', async () => {
    expect(stack.bff.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(stack.bff.metricsUrl!).port).not.toBe(new URL(stack.bff.url).port);
    const res = await fetch(stack.bff.metricsUrl!);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(/^# HELP wxpay_orders_created_total /m);
    const onShopPort = await fetch(`${stack.bff.url}/metrics`);
    expect(await onShopPort.text()).not.toMatch(/wxpay_/);
  });

  it('a flow of orders, payments, bad and duplicate notifications and a refund moves each counter by exactly that', async () => {
    const before = (await metrics()).samples;

    const { order: first } = await paidOrder(stack);
    const { order: second } = await paidOrder(stack, [{ productId: 'mug', quantity: 1 }]);
    const unpaid = await createOrder(stack.browser());
    // Two more copies of the first order's notification, as WeChat sends when a reply is lost.
    expect((await stack.control('notify-duplicates', { outTradeNo: first.outTradeNo, times: 2 })).ok).toBe(true);
    await waitFor(
      async () =>
        (await value('wxpay_notifications_total', { type: 'pay', outcome: 'duplicate' }))! >=
        (before.get(sampleKey('wxpay_notifications_total', { type: 'pay', outcome: 'duplicate' })) ?? 0) + 2,
    );
    // Rejected: signed with another key, another amount, an order we never made, and not XML at all.
    const forged = await postNotify(
      stack,
      payNotifyXml({ outTradeNo: unpaid.outTradeNo, totalFee: unpaid.totalFen }, 'f'.repeat(32)),
    );
    expect(forged.body).not.toMatch(SUCCESS_XML);
    expect((await postNotify(stack, payNotifyXml({ outTradeNo: unpaid.outTradeNo, totalFee: 1 }))).body).not.toMatch(
      SUCCESS_XML,
    );
    expect((await postNotify(stack, payNotifyXml({ outTradeNo: 'NOSUCHORDER123', totalFee: 1 }))).body).not.toMatch(
      SUCCESS_XML,
    );
    expect((await postNotify(stack, '<xml><return_code>')).body).not.toMatch(SUCCESS_XML);

    expect((await adminRefund(stack, second.outTradeNo)).status).toBe(202);
    await waitFor(async () => (await orderRow(second.outTradeNo)).status === 'REFUNDED');
    const { text, samples: after } = await metrics();

    expect(deltas(before, after, 'wxpay_orders_created_total')).toEqual({ '{}': 3 });
    expect(deltas(before, after, 'wxpay_payments_settled_total')).toEqual({ '{source="notification"}': 2 });
    expect(deltas(before, after, 'wxpay_notifications_total')).toEqual({
      '{outcome="applied",type="pay"}': 2,
      '{outcome="duplicate",type="pay"}': 2,
      '{outcome="rejected",reason="sign",type="pay"}': 1,
      '{outcome="rejected",reason="amount",type="pay"}': 1,
      '{outcome="rejected",reason="unknown_order",type="pay"}': 1,
      '{outcome="rejected",reason="malformed",type="pay"}': 1,
      '{outcome="applied",type="refund"}': 1,
    });
    expect(deltas(before, after, 'wxpay_refund_requests_total')).toEqual({ '{result="accepted"}': 1 });
    expect(deltas(before, after, 'wxpay_refunds_settled_total')).toEqual({ '{status="success"}': 1 });
    expect(deltas(before, after, 'wxpay_attention_flags_total')).toEqual({});
    expect(deltas(before, after, 'wxpay_wechat_calls_total')).toEqual({
      '{endpoint="/pay/unifiedorder",result="success"}': 2,
      '{endpoint="/secapi/pay/refund",result="success"}': 1,
    });
    expect(deltas(before, after, 'wxpay_wechat_call_duration_seconds_count')).toEqual({
      '{endpoint="/pay/unifiedorder"}': 2,
      '{endpoint="/secapi/pay/refund"}': 1,
    });
    // Route templates, never the order numbers in the paths.
    expect(deltas(before, after, 'wxpay_http_request_duration_seconds_count')).toMatchObject({
      '{method="POST",route="/api/orders",status="201"}': 3,
      '{method="POST",route="/api/orders/:outTradeNo/pay",status="200"}': 2,
      '{method="POST",route="/api/admin/orders/:outTradeNo/refund",status="202"}': 1,
    });
    for (const outTradeNo of [first.outTradeNo, second.outTradeNo, unpaid.outTradeNo])
      expect(text).not.toContain(outTradeNo);
    expect(text).not.toContain(MERCHANT.appId);
  });

  it('a payment found by the reconciler’s orderquery counts as source="orderquery"', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
    expect((await stack.control('faults', { target: 'notify', kind: 'drop', count: 1 })).ok).toBe(true);
    await stack.emu.pay(order.outTradeNo);
    const before = (await metrics()).samples;
    expect(await stack.bff.reconcileOnce({ minPrepayAgeMs: 0 })).toMatchObject({ paid: 1 });
    const after = (await metrics()).samples;
    expect(deltas(before, after, 'wxpay_payments_settled_total')).toEqual({ '{source="orderquery"}': 1 });
    expect(deltas(before, after, 'wxpay_wechat_calls_total')).toEqual({
      '{endpoint="/pay/orderquery",result="success"}': 1,
    });
  });

  it('a WeChat business refusal is counted as one, by endpoint', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    await stack.control('faults', {
      target: 'unifiedorder',
      kind: 'bizerror',
      errCode: 'INVALID_REQUEST',
      errCodeDes: 'test',
      count: 1,
    });
    const before = (await metrics()).samples;
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(502);
    const after = (await metrics()).samples;
    expect(deltas(before, after, 'wxpay_wechat_calls_total')).toEqual({
      '{endpoint="/pay/unifiedorder",result="business_refusal"}': 1,
    });
  });

  it('gauges the token cache (age per credential) and the latest bill reconciliation (day and result)', async () => {
    expect(await value('wxpay_bill_last_reconciled_day')).toBe(0);
    expect(await value('wxpay_jssdk_credential_age_seconds', { credential: 'access_token' })).toBeUndefined();

    const page = `${new URL(stack.bff.url).origin}/products/green-tea`;
    const signed = await fetch(`${stack.bff.url}${routes.jsConfig(page)}`);
    expect(signed.status, await signed.clone().text()).toBe(200);
    // A day WeChat has no bill for: reconciled as NO_BILL.
    const reconciled = await fetch(`${stack.bff.url}/api/admin/bills/2026-11-30/reconcile`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(reconciled.status, await reconciled.clone().text()).toBe(200);

    const { samples } = await metrics();
    for (const credential of ['access_token', 'jsapi_ticket']) {
      const age = samples.get(sampleKey('wxpay_jssdk_credential_age_seconds', { credential }));
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(3600);
    }
    expect(samples.get(sampleKey('wxpay_bill_last_reconciled_day', {}))).toBe(20261130);
    expect(samples.get(sampleKey('wxpay_bill_last_result', { status: 'NO_BILL' }))).toBe(1);
    expect(samples.get(sampleKey('wxpay_bill_last_result', { status: 'MATCHED' }))).toBe(0);
  });

  it('gauges read the database at scrape time: stale prepays, reconciler lag, the attention list', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
    const staleBefore = (await value('wxpay_unpaid_prepays_over_10m'))!;
    // The prepay is 11 minutes old and no reconciler has looked: due for 10 of them.
    await db()
      .updateTable('orders')
      .set({ prepay_created_at: sql<Date>`now() - interval '11 minutes'` })
      .where('out_trade_no', '=', order.outTradeNo)
      .execute();
    expect(await value('wxpay_unpaid_prepays_over_10m')).toBe(staleBefore + 1);
    const lag = (await value('wxpay_reconciler_lag_seconds'))!;
    expect(lag).toBeGreaterThanOrEqual(600);
    expect(lag).toBeLessThan(3_600);
    // Once the reconciler has checked everything due, nothing waits.
    await stack.bff.reconcileOnce({ minPrepayAgeMs: 60_000 });
    expect(await value('wxpay_reconciler_lag_seconds')).toBe(0);
    expect(await value('wxpay_database_up')).toBe(1);

    // Money for an order already closed: flagged once, however often WeChat tells us.
    const attentionBefore = (await value('wxpay_attention_orders'))!;
    const closed = await createOrder(browser);
    await db().updateTable('orders').set({ status: 'CLOSED' }).where('out_trade_no', '=', closed.outTradeNo).execute();
    const before = (await metrics()).samples;
    const late = payNotifyXml({
      outTradeNo: closed.outTradeNo,
      totalFee: closed.totalFen,
      transactionId: '4200000000202612020000000777',
    });
    for (let i = 0; i < 2; i++) expect((await postNotify(stack, late)).body).toMatch(SUCCESS_XML);
    const after = (await metrics()).samples;
    expect(deltas(before, after, 'wxpay_attention_flags_total')).toEqual({ '{reason="paid_after_close"}': 1 });
    expect(deltas(before, after, 'wxpay_notifications_total')).toEqual({
      '{outcome="flagged",type="pay"}': 1,
      '{outcome="duplicate",type="pay"}': 1,
    });
    expect(after.get('wxpay_attention_orders')).toBe(attentionBefore + 1);
  });

  it('a flag whose transaction rolls back is not counted; WeChat’s retry that commits counts it once', async () => {
    const closed = await createOrder(stack.browser());
    await db().updateTable('orders').set({ status: 'CLOSED' }).where('out_trade_no', '=', closed.outTradeNo).execute();
    // The database refuses the notification's last statement, after the flag: the whole transaction rolls back.
    await sql`create function refuse_outcome() returns trigger language plpgsql as $$
      begin raise exception 'refused by the test'; end $$`.execute(db());
    await sql`create trigger refuse_outcome before update on payment_notifications
      for each row execute function refuse_outcome()`.execute(db());
    const late = payNotifyXml({
      outTradeNo: closed.outTradeNo,
      totalFee: closed.totalFen,
      transactionId: '4200000000202612020000000888',
    });
    const before = (await metrics()).samples;
    expect((await postNotify(stack, late)).body).not.toMatch(SUCCESS_XML);
    const rolledBack = (await metrics()).samples;
    expect(deltas(before, rolledBack, 'wxpay_attention_flags_total')).toEqual({});
    expect((await orderRow(closed.outTradeNo))?.needs_attention).toBe(false);

    await sql`drop trigger refuse_outcome on payment_notifications`.execute(db());
    expect((await postNotify(stack, late)).body).toMatch(SUCCESS_XML);
    const after = (await metrics()).samples;
    expect(deltas(before, after, 'wxpay_attention_flags_total')).toEqual({ '{reason="paid_after_close"}': 1 });
    expect((await orderRow(closed.outTradeNo))?.needs_attention).toBe(true);
  });

  it.runIf(backend.name === 'postgres')(
    'reports the PostgreSQL pool: every connection in use, one query waiting',
    async () => {
      const poolStats = stack.database.poolStats!;
      // The test pool has 20 connections: hold every one in an open transaction, and queue one query more.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const holders = Array.from({ length: 20 }, () =>
        db()
          .transaction()
          .execute(async (trx) => {
            await sql`select 1`.execute(trx);
            await gate;
          }),
      );
      await waitFor(async () => poolStats().total - poolStats().idle === 20);
      const queued = sql`select 1`.execute(db());
      await waitFor(async () => poolStats().waiting === 1);
      const scraped = metrics();
      // The scrape's own queries queue behind the held connections once it has read the pool.
      await waitFor(async () => poolStats().waiting > 1);
      release();
      const { samples } = await scraped;
      await Promise.all([...holders, queued]);
      expect(samples.get(sampleKey('wxpay_db_pool_connections', { state: 'in_use' }))).toBe(20);
      expect(samples.get(sampleKey('wxpay_db_pool_connections', { state: 'waiting' }))).toBe(1);
      expect(samples.get('wxpay_database_up')).toBe(1);
    },
  );
});

describe('the metrics listener’s bearer token', () => {
  const token = 'metrics-token-0123456789';
  const { stack } = useStack(backends[0]!, { METRICS_PORT: '0', METRICS_TOKEN: token });

  it('answers 401 without the token or with another one, and the metrics with it', async () => {
    expect((await fetch(stack.bff.metricsUrl!)).status).toBe(401);
    const wrong = await fetch(stack.bff.metricsUrl!, { headers: { Authorization: 'Bearer metrics-token-9876543210' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toMatch(/wxpay_/);
    expect((await scrape(stack.bff.metricsUrl!, token)).samples.has('wxpay_orders_created_total')).toBe(true);
  });
});

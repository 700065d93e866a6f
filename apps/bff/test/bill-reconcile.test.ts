/**
 * Daily bill reconciliation end to end: the emulator's v2 /pay/downloadbill or v3 /v3/bill/tradebill against
 * the BFF's books, each discrepancy found and flagged, a re-run replacing the day whole, a failed run (a v3
 * file whose SHA1 does not match, say) keeping the last result.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { BillDayResponseSchema, BillReconciliationListSchema } from '@wxpay-shop/contract';
import { beijingDayBounds, dueBillDay } from '../src/bills/bill-day';
import { runBillDay } from '../src/bills/bill-job';
import { backends } from './helpers/backends';
import {
  ADMIN_TOKEN,
  MERCHANT,
  adminRefund,
  createOrder,
  paidOrder,
  useStack,
  waitFor,
  withPayModes,
} from './helpers/stack';

describe('dueBillDay', () => {
  it('is yesterday (Beijing) from 10:00 Beijing on, and nothing before', () => {
    expect(dueBillDay(new Date('2026-12-02T01:59:59Z'))).toBeNull(); // 09:59:59 in Beijing
    expect(dueBillDay(new Date('2026-12-02T02:00:00Z'))).toBe('2026-12-01');
    expect(dueBillDay(new Date('2026-12-02T15:59:59Z'))).toBe('2026-12-01'); // 23:59:59 in Beijing
    expect(dueBillDay(new Date('2026-12-02T16:00:00Z'))).toBeNull(); // 00:00 on the 3rd
  });
});

describe.each(withPayModes(backends, ['v2', 'v3 public-key']))('bill reconciliation ($name, $pay)', (backend) => {
  const { stack, db, orderRow } = useStack(backend, {}, { pay: backend.pay });
  const billTarget = backend.pay === 'v2' ? 'downloadbill' : 'tradebill';

  const noon = (day: string) => new Date(beijingDayBounds(day).start.getTime() + 12 * 3600_000);
  const beijingText = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

  /** Moves a payment to `day` on both sides (the emulator's bill and our books), as if it happened then. */
  async function backdatePayment(outTradeNo: string, day: string, side: 'both' | 'wechat' = 'both') {
    const order = stack.emu.state.findOrder(MERCHANT.mchId, outTradeNo)!;
    order.paidAt = noon(day).getTime();
    if (side === 'both')
      await db()
        .updateTable('orders')
        .set({ paid_at: noon(day) })
        .where('out_trade_no', '=', outTradeNo)
        .execute();
  }

  async function backdateRefund(outRefundNo: string, day: string, side: 'both' | 'wechat' = 'both') {
    const refund = [...stack.emu.state.refunds.values()].find((r) => r.outRefundNo === outRefundNo)!;
    refund.successTime = beijingText(noon(day));
    if (side === 'both')
      await db()
        .updateTable('refunds')
        .set({ updated_at: noon(day) })
        .where('out_refund_no', '=', outRefundNo)
        .execute();
  }

  async function refunded(outTradeNo: string, amountFen: number): Promise<string> {
    const res = await adminRefund(stack, outTradeNo, { amountFen });
    expect(res.status).toBe(202);
    const row = await waitFor(() =>
      db()
        .selectFrom('refunds')
        .innerJoin('orders', 'orders.id', 'refunds.order_id')
        .select(['refunds.out_refund_no', 'refunds.status'])
        .where('orders.out_trade_no', '=', outTradeNo)
        .where('refunds.status', '=', 'SUCCESS')
        .executeTakeFirst(),
    );
    return row.out_refund_no;
  }

  const admin = (path: string, method = 'GET', token: string | null = ADMIN_TOKEN) =>
    fetch(`${stack.bff.url}/api/admin/bills${path}`, {
      method,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });

  async function reconcile(day: string) {
    const res = await admin(`/${day}/reconcile`, 'POST');
    expect(res.status, await res.clone().text()).toBe(200);
    return BillDayResponseSchema.parse(await res.json());
  }

  it('requires the admin token, and a real day that has begun', async () => {
    expect((await admin('', 'GET', null)).status).toBe(401);
    expect((await admin('/2026-10-01/reconcile', 'POST', 'wrong')).status).toBe(401);
    expect((await admin('/2026-02-30')).status).toBe(400);
    expect((await admin('/2999-01-01/reconcile', 'POST')).status).toBe(400);
  });

  it("a day whose bill matches: MATCHED, WeChat's totals and ours side by side", async () => {
    const day = '2026-10-01';
    const a = await paidOrder(stack);
    const b = await paidOrder(stack, [{ productId: 'mug', quantity: 1 }]);
    const outRefundNo = await refunded(b.order.outTradeNo, 1000);
    for (const o of [a, b]) await backdatePayment(o.order.outTradeNo, day);
    await backdateRefund(outRefundNo, day);

    const { reconciliation, discrepancies } = await reconcile(day);
    const paidFen = a.order.totalFen + b.order.totalFen;
    expect(discrepancies).toEqual([]);
    expect(reconciliation).toMatchObject({
      day,
      status: 'MATCHED',
      wechat: { count: 3, paidFen, refundFen: 1000, feeMilliFen: (paidFen - 1000) * 6 },
      ours: { paymentCount: 2, paidFen, refundCount: 1, refundFen: 1000 },
      matchedPayments: 2,
      matchedRefunds: 1,
      discrepancyCount: 0,
      source: 'admin-token',
    });
    for (const o of [a, b]) expect((await orderRow(o.order.outTradeNo)).needs_attention).toBe(false);
  });

  it('a day without trades on either side: No Bill Exist is NO_BILL, not an error', async () => {
    const { reconciliation } = await reconcile('2026-10-02');
    expect(reconciliation).toMatchObject({
      status: 'NO_BILL',
      wechat: { count: 0 },
      ours: { paymentCount: 0 },
      discrepancyCount: 0,
    });
  });

  it('finds and flags each kind of discrepancy; a payment we missed is confirmed through orderquery', async () => {
    const day = '2026-10-03';
    // Paid at WeChat, but its notification never came: our order is still PENDING.
    const shopper = stack.browser();
    const missed = await createOrder(shopper);
    const pay = await shopper.post(`/api/orders/${missed.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    expect(pay.status).toBe(200);
    expect((await stack.control('faults', { target: 'notify', kind: 'drop' })).status).toBe(201);
    await stack.emu.pay(missed.outTradeNo);
    await backdatePayment(missed.outTradeNo, day, 'wechat');
    expect((await orderRow(missed.outTradeNo)).status).toBe('PENDING');

    const changed = await paidOrder(stack);
    const omitted = await paidOrder(stack);
    const refundedHere = await paidOrder(stack);
    const refundedThere = await paidOrder(stack);
    const refundDiffers = await paidOrder(stack);
    for (const o of [changed, omitted, refundedHere, refundedThere, refundDiffers])
      await backdatePayment(o.order.outTradeNo, day);
    // A refund WeChat has on another day (so not in this bill), one made outside our books (the merchant
    // console), and one whose amount our books misstate.
    const hereNo = await refunded(refundedHere.order.outTradeNo, 100);
    await backdateRefund(hereNo, day);
    await backdateRefund(hereNo, '2026-09-01', 'wechat');
    const foreign = await stack.bff.services.refundPay!.refund({
      outTradeNo: refundedThere.order.outTradeNo,
      outRefundNo: `MANUAL${Date.now()}`,
      totalFen: refundedThere.order.totalFen,
      refundFen: 200,
    });
    await waitFor(async () =>
      [...stack.emu.state.refunds.values()].find(
        (r) => r.outRefundNo === foreign.outRefundNo && r.status === 'SUCCESS',
      ),
    );
    await backdateRefund(foreign.outRefundNo, day, 'wechat');
    const differsNo = await refunded(refundDiffers.order.outTradeNo, 300);
    await backdateRefund(differsNo, day);
    await db().updateTable('refunds').set({ refund_fen: 301 }).where('out_refund_no', '=', differsNo).execute();

    const dayB = day.replace(/-/g, '');
    expect((await stack.control('bill-discrepancy', undefined, 'DELETE')).status).toBe(204);
    expect(
      (
        await stack.control('bill-discrepancy', {
          kind: 'unknown-payment',
          totalFen: 4321,
          outTradeNo: 'NEVERHEARD1',
          billDate: dayB,
        })
      ).status,
    ).toBe(201);
    expect(
      (await stack.control('bill-discrepancy', { kind: 'amount', outTradeNo: changed.order.outTradeNo, totalFen: 1 }))
        .status,
    ).toBe(201);
    expect(
      (await stack.control('bill-discrepancy', { kind: 'omit', outTradeNo: omitted.order.outTradeNo })).status,
    ).toBe(201);
    // The injected ones land on the payment's real day in the emulator; move them with the payments.
    for (const d of stack.emu.state.billDiscrepancies) d.billDate = dayB;

    const { reconciliation, discrepancies } = await reconcile(day);
    const found = discrepancies.map((d) => [d.kind, d.outTradeNo]).sort();
    expect(found).toEqual(
      [
        ['PAID_AT_WECHAT_ONLY', missed.outTradeNo],
        ['PAID_AT_WECHAT_ONLY', 'NEVERHEARD1'],
        ['PAYMENT_AMOUNT_DIFFERS', changed.order.outTradeNo],
        ['PAID_HERE_ONLY', omitted.order.outTradeNo],
        ['REFUND_HERE_ONLY', refundedHere.order.outTradeNo],
        ['REFUND_AT_WECHAT_ONLY', refundedThere.order.outTradeNo],
        ['REFUND_AMOUNT_DIFFERS', refundDiffers.order.outTradeNo],
      ].sort(),
    );
    expect(reconciliation).toMatchObject({ status: 'DISCREPANCIES', discrepancyCount: 7 });
    expect(discrepancies.find((d) => d.outTradeNo === 'NEVERHEARD1')).toMatchObject({
      orderKnown: false,
      wechatFen: 4321,
    });
    expect(discrepancies.find((d) => d.kind === 'PAYMENT_AMOUNT_DIFFERS')).toMatchObject({
      wechatFen: 1,
      ourFen: changed.order.totalFen,
    });
    expect(discrepancies.find((d) => d.kind === 'REFUND_AMOUNT_DIFFERS')).toMatchObject({
      wechatFen: 300,
      ourFen: 301,
    });
    // The missed payment is now PAID through orderquery, and still flagged for a human to look at.
    expect(discrepancies.find((d) => d.outTradeNo === missed.outTradeNo)!.note).toContain('confirmed paid');
    expect(await orderRow(missed.outTradeNo)).toMatchObject({ status: 'PAID', needs_attention: true });
    for (const [kind, outTradeNo] of found.filter(([, no]) => no !== 'NEVERHEARD1')) {
      const row = await orderRow(outTradeNo!);
      expect(row.needs_attention, outTradeNo).toBe(true);
      expect(row.attention_reason).toContain(`bill ${day}: ${kind}`);
    }
  });

  it('a re-run replaces the day whole; a failed re-run keeps the last result and schedules a retry', async () => {
    const day = '2026-10-04';
    const order = await paidOrder(stack);
    await backdatePayment(order.order.outTradeNo, day);
    expect((await stack.control('bill-discrepancy', undefined, 'DELETE')).status).toBe(204);
    expect(
      (await stack.control('bill-discrepancy', { kind: 'amount', outTradeNo: order.order.outTradeNo, totalFen: 2 }))
        .status,
    ).toBe(201);
    for (const d of stack.emu.state.billDiscrepancies) d.billDate = day.replace(/-/g, '');
    expect((await reconcile(day)).reconciliation).toMatchObject({ status: 'DISCREPANCIES', discrepancyCount: 1 });
    expect((await reconcile(day)).discrepancies).toHaveLength(1); // a re-run does not add a second copy

    // WeChat's bill fixed: the re-run replaces the result and its discrepancies.
    expect((await stack.control('bill-discrepancy', undefined, 'DELETE')).status).toBe(204);
    const fixed = await reconcile(day);
    expect(fixed.reconciliation).toMatchObject({ status: 'MATCHED', discrepancyCount: 0 });
    const stored = await db().selectFrom('bill_discrepancies').select('id').where('bill_date', '=', day).execute();
    expect(stored).toEqual([]);

    // Every attempt of the next re-run fails: the 502 names no key, and the MATCHED result stays.
    expect((await stack.control('faults', { target: billTarget, kind: 'http500', count: 3 })).status).toBe(201);
    const failed = await admin(`/${day}/reconcile`, 'POST');
    expect(failed.status).toBe(502);
    expect(await failed.text()).not.toContain(MERCHANT.apiKey);
    const after = BillDayResponseSchema.parse(await (await admin(`/${day}`)).json());
    expect(after.reconciliation).toMatchObject({ status: 'MATCHED', reconciledAt: fixed.reconciliation!.reconciledAt });
    expect(after.run).toMatchObject({ attempts: 1, lastError: expect.stringContaining('HTTP 500') });
    expect(Date.parse(after.run!.nextAttemptAt!)).toBeGreaterThan(Date.now());

    // The schedule leaves a day with a result alone, and the day is listed.
    expect(
      await runBillDay(
        { db: db(), pay: stack.bff.services.pay, log: stack.bff.services.logger, metrics: stack.bff.services.metrics },
        day,
        { due: true, source: 'schedule' },
      ),
    ).toBeNull();
    const list = BillReconciliationListSchema.parse(await (await admin('?limit=5')).json());
    expect(list.days.map((d) => d.day)).toContain(day);
  });

  it.runIf(backend.pay !== 'v2')(
    'v3: a bill file not matching its SHA1 is refused, not stored, and retried',
    async () => {
      const day = '2026-10-06';
      const order = await paidOrder(stack);
      await backdatePayment(order.order.outTradeNo, day);
      expect((await stack.control('faults', { target: 'tradebill', kind: 'badhash' })).status).toBe(201);
      const failed = await admin(`/${day}/reconcile`, 'POST');
      expect(failed.status).toBe(502);
      const none = BillDayResponseSchema.parse(await (await admin(`/${day}`)).json());
      expect(none.reconciliation).toBeNull();
      expect(none.run).toMatchObject({ attempts: 1, lastError: expect.stringContaining('WechatBillHashError') });
      expect(await db().selectFrom('bill_discrepancies').select('id').where('bill_date', '=', day).execute()).toEqual(
        [],
      );

      // The next attempt gets an intact file: the day is stored and the retry record is gone.
      const { reconciliation } = await reconcile(day);
      expect(reconciliation).toMatchObject({ status: 'MATCHED', matchedPayments: 1, discrepancyCount: 0 });
      expect(BillDayResponseSchema.parse(await (await admin(`/${day}`)).json()).run).toBeNull();
    },
  );

  it('one run per day: a re-run while another holds the lease is refused with 409', async () => {
    const day = '2026-10-05';
    await db()
      .insertInto('bill_runs')
      .values({ bill_date: day, lease_until: sql<Date>`now() + interval '5 minutes'` })
      .execute();
    expect((await admin(`/${day}/reconcile`, 'POST')).status).toBe(409);
    await db()
      .updateTable('bill_runs')
      .set({ lease_until: sql<Date>`now() - interval '1 second'` })
      .where('bill_date', '=', day)
      .execute();
    expect((await reconcile(day)).reconciliation).toMatchObject({ status: 'NO_BILL' });
    // A completed run releases its lease row.
    expect(
      await db().selectFrom('bill_runs').selectAll().where('bill_date', '=', day).executeTakeFirst(),
    ).toBeUndefined();
  });
});

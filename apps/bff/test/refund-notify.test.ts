/** Refund notifications whose refund_status is newer than our WeChat client. */
import { describe, expect, it } from 'vitest';
import { backends } from './helpers/backends';
import { SUCCESS_XML, adminRefund, paidOrder, postNotify, refundNotifyXml, useStack, waitFor } from './helpers/stack';

describe.each(backends)('refund notification with an unknown refund_status ($name)', (backend) => {
  const { stack, orderRow, db } = useStack(backend, {}, { captureLogs: true, clearFaultsAfterEach: true });

  /** A paid order with a refund WeChat has accepted but whose notification was dropped. */
  async function processingRefund() {
    const { order } = await paidOrder(stack);
    expect((await stack.control('faults', { target: 'notify', kind: 'drop', count: 1 })).ok).toBe(true);
    expect((await adminRefund(stack, order.outTradeNo)).status).toBe(202);
    // Wait for WeChat's side to finish, so its (dropped) notification cannot race the test's own.
    const refund = await waitFor(async () =>
      [...stack.emu.state.refunds.values()].find((r) => r.outTradeNo === order.outTradeNo && r.status === 'SUCCESS'),
    );
    const row = await db()
      .selectFrom('refunds')
      .selectAll()
      .where('out_refund_no', '=', refund.outRefundNo)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('PROCESSING');
    return {
      outTradeNo: order.outTradeNo,
      outRefundNo: refund.outRefundNo,
      refundFen: row.refund_fen,
      totalFen: order.totalFen,
    };
  }

  const eventCount = async (outTradeNo: string) =>
    (
      await db()
        .selectFrom('order_events')
        .innerJoin('orders', 'orders.id', 'order_events.order_id')
        .select('order_events.id')
        .where('orders.out_trade_no', '=', outTradeNo)
        .execute()
    ).length;

  it('is acknowledged with SUCCESS, changes nothing and is logged with the raw status', async () => {
    const r = await processingRefund();
    const refundRow = () =>
      db().selectFrom('refunds').selectAll().where('out_refund_no', '=', r.outRefundNo).executeTakeFirstOrThrow();
    const [refundBefore, orderBefore, eventsBefore] = await Promise.all([
      refundRow(),
      orderRow(r.outTradeNo),
      eventCount(r.outTradeNo),
    ]);
    expect(orderBefore).toMatchObject({ status: 'REFUNDING', refunded_fen: 0, needs_attention: false });

    const res = await postNotify(stack, refundNotifyXml(r, 'SOME_NEW_STATUS'), '/api/wechat/refund/notify');
    expect(res.status).toBe(200);
    expect(res.body).toMatch(SUCCESS_XML);

    expect(await refundRow()).toEqual(refundBefore);
    expect(await orderRow(r.outTradeNo)).toEqual(orderBefore);
    expect(await eventCount(r.outTradeNo)).toBe(eventsBefore);
    const warning = stack
      .logs()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find(
        (l) => typeof l.msg === 'string' && l.msg.includes('unknown refund_status') && l.outRefundNo === r.outRefundNo,
      );
    expect(warning).toMatchObject({ level: 40, refundStatus: 'SOME_NEW_STATUS', outTradeNo: r.outTradeNo });

    // Nothing was consumed: a later notification with a known final status still settles it.
    expect((await postNotify(stack, refundNotifyXml(r, 'SUCCESS'), '/api/wechat/refund/notify')).body).toMatch(
      SUCCESS_XML,
    );
    expect(await orderRow(r.outTradeNo)).toMatchObject({ status: 'REFUNDED', refunded_fen: r.refundFen });
  });
});

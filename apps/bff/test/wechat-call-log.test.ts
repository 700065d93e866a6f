/**
 * Every Pay call made for an order is recorded (call, WeChat's path, outcome and code, duration; never a body,
 * key or signature) and listed on the console's order page; rows past the retention are deleted.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { addOperator } from '../src/operators/accounts';
import { WechatCallLog } from '../src/payments/wechat-call-log';
import { backends } from './helpers/backends';
import { MERCHANT, adminRefund, paidOrder, useStack, waitFor, withPayModes } from './helpers/stack';

interface CallView {
  call: string;
  endpoint: string;
  out_refund_no: string | null;
  result: string;
  code: string | null;
  duration_ms: number;
  called_at: string;
}

describe.each(withPayModes(backends, ['v2', 'v3 public-key']))('WeChat calls per order ($name, $pay)', (backend) => {
  const { stack, db } = useStack(backend, {}, { pay: backend.pay });
  const v2 = backend.pay === 'v2';

  async function operatorPage(outTradeNo: string, minCalls: number): Promise<{ wechatCalls: CallView[] }> {
    const name = `viewer-${Math.random().toString(36).slice(2, 8)}`;
    await addOperator(db(), name, 'correct horse battery', 'viewer');
    const browser = stack.browser();
    expect((await browser.post('/api/operator/sign-in', { name, password: 'correct horse battery' })).status).toBe(200);
    // Records are written in the background: the page shows them once written.
    return waitFor(async () => {
      const page = (await (await browser.get(`/api/operator/orders/${outTradeNo}`)).json()) as {
        wechatCalls: CallView[];
      };
      return page.wechatCalls.length >= minCalls && page;
    });
  }

  it('prepay, refund, refund query, order query and a refused close are on the order page', async () => {
    const { order } = await paidOrder(stack);
    const refund = await adminRefund(stack, order.outTradeNo, { amountFen: 100 });
    expect(refund.status).toBe(202);
    const { outRefundNo } = (await db()
      .selectFrom('refunds')
      .innerJoin('orders', 'orders.id', 'refunds.order_id')
      .select('refunds.out_refund_no as outRefundNo')
      .where('orders.out_trade_no', '=', order.outTradeNo)
      .executeTakeFirstOrThrow()) as { outRefundNo: string };
    // Made the way the reconciler makes them: a refund query names only the refund, not its order.
    await stack.bff.services.refundPay!.queryRefund(outRefundNo);
    await stack.bff.services.pay.queryOrder(order.outTradeNo);
    await expect(stack.bff.services.pay.closeOrder(order.outTradeNo)).rejects.toThrow();

    const page = await operatorPage(order.outTradeNo, 5);
    const byCall = (call: string) => page.wechatCalls.filter((c) => c.call === call);
    expect(byCall('createPrepay')[0]).toMatchObject({
      endpoint: v2 ? '/pay/unifiedorder' : '/v3/pay/transactions/{jsapi,native,h5}',
      result: 'success',
    });
    expect(byCall('refund')[0]).toMatchObject({ out_refund_no: outRefundNo, result: 'success' });
    expect(byCall('queryRefund').at(-1)).toMatchObject({ out_refund_no: outRefundNo, result: 'success' });
    expect(byCall('queryOrder').at(-1)).toMatchObject({
      result: 'success',
      code: expect.stringMatching(/SUCCESS|REFUND/),
    });
    expect(byCall('closeOrder').at(-1)).toMatchObject({
      endpoint: v2 ? '/pay/closeorder' : '/v3/pay/transactions/out-trade-no/{out_trade_no}/close',
      result: 'business_refusal',
      code: expect.stringMatching(/ORDER_?PAID|HTTP 4\d\d/),
    });
    for (const call of page.wechatCalls) {
      expect(call.duration_ms).toBeGreaterThanOrEqual(0);
      expect(Date.parse(call.called_at)).not.toBeNaN();
    }
    // Oldest first, and nothing secret in what is stored.
    expect(page.wechatCalls[0]!.call).toBe('createPrepay');
    const stored = JSON.stringify(await db().selectFrom('wechat_calls').selectAll().execute());
    expect(stored).not.toContain(MERCHANT.apiKey);
    expect(stored).not.toMatch(/WECHATPAY2|signature|paySign/i);
  });

  it('a call that gets no answer is recorded as such, under its order', async () => {
    const { order } = await paidOrder(stack);
    expect((await stack.control('faults', { target: 'orderquery', kind: 'http500', count: 5 })).status).toBe(201);
    await expect(stack.bff.services.pay.queryOrder(order.outTradeNo)).rejects.toThrow();
    await stack.control('faults', undefined, 'DELETE');
    const page = await operatorPage(order.outTradeNo, 2);
    expect(page.wechatCalls.find((c) => c.call === 'queryOrder')).toMatchObject({
      result: 'upstream_error',
      code: 'HTTP 500',
    });
  });

  it('rows older than the retention are deleted as new calls are recorded', async () => {
    await db()
      .insertInto('wechat_calls')
      .values({
        out_trade_no: 'OLDORDER1',
        out_refund_no: null,
        call: 'queryOrder',
        endpoint: '/pay/orderquery',
        result: 'success',
        code: 'NOTPAY',
        duration_ms: 5,
        called_at: sql<Date>`now() - interval '8 days'`,
      })
      .execute();
    const log = new WechatCallLog(db(), stack.bff.services.logger, 7 * 24 * 3600_000);
    log.record({
      call: 'queryOrder',
      endpoint: '/pay/orderquery',
      outTradeNo: 'NEWORDER1',
      outRefundNo: null,
      result: 'success',
      code: 'NOTPAY',
      durationMs: 3,
    });
    await log.flush();
    const left = await db()
      .selectFrom('wechat_calls')
      .select('out_trade_no')
      .where('out_trade_no', 'in', ['OLDORDER1', 'NEWORDER1'])
      .execute();
    expect(left).toEqual([{ out_trade_no: 'NEWORDER1' }]);
  });
});

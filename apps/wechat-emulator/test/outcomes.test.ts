import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verify } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import {
  json,
  M,
  merchantTls,
  orderParams,
  payApi,
  postHttps,
  refundNotice,
  signed,
  startEmulator,
  startReceiver,
} from './helpers/emulator';

let emu: Emulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeEach(async () => {
  receiver = await startReceiver();
  emu = await startEmulator({ refundDelayMs: 30 });
});
afterEach(async () => {
  await emu.stop();
  await receiver.close();
});

async function paidOrder(totalFee = 300) {
  const params = orderParams({ total_fee: totalFee });
  await emu.pay((await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id!);
  return params.out_trade_no as string;
}

function refund(outTradeNo: string, outRefundNo: string, refundFee = 100) {
  const body = signed({
    out_trade_no: outTradeNo,
    out_refund_no: outRefundNo,
    total_fee: 300,
    refund_fee: refundFee,
    notify_url: receiver.url,
  });
  return postHttps(`${emu.httpsUrl}/secapi/pay/refund`, body, merchantTls(emu));
}

const outcome = (body: Record<string, unknown>) => json(emu, '/__emulator/refund-outcome', { body });
const refundStatus = async (outRefundNo: string) =>
  (await payApi(emu, '/pay/refundquery', { out_refund_no: outRefundNo })).fields;

describe('how a refund ends (POST /__emulator/refund-outcome)', () => {
  it('arranged in advance: the next refund ends CHANGE (refundquery and the encrypted notify say so), then a later SUCCESS settles it', async () => {
    const outTradeNo = await paidOrder();
    expect((await outcome({ status: 'CHANGE' })).status).toBe(201);
    expect((await refund(outTradeNo, 'RC1')).fields.result_code).toBe('SUCCESS');
    const [changed] = await receiver.waitFor(1);
    const inner = await refundNotice(changed!.body);
    expect(inner).toMatchObject({ out_refund_no: 'RC1', refund_status: 'CHANGE' });
    expect(inner.success_time).toBeUndefined();
    const query = await refundStatus('RC1');
    expect(query).toMatchObject({ result_code: 'SUCCESS', refund_status_0: 'CHANGE' });
    expect(query.refund_success_time_0).toBeUndefined();
    expect(verify(query, M.apiKey, 'MD5')).toBe(true);

    // Used up: the next refund ends SUCCESS as by default.
    expect((await refund(outTradeNo, 'RC2')).fields.result_code).toBe('SUCCESS');
    expect((await refundNotice((await receiver.waitFor(2))[1]!.body)).refund_status).toBe('SUCCESS');

    // The exception is handled (as in the merchant console): a final status and a new notification.
    const settled = await outcome({ status: 'SUCCESS', outRefundNo: 'RC1' });
    expect(settled.status).toBe(200);
    expect(settled.body.refund).toMatchObject({ outRefundNo: 'RC1', status: 'SUCCESS' });
    const resolved = await refundNotice((await receiver.waitFor(3))[2]!.body);
    expect(resolved).toMatchObject({ out_refund_no: 'RC1', refund_status: 'SUCCESS' });
    expect(resolved.success_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect((await refundStatus('RC1')).refund_status_0).toBe('SUCCESS');
    expect((await outcome({ status: 'REFUNDCLOSE', outRefundNo: 'RC1' })).status).toBe(409);
  });

  it('REFUNDCLOSE for one out_refund_no leaves other refunds alone and makes its amount refundable again', async () => {
    const outTradeNo = await paidOrder();
    expect((await outcome({ status: 'REFUNDCLOSE', outRefundNo: 'RX2' })).body).toMatchObject({
      status: 'REFUNDCLOSE',
      outRefundNo: 'RX2',
      remaining: 1,
    });
    expect((await json(emu, '/__emulator/state')).body.refundOutcomes).toHaveLength(1);
    await refund(outTradeNo, 'RX1', 100);
    await refund(outTradeNo, 'RX2', 200);
    await receiver.waitFor(2);
    expect((await refundStatus('RX1')).refund_status_0).toBe('SUCCESS');
    expect((await refundStatus('RX2')).refund_status_0).toBe('REFUNDCLOSE');
    const notices = await Promise.all(receiver.received.map((r) => refundNotice(r.body)));
    expect(Object.fromEntries(notices.map((n) => [n.out_refund_no, n.refund_status]))).toEqual({
      RX1: 'SUCCESS',
      RX2: 'REFUNDCLOSE',
    });
    // The closed 200 fen went back to the merchant, so they can be refunded once more.
    expect((await refund(outTradeNo, 'RX3', 200)).fields.result_code).toBe('SUCCESS');
    expect((await refund(outTradeNo, 'RX4', 1)).fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'ERROR',
      err_code_des: '订单已全额退款',
    });
  });

  it('ends a PROCESSING refund now; validates its input; DELETE and reset forget arranged outcomes', async () => {
    await emu.stop();
    emu = await startEmulator({ refundDelayMs: 60_000 });
    const outTradeNo = await paidOrder();
    await refund(outTradeNo, 'RP1');
    expect((await refundStatus('RP1')).refund_status_0).toBe('PROCESSING');
    expect((await outcome({ status: 'REFUNDCLOSE', outRefundNo: 'RP1' })).status).toBe(200);
    expect((await refundStatus('RP1')).refund_status_0).toBe('REFUNDCLOSE');
    expect((await refundNotice((await receiver.waitFor(1))[0]!.body)).refund_status).toBe('REFUNDCLOSE');

    for (const bad of [
      { status: 'PROCESSING' },
      { status: 'FAILED' },
      {},
      { status: 'CHANGE', count: 0 },
      { status: 'CHANGE', outRefundNo: {} },
    ]) {
      expect((await outcome(bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await outcome({ status: 'CHANGE', count: 2 })).status).toBe(201);
    expect((await json(emu, '/__emulator/refund-outcome', { method: 'DELETE' })).status).toBe(204);
    await outcome({ status: 'CHANGE' });
    await json(emu, '/__emulator/reset', { method: 'POST' });
    expect(emu.state.refundOutcomes).toEqual([]);
  });
});

describe('unpaid trade states (POST /__emulator/trade-state)', () => {
  it('puts a NOTPAY order into USERPAYING or PAYERROR for orderquery; it stays payable, closable and unrefundable', async () => {
    const params = orderParams({ attach: 'a1' });
    const prepayId = (await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id!;
    const query = async () => (await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no })).fields;

    expect((await json(emu, '/__emulator/trade-state', { body: { prepayId, tradeState: 'USERPAYING' } })).body).toEqual(
      { outTradeNo: params.out_trade_no, state: 'USERPAYING' },
    );
    const paying = await query();
    expect(paying).toMatchObject({
      result_code: 'SUCCESS',
      trade_state: 'USERPAYING',
      trade_state_desc: '用户支付中',
      out_trade_no: params.out_trade_no,
      attach: 'a1',
    });
    expect(paying.transaction_id).toBeUndefined();
    expect(verify(paying, M.apiKey, 'MD5')).toBe(true);

    await json(emu, '/__emulator/trade-state', { body: { outTradeNo: params.out_trade_no, tradeState: 'PAYERROR' } });
    expect(await query()).toMatchObject({
      trade_state: 'PAYERROR',
      trade_state_desc: '支付失败(其他原因，如银行返回失败)',
    });
    const refused = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      signed({ out_trade_no: params.out_trade_no, out_refund_no: 'RU1', total_fee: 101, refund_fee: 1 }),
      merchantTls(emu),
    );
    expect(refused.fields.err_code).toBe('ORDERNOTEXIST');
    // Re-entry with the same parameters still returns the same prepay_id.
    expect((await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id).toBe(prepayId);

    // The user tries again and pays.
    await emu.pay(prepayId);
    expect((await query()).trade_state).toBe('SUCCESS');
    expect((await json(emu, '/__emulator/trade-state', { body: { prepayId, tradeState: 'NOTPAY' } })).status).toBe(409);

    const other = orderParams();
    await payApi(emu, '/pay/unifiedorder', other);
    await json(emu, '/__emulator/trade-state', { body: { outTradeNo: other.out_trade_no, tradeState: 'USERPAYING' } });
    expect((await payApi(emu, '/pay/closeorder', { out_trade_no: other.out_trade_no })).fields.result_code).toBe(
      'SUCCESS',
    );
    expect(
      (await json(emu, '/__emulator/trade-state', { body: { outTradeNo: other.out_trade_no, tradeState: 'PAYERROR' } }))
        .status,
    ).toBe(409);

    expect((await json(emu, '/__emulator/trade-state', { body: { prepayId, tradeState: 'SUCCESS' } })).status).toBe(
      400,
    );
    expect((await json(emu, '/__emulator/trade-state', { body: { tradeState: 'PAYERROR' } })).status).toBe(400);
    expect(
      (await json(emu, '/__emulator/trade-state', { body: { outTradeNo: 'NOPE', tradeState: 'PAYERROR' } })).status,
    ).toBe(409);
  });
});

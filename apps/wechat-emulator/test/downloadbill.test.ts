/** /pay/downloadbill from the emulator's own state, read back by the protocol core's client and parser. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PayClient, WechatBillDownloadError, beijingTime, parseTradeBill } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import {
  eventually,
  M,
  merchantTls,
  orderParams,
  payApi,
  postHttps,
  postXml,
  signed,
  startEmulator,
} from './helpers/emulator';

let emu: Emulator;
let client: PayClient;
beforeEach(async () => {
  emu = await startEmulator({ refundDelayMs: 10 });
  client = new PayClient({
    appId: M.appId,
    mchId: M.mchId,
    apiKey: M.apiKey,
    signType: 'MD5',
    payBaseUrl: emu.httpUrl,
    retries: 0,
  });
});
afterEach(async () => {
  await emu.stop();
});

const today = () => beijingTime(new Date()).slice(0, 8);
/** The Beijing day an order was paid on (not "today", which may have turned since). */
const paidDay = (outTradeNo: string) =>
  beijingTime(new Date(emu.state.findOrder(M.mchId, outTradeNo)!.paidAt!)).slice(0, 8);

async function paidOrder(totalFee: number, body = '测试商城-商品'): Promise<string> {
  const params = orderParams({ total_fee: totalFee, body });
  const res = await payApi(emu, '/pay/unifiedorder', params);
  await emu.pay(res.fields.prepay_id!);
  return params.out_trade_no as string;
}

async function control(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.httpUrl}/__emulator/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('/pay/downloadbill', () => {
  it("writes the day's payments and refunds in WeChat's format, which parseTradeBill reads back exactly", async () => {
    const first = await paidOrder(6970, '龙井,明前');
    const second = await paidOrder(1);
    const refundXml = signed({ out_trade_no: first, out_refund_no: `R${first}`, total_fee: 6970, refund_fee: 1000 });
    const refunded = await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refundXml, merchantTls(emu));
    expect(refunded.fields.result_code).toBe('SUCCESS');
    await eventually(() => [...emu.state.refunds.values()].every((r) => r.status === 'SUCCESS'));

    const result = await client.downloadBill({ billDate: paidDay(first) });
    if (!result.exists) throw new Error('expected a bill');
    const lines = result.text.split('\r\n');
    expect(lines[0]).toMatch(/^交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号/);
    expect(lines[1]).toMatch(/^`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},`wx/);
    const bill = parseTradeBill(result.text);
    const byState = (state: string) => bill.rows.filter((r) => r.tradeState === state);
    expect(
      byState('SUCCESS')
        .map((r) => [r.outTradeNo, r.totalFen, r.settlementFen, r.feeMilliFen, r.feeRate])
        .sort(),
    ).toEqual(
      [
        [first, 6970, 6970, 41820, '0.60%'],
        [second, 1, 1, 6, '0.60%'],
      ].sort(),
    );
    // A comma in the goods' name would shift the columns: it is written full-width.
    expect(byState('SUCCESS').find((r) => r.outTradeNo === first)!.body).toBe('龙井，明前');
    expect(byState('REFUND').map((r) => [r.outTradeNo, r.outRefundNo, r.refundFen, r.feeMilliFen])).toEqual([
      [first, `R${first}`, 1000, -6000],
    ]);
    expect(result.text).toContain('`0.41820,`0.60%');
    expect(bill.summary).toEqual({
      count: 3,
      settlementTotalFen: 6971,
      refundTotalFen: 1000,
      feeTotalMilliFen: 41820 + 6 - 6000,
    });
  });

  it('answers No Bill Exist for a day without trades, and a refund-only bill type without refunds', async () => {
    await expect(client.downloadBill({ billDate: '20200101' })).resolves.toEqual({ exists: false });
    const day = paidDay(await paidOrder(100));
    await expect(client.downloadBill({ billDate: day, billType: 'REFUND' })).resolves.toEqual({ exists: false });
    await expect(client.downloadBill({ billDate: day, billType: 'SUCCESS' })).resolves.toMatchObject({ exists: true });
  });

  it('refuses a day to come, a bad bill_type and a bad sign', async () => {
    const future = await client.downloadBill({ billDate: '29991231' }).catch((e: unknown) => e);
    expect(future).toBeInstanceOf(WechatBillDownloadError);
    expect(future).toMatchObject({ returnMsg: 'invalid bill_date', errorCode: '20001' });
    const badType = await postXml(
      `${emu.httpUrl}/pay/downloadbill`,
      signed({ bill_date: today(), bill_type: 'EVERYTHING' }),
    );
    expect(badType.fields).toMatchObject({ return_code: 'FAIL', return_msg: 'invalid bill_type' });
    const badSign = await postXml(
      `${emu.httpUrl}/pay/downloadbill`,
      signed({ bill_date: today() }, 'MD5', 'x'.repeat(32)),
    );
    expect(badSign.fields).toMatchObject({ return_code: 'FAIL', return_msg: '签名错误' });
  });

  it('injected discrepancies: an unknown payment, a different amount, a payment left out', async () => {
    const changed = await paidOrder(500);
    const omitted = await paidOrder(700);
    const untouched = await paidOrder(900);
    const day = paidDay(changed);
    const unknown = await control('bill-discrepancy', {
      kind: 'unknown-payment',
      totalFen: 4321,
      outTradeNo: 'NEVERHEARD1',
      billDate: day,
    });
    expect(unknown.status).toBe(201);
    expect((await control('bill-discrepancy', { kind: 'amount', outTradeNo: changed, totalFen: 499 })).status).toBe(
      201,
    );
    expect((await control('bill-discrepancy', { kind: 'omit', outTradeNo: omitted })).status).toBe(201);

    const result = await client.downloadBill({ billDate: day });
    if (!result.exists) throw new Error('expected a bill');
    const rows = parseTradeBill(result.text).rows.map((r) => [r.outTradeNo, r.totalFen]);
    expect(rows.sort()).toEqual(
      [
        ['NEVERHEARD1', 4321],
        [changed, 499],
        [untouched, 900],
      ].sort(),
    );
    // The emulator's own order is unchanged: only the bill differs.
    expect(emu.state.findOrder(M.mchId, changed)!.totalFee).toBe(500);
  });

  it('the control refuses what it cannot apply, with a reason', async () => {
    const cases: [unknown, string][] = [
      [{ kind: 'nonsense' }, 'kind must be one of'],
      [{ kind: 'unknown-payment', totalFen: 0 }, 'totalFen must be a positive integer'],
      [{ kind: 'amount', outTradeNo: 'NOSUCH', totalFen: 1 }, 'is not a paid order'],
      [{ kind: 'omit' }, 'outTradeNo is required'],
    ];
    for (const [body, error] of cases) {
      const res = await control('bill-discrepancy', body);
      expect(res.status).toBe(400);
      expect(String(res.json.error)).toContain(error);
    }
    expect(emu.state.billDiscrepancies).toEqual([]);
  });

  it('a downloadbill fault breaks the transport once; the next download gets the bill', async () => {
    const day = paidDay(await paidOrder(100));
    expect((await control('faults', { target: 'downloadbill', kind: 'http500' })).status).toBe(201);
    await expect(client.downloadBill({ billDate: day })).rejects.toMatchObject({
      name: 'WechatTransportError',
      status: 500,
    });
    await expect(client.downloadBill({ billDate: day })).resolves.toMatchObject({ exists: true });
  });
});

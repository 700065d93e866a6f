/** v3's /v3/bill/tradebill and its download URL, read back by the protocol core's v3 gateway and parser. */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PayClient, WechatBillHashError, WechatPayV3ApiError, beijingTime, parseTradeBill } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import { M, orderParams, payApi, startEmulator } from './helpers/emulator';
import { gateway, v3Call } from './helpers/v3';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ merchants: [{ ...M, v3KeyMode: 'public-key' }] });
});
afterEach(async () => {
  await emu.stop();
});

async function paidOrder(totalFee: number): Promise<{ outTradeNo: string; day: string }> {
  const params = orderParams({ total_fee: totalFee });
  const res = await payApi(emu, '/pay/unifiedorder', params);
  await emu.pay(res.fields.prepay_id!);
  const outTradeNo = params.out_trade_no as string;
  const paidAt = emu.state.findOrder(M.mchId, outTradeNo)!.paidAt!;
  return { outTradeNo, day: beijingTime(new Date(paidAt)).slice(0, 8) };
}

const dashed = (day: string) => `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`;

async function fault(body: Record<string, unknown>): Promise<number> {
  const res = await fetch(`${emu.httpUrl}/__emulator/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.status;
}

describe('/v3/bill/tradebill', () => {
  it('serves the same bill as v2 downloadbill, gzip or not, its SHA1 announced in the signed answer', async () => {
    const a = await paidOrder(6970);
    const b = await paidOrder(1);
    const v2 = new PayClient({
      appId: M.appId,
      mchId: M.mchId,
      apiKey: M.apiKey,
      signType: 'MD5',
      payBaseUrl: emu.httpUrl,
    });
    const v2Bill = await v2.downloadBill({ billDate: a.day });
    for (const gzipBills of [true, false]) {
      const bill = await gateway(emu, 'public-key', { gzipBills }).downloadTradeBill({ billDate: a.day });
      expect(bill).toEqual(v2Bill);
      if (!bill.exists) throw new Error('expected a bill');
      const rows = parseTradeBill(bill.text).rows.map((r) => [r.outTradeNo, r.totalFen, r.tradeState]);
      expect(rows.sort()).toEqual(
        [
          [a.outTradeNo, 6970, 'SUCCESS'],
          [b.outTradeNo, 1, 'SUCCESS'],
        ].sort(),
      );
    }
    const apply = await v3Call(emu, 'GET', `/v3/bill/tradebill?bill_date=${dashed(a.day)}&bill_type=ALL`);
    expect(apply.status).toBe(200);
    expect(apply.json).toMatchObject({ hash_type: 'SHA1', download_url: expect.stringContaining(emu.httpUrl) });
    if (!v2Bill.exists) throw new Error('expected a bill');
    expect(apply.json!.hash_value).toBe(createHash('sha1').update(v2Bill.text, 'utf8').digest('hex'));
  });

  it('a day without trades is NO_STATEMENT_EXIST (400), read as no bill; bad dates are refused', async () => {
    const none = await v3Call(emu, 'GET', '/v3/bill/tradebill?bill_date=2020-01-01&bill_type=ALL');
    expect(none).toMatchObject({ status: 400, json: { code: 'NO_STATEMENT_EXIST' } });
    await expect(gateway(emu, 'public-key').downloadTradeBill({ billDate: '20200101' })).resolves.toEqual({
      exists: false,
    });
    expect((await v3Call(emu, 'GET', '/v3/bill/tradebill?bill_date=20200101')).json).toMatchObject({
      code: 'PARAM_ERROR',
    });
    expect((await v3Call(emu, 'GET', '/v3/bill/tradebill?bill_date=2999-12-31')).json).toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('the download URL needs the merchant signature and a token it issued', async () => {
    const { day } = await paidOrder(100);
    const apply = await v3Call(emu, 'GET', `/v3/bill/tradebill?bill_date=${dashed(day)}`);
    const url = new URL(apply.json!.download_url as string);
    expect((await fetch(url)).status).toBe(401);
    const forged = await v3Call(emu, 'GET', `${url.pathname}?token=made-up`);
    expect(forged).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
  });

  it('badhash: the file does not match the announced SHA1 → WechatBillHashError; the next apply is fine', async () => {
    const { day } = await paidOrder(100);
    expect(await fault({ target: 'tradebill', kind: 'badhash' })).toBe(201);
    const spoiled = await gateway(emu, 'public-key')
      .downloadTradeBill({ billDate: day })
      .catch((e: unknown) => e);
    expect(spoiled).toBeInstanceOf(WechatBillHashError);
    expect(spoiled).toMatchObject({ outcome: 'unknown', retryLater: true });
    await expect(gateway(emu, 'public-key').downloadTradeBill({ billDate: day })).resolves.toMatchObject({
      exists: true,
    });
    expect(await fault({ target: 'downloadbill', kind: 'badhash' })).toBe(400);
  });

  it('a STATEMENT_CREATING refusal surfaces as a 400 WechatPayV3ApiError', async () => {
    const { day } = await paidOrder(100);
    expect(await fault({ target: 'tradebill', kind: 'bizerror', errCode: 'STATEMENT_CREATING' })).toBe(201);
    const err = await gateway(emu, 'public-key')
      .downloadTradeBill({ billDate: day })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatPayV3ApiError);
    expect(err).toMatchObject({ status: 400, code: 'STATEMENT_CREATING' });
  });
});

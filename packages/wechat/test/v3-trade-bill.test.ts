/** PayV3Gateway.downloadTradeBill against the in-test fake: apply, signed download, gzip, SHA1 check. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PayV3Gateway,
  WechatBillHashError,
  WechatPayResponseError,
  WechatPayV3ApiError,
  loadPrivateKey,
  parseAuthorization,
  parseTradeBill,
  readTradeBillApply,
} from '../src/index';
import { PLATFORM_PRIVATE_KEY } from './helpers/v3-keys';
import { MCH_ID, fakeGatewayOptions, startFakeV3, type FakeV3 } from './helpers/v3-server';

const PUB_KEY_ID = 'PUB_KEY_ID_0112345678901234567890000001';
const BILL =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,' +
  '应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,' +
  '手续费,费率,订单金额,申请退款金额,费率备注\r\n' +
  '`2026-12-01 10:00:00,`wxd678efh567hg6787,`1230000109,`0,`WEB,`4200001,`T1,`oUser,`JSAPI,`SUCCESS,`OTHERS,`CNY,' +
  '`69.70,`0.00,`0,`0,`0.00,`0.00,`,`,`龙井,`,`0.41820,`0.60%,`69.70,`0.00,`\r\n' +
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n' +
  '`1,`69.70,`0.00,`0.00,`0.41820,`69.70,`0.00\r\n';

let fake: FakeV3;
beforeAll(async () => {
  fake = await startFakeV3({ key: loadPrivateKey(PLATFORM_PRIVATE_KEY), serial: PUB_KEY_ID });
});
afterAll(() => fake.close());
afterEach(() => {
  fake.bill = undefined;
  fake.nextFaults = [];
});

const gateway = (gzipBills?: boolean) =>
  new PayV3Gateway(fakeGatewayOptions(fake, PUB_KEY_ID, gzipBills === undefined ? {} : { gzipBills }));

describe('PayV3Gateway.downloadTradeBill', () => {
  it('applies with yyyy-MM-dd and tar_type=GZIP, downloads with a signed GET, returns the parsable text', async () => {
    fake.bill = { text: BILL };
    const result = await gateway().downloadTradeBill({ billDate: '20261201' });
    expect(result).toEqual({ exists: true, text: BILL });
    if (result.exists) expect(parseTradeBill(result.text).summary.settlementTotalFen).toBe(6970);
    const [apply, download] = fake.seen.slice(-2);
    expect(apply!.url).toBe('/v3/bill/tradebill?bill_date=2026-12-01&bill_type=ALL&tar_type=GZIP');
    expect(download!.url).toBe('/v3/billdownload/file?token=t1');
    // The download is signed for its own path and query.
    expect(parseAuthorization(download!.headers.authorization)?.mchid).toBe(MCH_ID);
  });

  it('gzipBills: false asks without tar_type and reads the file as it comes', async () => {
    fake.bill = { text: BILL };
    await expect(gateway(false).downloadTradeBill({ billDate: '20261201', billType: 'SUCCESS' })).resolves.toEqual({
      exists: true,
      text: BILL,
    });
    expect(fake.seen.at(-2)!.url).toBe('/v3/bill/tradebill?bill_date=2026-12-01&bill_type=SUCCESS');
  });

  it('a file whose SHA1 is not the announced one → WechatBillHashError, unknown, to retry later', async () => {
    fake.bill = { text: BILL, hash: 'a'.repeat(40) };
    const err = await gateway()
      .downloadTradeBill({ billDate: '20261201' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatBillHashError);
    expect(err).toMatchObject({ expected: 'a'.repeat(40), outcome: 'unknown', retryLater: true });
  });

  it('NO_STATEMENT_EXIST is a day without trades; other refusals and bad input throw', async () => {
    await expect(gateway().downloadTradeBill({ billDate: '20261201' })).resolves.toEqual({ exists: false });
    fake.nextFaults = [{ status: 400, code: 'STATEMENT_CREATING', message: '账单生成中' }];
    await expect(gateway().downloadTradeBill({ billDate: '20261201' })).rejects.toBeInstanceOf(WechatPayV3ApiError);
    await expect(gateway().downloadTradeBill({ billDate: '2026-12-01' })).rejects.toThrow(/yyyyMMdd/);
    await expect(gateway().downloadTradeBill({ billDate: '20261201', billType: 'RECHARGE_REFUND' })).rejects.toThrow(
      /ALL, SUCCESS, REFUND on API v3/,
    );
  });

  it('an apply answer with another hash type or no URL is malformed (unknown outcome)', () => {
    const ok = { hash_type: 'SHA1', hash_value: 'B'.repeat(40), download_url: 'https://api.mch.weixin.qq.com/x?t=1' };
    expect(readTradeBillApply(ok)).toMatchObject({ hashValue: 'b'.repeat(40) });
    for (const bad of [
      { ...ok, hash_type: 'MD5' },
      { ...ok, hash_value: 'x' },
      { ...ok, download_url: 'nope' },
    ]) {
      expect(() => readTradeBillApply(bad)).toThrow(WechatPayResponseError);
    }
  });
});

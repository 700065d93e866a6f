/** PayClient.downloadBill against an in-test fake: gzip bills, `No Bill Exist`, FAIL answers, retries. */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PayClient,
  WechatBillDownloadError,
  WechatPayResponseError,
  buildXml,
  parseTradeBill,
  parseXml,
  verify,
} from '../src/index';
import { startServer, type TestServer } from './helpers/http-server';

const APP_ID = 'wx2421b1c4370ec43b';
const MCH_ID = '10000100';
const KEY = '192006250b4c09247ec02edce69f6a2d';
const BILL =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,' +
  '应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,' +
  '手续费,费率,订单金额,申请退款金额,费率备注\r\n' +
  '`2026-12-01 10:00:00,`wx2421b1c4370ec43b,`10000100,`0,`WEB,`4200001,`T1,`oUser,`JSAPI,`SUCCESS,`OTHERS,`CNY,' +
  '`69.70,`0.00,`0,`0,`0.00,`0.00,`,`,`龙井,`,`0.41820,`0.60%,`69.70,`0.00,`\r\n' +
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n' +
  '`1,`69.70,`0.00,`0.00,`0.41820,`69.70,`0.00\r\n';

type Answer = { status?: number; body: Buffer | string };
let answers: Answer[] = [];
const seen: Record<string, string>[] = [];
let server: TestServer;

beforeAll(async () => {
  server = await startServer(async (_req, res, body) => {
    seen.push(await parseXml(body));
    const answer = answers.shift() ?? { status: 500, body: 'no answer arranged' };
    res.writeHead(answer.status ?? 200);
    res.end(answer.body);
  });
});
afterAll(() => server.close());

function client(): PayClient {
  return new PayClient({
    appId: APP_ID,
    mchId: MCH_ID,
    apiKey: KEY,
    signType: 'MD5',
    payBaseUrl: server.url,
    retryDelayMs: 1,
  });
}

const failXml = (returnMsg: string, errorCode: string) =>
  buildXml({ return_code: 'FAIL', return_msg: returnMsg, error_code: errorCode });

describe('PayClient.downloadBill', () => {
  it('asks for a signed GZIP bill of the day and returns its text, which parseTradeBill reads', async () => {
    answers = [{ body: gzipSync(Buffer.from(BILL, 'utf8')) }];
    const result = await client().downloadBill({ billDate: '20261201' });
    const request = seen.at(-1)!;
    expect(request).toMatchObject({
      bill_date: '20261201',
      bill_type: 'ALL',
      tar_type: 'GZIP',
      appid: APP_ID,
      mch_id: MCH_ID,
    });
    expect(verify(request, KEY, 'MD5')).toBe(true);
    expect(result.exists).toBe(true);
    if (!result.exists) return;
    const bill = parseTradeBill(result.text);
    expect(bill.rows.map((r) => [r.outTradeNo, r.totalFen, r.feeMilliFen])).toEqual([['T1', 6970, 41820]]);
  });

  it('No Bill Exist (any case) → exists: false, an empty day and no error', async () => {
    answers = [{ body: failXml('No Bill Exist', '20002') }, { body: failXml('NO Bill Exist', '20002') }];
    await expect(client().downloadBill({ billDate: '20261130' })).resolves.toEqual({ exists: false });
    await expect(client().downloadBill({ billDate: '20261130' })).resolves.toEqual({ exists: false });
  });

  it('another FAIL → WechatBillDownloadError with return_msg and error_code; Bill Creating is retryLater', async () => {
    answers = [{ body: failXml('invalid bill_date', '20001') }, { body: failXml('Bill Creating', '20003') }];
    const invalid = await client()
      .downloadBill({ billDate: '20261201' })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(WechatBillDownloadError);
    expect(invalid).toMatchObject({
      returnMsg: 'invalid bill_date',
      errorCode: '20001',
      retryLater: false,
      outcome: 'refused',
    });
    const creating = await client()
      .downloadBill({ billDate: '20261201' })
      .catch((e: unknown) => e);
    expect(creating).toMatchObject({ name: 'WechatBillDownloadError', returnMsg: 'Bill Creating', retryLater: true });
  });

  it('retries a 5xx with the identical body, then reads the bill', async () => {
    const before = seen.length;
    answers = [{ status: 502, body: 'bad gateway' }, { body: gzipSync(Buffer.from(BILL, 'utf8')) }];
    const result = await client().downloadBill({ billDate: '20261201', billType: 'SUCCESS' });
    expect(result.exists).toBe(true);
    const [first, second] = seen.slice(before);
    expect(second).toEqual(first);
    expect(first!.bill_type).toBe('SUCCESS');
  });

  it('a corrupt gzip → WechatPayResponseError; a bill over maxBillBytes is refused, not truncated', async () => {
    const gz = gzipSync(Buffer.from(BILL, 'utf8'));
    answers = [{ body: gz.subarray(0, gz.length - 8) }];
    await expect(client().downloadBill({ billDate: '20261201' })).rejects.toBeInstanceOf(WechatPayResponseError);
    answers = [{ body: gz }];
    const small = new PayClient({
      appId: APP_ID,
      mchId: MCH_ID,
      apiKey: KEY,
      signType: 'MD5',
      payBaseUrl: server.url,
      maxBillBytes: 200,
    });
    await expect(small.downloadBill({ billDate: '20261201' })).rejects.toMatchObject({
      outcome: 'unknown',
      source: 'upstream',
    });
  });

  it('refuses a billDate that is not a real yyyyMMdd day before sending', async () => {
    const before = seen.length;
    for (const billDate of ['2026-12-01', '20261301', '20260230', '']) {
      await expect(client().downloadBill({ billDate })).rejects.toThrow(
        'downloadBill: billDate must be a real day, yyyyMMdd',
      );
    }
    expect(seen.length).toBe(before);
  });
});

/**
 * Which request a fault strikes (README "Fault rules"): transport faults hit whatever arrives;
 * business faults wait for a request WeChat would accept; badsign waits for a signed reply;
 * faults of one target act in injection order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptReqInfo, parseXml, verify } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import {
  json,
  M,
  merchantTls,
  orderParams,
  payApi,
  postHttps,
  postXml,
  signed,
  startEmulator,
  startReceiver,
} from './helpers/emulator';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ refundDelayMs: 30 });
});
afterEach(async () => {
  await emu.stop();
});

const fault = async (body: Record<string, unknown>) =>
  expect((await json(emu, '/__emulator/faults', { body })).status).toBe(201);
const pending = () => emu.state.faults.map((f) => `${f.target}:${f.kind}×${f.remaining}`);

describe('business faults wait for a request WeChat would accept', () => {
  it('unifiedorder systemerror survives a bad sign, a GET, an unknown appid, a missing and a malformed parameter', async () => {
    await fault({ target: 'unifiedorder', kind: 'systemerror' });
    const params = orderParams();

    const badSign = await postXml(`${emu.httpUrl}/pay/unifiedorder`, signed(params, 'MD5', 'x'.repeat(32)));
    expect(badSign.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
    const get = await fetch(`${emu.httpUrl}/pay/unifiedorder`, { signal: AbortSignal.timeout(30_000) });
    expect((await parseXml(await get.text())).return_msg).toBe('REQUIRE_POST_METHOD');
    const foreignApp = await payApi(emu, '/pay/unifiedorder', { ...params, appid: 'wx0000000000000000' });
    expect(foreignApp.fields.err_code).toBe('APPID_NOT_EXIST');
    const noBody = await payApi(emu, '/pay/unifiedorder', { ...params, body: undefined });
    expect(noBody.fields).toMatchObject({ result_code: 'FAIL', err_code: 'LACK_PARAMS' });
    const decimalFee = await payApi(emu, '/pay/unifiedorder', { ...params, total_fee: '1.5' });
    expect(decimalFee.fields).toEqual({ return_code: 'FAIL', return_msg: 'invalid total_fee' });
    expect(pending()).toEqual(['unifiedorder:systemerror×1']);

    const struck = await payApi(emu, '/pay/unifiedorder', params);
    expect(struck.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'SYSTEMERROR' });
    expect(verify(struck.fields, M.apiKey, 'MD5')).toBe(true);
    expect(emu.state.orders.size).toBe(0);
    expect(pending()).toEqual([]);
    expect((await payApi(emu, '/pay/unifiedorder', params)).fields.result_code).toBe('SUCCESS');
  });

  it('refund bizerror (count 2) survives plain HTTP, a malformed refund_fee and a missing out_refund_no; then strikes two valid refunds', async () => {
    const params = orderParams({ total_fee: 300 });
    await emu.pay((await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id!);
    await fault({ target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH', count: 2 });
    const refund = { out_trade_no: params.out_trade_no, out_refund_no: 'RULES1', total_fee: 300, refund_fee: 100 };

    const plain = await postXml(`${emu.httpUrl}/secapi/pay/refund`, signed(refund));
    expect(plain.fields.return_msg).toContain('双向TLS');
    const badFee = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      signed({ ...refund, refund_fee: '01' }),
      merchantTls(emu),
    );
    expect(badFee.fields).toEqual({ return_code: 'FAIL', return_msg: 'invalid refund_fee' });
    const noRefundNo = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      signed({ ...refund, out_refund_no: undefined }),
      merchantTls(emu),
    );
    expect(noRefundNo.fields).toMatchObject({ result_code: 'FAIL', err_code: 'LACK_PARAMS' });
    expect(pending()).toEqual(['refund:bizerror×2']);

    for (let i = 0; i < 2; i++) {
      const refused = await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, signed(refund), merchantTls(emu));
      expect(refused.fields).toMatchObject({ result_code: 'FAIL', err_code: 'NOTENOUGH' });
    }
    expect(emu.state.refunds.size).toBe(0);
    expect(
      (await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, signed(refund), merchantTls(emu))).fields.result_code,
    ).toBe('SUCCESS');
  });

  it('a well-formed request strikes whatever the order state (WeChat answers SYSTEMERROR before looking)', async () => {
    await fault({ target: 'orderquery', kind: 'systemerror' });
    const res = await payApi(emu, '/pay/orderquery', { out_trade_no: 'NEVERCREATED1' });
    expect(res.fields.err_code).toBe('SYSTEMERROR');
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: 'NEVERCREATED1' })).fields.err_code).toBe(
      'ORDERNOTEXIST',
    );
  });

  it('oauth systemerror survives a wrong secret and a missing code, then strikes without using up the code', async () => {
    await fault({ target: 'oauth_token', kind: 'systemerror' });
    const authorize = new URLSearchParams({
      appid: M.appId,
      redirect_uri: 'http://localhost:5173/cb',
      response_type: 'code',
      scope: 'snsapi_base',
      state: 's',
    });
    const redirect = await fetch(`${emu.httpUrl}/connect/oauth2/authorize?${authorize}`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const exchange = async (q: Record<string, string>) => {
      const res = await fetch(`${emu.httpUrl}/sns/oauth2/access_token?${new URLSearchParams(q)}`, {
        signal: AbortSignal.timeout(30_000),
      });
      return JSON.parse(await res.text()) as Record<string, unknown>;
    };
    const good = { appid: M.appId, secret: M.appSecret, code, grant_type: 'authorization_code' };

    expect((await exchange({ ...good, secret: 'wrong' })).errcode).toBe(40125);
    expect((await exchange({ ...good, code: '' })).errcode).toBe(41008);
    expect((await exchange({ ...good, grant_type: 'client_credential' })).errcode).toBe(40002);
    expect(pending()).toEqual(['oauth_token:systemerror×1']);
    expect((await exchange(good)).errcode).toBe(-1);
    expect(await exchange(good)).toMatchObject({ openid: expect.any(String), scope: 'snsapi_base' });
  });
});

describe('transport faults hit whatever arrives first', () => {
  it('http500 and drop strike invalid requests too', async () => {
    await fault({ target: 'orderquery', kind: 'http500' });
    expect(
      (await postXml(`${emu.httpUrl}/pay/orderquery`, signed({ out_trade_no: 'X1' }, 'MD5', 'y'.repeat(32)))).status,
    ).toBe(500);
    await fault({ target: 'orderquery', kind: 'drop' });
    await expect(fetch(`${emu.httpUrl}/pay/orderquery`, { signal: AbortSignal.timeout(30_000) })).rejects.toThrow();
    expect(pending()).toEqual([]);
  });
});

describe('badsign waits for a request WeChat would accept', () => {
  it('skips a bad sign and a missing parameter, spoils the next accepted request’s reply (a business FAIL too)', async () => {
    await fault({ target: 'orderquery', kind: 'badsign' });
    const unsigned = await postXml(
      `${emu.httpUrl}/pay/orderquery`,
      signed({ out_trade_no: 'X1' }, 'MD5', 'z'.repeat(32)),
    );
    expect(unsigned.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
    const incomplete = await payApi(emu, '/pay/orderquery', {});
    expect(incomplete.fields.err_code).toBe('LACK_PARAMS');
    expect(verify(incomplete.fields, M.apiKey, 'MD5')).toBe(true);
    expect(pending()).toEqual(['orderquery:badsign×1']);
    const spoiled = await payApi(emu, '/pay/orderquery', { out_trade_no: 'X1' });
    expect(spoiled.fields.err_code).toBe('ORDERNOTEXIST');
    expect(verify(spoiled.fields, M.apiKey, 'MD5')).toBe(false);
    expect(verify((await payApi(emu, '/pay/orderquery', { out_trade_no: 'X1' })).fields, M.apiKey, 'MD5')).toBe(true);
  });

  it('notify badsign skips the unsigned refund notification and spoils the next payment notification', async () => {
    const rx = await startReceiver();
    try {
      const first = orderParams({ notify_url: rx.url, total_fee: 200 });
      await emu.pay((await payApi(emu, '/pay/unifiedorder', first)).fields.prepay_id!);
      await rx.waitFor(1);
      await fault({ target: 'notify', kind: 'badsign' });
      const refund = signed({
        out_trade_no: first.out_trade_no,
        out_refund_no: 'RB1',
        total_fee: 200,
        refund_fee: 200,
        notify_url: rx.url,
      });
      expect((await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refund, merchantTls(emu))).fields.result_code).toBe(
        'SUCCESS',
      );
      const [, refundNote] = await rx.waitFor(2);
      const outer = await parseXml(refundNote!.body);
      expect(decryptReqInfo(outer.req_info!, M.apiKey)).toContain('<refund_status><![CDATA[SUCCESS]]></refund_status>');
      expect(pending()).toEqual(['notify:badsign×1']);

      const second = orderParams({ notify_url: rx.url });
      await emu.pay((await payApi(emu, '/pay/unifiedorder', second)).fields.prepay_id!);
      const [, , payNote] = await rx.waitFor(3);
      expect(verify(await parseXml(payNote!.body), M.apiKey, 'MD5')).toBe(false);
    } finally {
      await rx.close();
    }
  });
});

describe('faults of one target act in injection order', () => {
  it('an invalid request leaves a business fault at the head, and the transport fault behind it waits', async () => {
    await fault({ target: 'closeorder', kind: 'systemerror' });
    await fault({ target: 'closeorder', kind: 'http500' });
    const invalid = await payApi(emu, '/pay/closeorder', {});
    expect(invalid.fields).toMatchObject({ result_code: 'FAIL', err_code: 'LACK_PARAMS' });
    expect(invalid.status).toBe(200);
    expect((await payApi(emu, '/pay/closeorder', { out_trade_no: 'X1' })).fields.err_code).toBe('SYSTEMERROR');
    expect((await payApi(emu, '/pay/closeorder', { out_trade_no: 'X1' })).status).toBe(500);
    expect((await payApi(emu, '/pay/closeorder', { out_trade_no: 'X1' })).fields.err_code).toBe('ORDERNOTEXIST');
  });
});

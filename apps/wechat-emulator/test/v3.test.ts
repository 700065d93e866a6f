import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { randomString, WechatPayV3ApiError, type PrepayInput } from '@wxpay-shop/wechat';
import type { Emulator, V3KeyMode } from '../src/index';
import { eventually, json, M, OPENID, orderParams, payApi, startEmulator, startReceiver } from './helpers/emulator';
import { gateway, jsapiBody, v3Call } from './helpers/v3';

let emu: Emulator;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await emu.stop();
  await receiver?.close();
  receiver = undefined;
});

const outTradeNo = () => `V3${Date.now()}${randomString(6)}`;
/** A 1-fen NATIVE prepay notifying nowhere, unless `fields` say otherwise. */
const prepayInput = (no: string, fields: Partial<PrepayInput> = {}): PrepayInput => ({
  tradeType: 'NATIVE',
  outTradeNo: no,
  description: '测试',
  totalFen: 1,
  notifyUrl: 'http://127.0.0.1:9/n',
  clientIp: '127.0.0.1',
  ...fields,
});
const start = (v3KeyMode: V3KeyMode = 'public-key') => startEmulator({ merchants: [{ ...M, v3KeyMode }] });

async function verifiedNotifications(gw: ReturnType<typeof gateway>, count: number) {
  const got = await receiver!.waitFor(count);
  return Promise.all(got.slice(0, count).map((r) => gw.parseNotification({ headers: r.headers, body: r.body })));
}

describe('API v3 over the shared store', () => {
  it.each(['public-key', 'platform-certificate', 'both'] as const)(
    'JSAPI prepay, pay, query and a verified, decrypted notification (shop trusts %s)',
    async (trust) => {
      emu = await start(trust === 'both' ? 'migration' : trust);
      const gw = gateway(emu, trust);
      receiver = await startReceiver(() => ({ status: 204, body: '' }));
      const no = outTradeNo();
      const prepay = await gw.createPrepay(
        prepayInput(no, { tradeType: 'JSAPI', totalFen: 101, notifyUrl: receiver.url, openid: OPENID }),
      );
      expect(prepay).toMatchObject({ tradeType: 'JSAPI', prepayId: expect.stringMatching(/^wx/) });
      expect((await gw.queryOrder(no)).tradeState).toBe('NOTPAY');
      await emu.pay(no);
      const [notice] = await verifiedNotifications(gw, 1);
      expect(notice).toMatchObject({ kind: 'payment', outTradeNo: no, totalFen: 101, paid: true, openid: OPENID });
      expect(notice!.envelope.eventType).toBe('TRANSACTION.SUCCESS');
      expect(receiver.received[0]!.contentType).toContain('application/json');
      const status = await gw.queryOrder(no);
      expect(status).toMatchObject({
        tradeState: 'SUCCESS',
        totalFen: 101,
        transactionId: expect.stringMatching(/^4200/),
      });
      // The same order through v2: one store.
      const v2 = await payApi(emu, '/pay/orderquery', { out_trade_no: no });
      expect(v2.fields.trade_state).toBe('SUCCESS');
      await eventually(
        () => emu.state.deliveries.size === 1 && [...emu.state.deliveries.values()][0]!.status === 'delivered',
      );
    },
  );

  it('migration signs notifications with the public key or the platform certificate, at random', async () => {
    emu = await start('migration');
    const gw = gateway(emu, 'both');
    receiver = await startReceiver(() => ({ status: 204, body: '' }));
    const nos = Array.from({ length: 16 }, outTradeNo);
    for (const no of nos) {
      await gw.createPrepay(prepayInput(no, { notifyUrl: receiver.url }));
      await emu.pay(no);
    }
    const notices = await verifiedNotifications(gw, nos.length);
    expect(notices.map((n) => n.outTradeNo).sort()).toEqual([...nos].sort());
    const serials = new Set(receiver.received.map((r) => r.headers['wechatpay-serial']));
    expect(serials.has(emu.certs.wechatpayPublicKeyId)).toBe(true);
    expect(serials.size).toBe(2);
  });

  it('a shop trusting only the public key refuses a platform-certificate merchant’s answers', async () => {
    emu = await start('platform-certificate');
    const err = await gateway(emu, 'public-key')
      .createPrepay(prepayInput(outTradeNo()))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'WechatSignatureError', reason: 'UNKNOWN_SERIAL', outcome: 'unknown' });
  });

  it('refuses a wrong key (401 SIGN_ERROR with sign_information), a wrong serial and a stale timestamp', async () => {
    emu = await start();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const path = '/v3/pay/transactions/out-trade-no/ABCDEF123?mchid=' + M.mchId;
    const wrongKey = await v3Call(emu, 'GET', path, undefined, { key: other });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.json).toMatchObject({
      code: 'SIGN_ERROR',
      detail: { sign_information: { method: 'GET', url: path } },
    });
    expect(wrongKey.json!.detail.sign_information.truncated_sign_message).toMatch(/^GET\n\/v3\/pay/);
    expect(wrongKey.headers.get('wechatpay-signature')).toBeTruthy();
    const wrongSerial = await v3Call(emu, 'GET', path, undefined, { serial: '1234567890ABCDEF' });
    expect(wrongSerial).toMatchObject({
      status: 401,
      json: { code: 'SIGN_ERROR', message: expect.stringContaining('序列号') },
    });
    const stale = await v3Call(emu, 'GET', path, undefined, { timestamp: String(Math.floor(Date.now() / 1000) - 400) });
    expect(stale).toMatchObject({ status: 401, json: { code: 'SIGN_ERROR' } });
    expect(emu.state.orders.size).toBe(0);
  });

  it('PARAM_ERROR names the field; a re-used out_trade_no with other parameters is INVALID_REQUEST', async () => {
    emu = await start();
    const no = outTradeNo();
    const body = jsapiBody(no, 'http://127.0.0.1:9/notify', { payer: { openid: OPENID } });
    const missing = await v3Call(emu, 'POST', '/v3/pay/transactions/jsapi', { ...body, amount: { currency: 'CNY' } });
    expect(missing).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR', detail: { field: 'amount.total' } } });
    const asString = await v3Call(emu, 'POST', '/v3/pay/transactions/jsapi', { ...body, amount: { total: '101' } });
    expect(asString).toMatchObject({ status: 400, json: { detail: { field: 'amount.total' } } });
    const noPayer = await v3Call(emu, 'POST', '/v3/pay/transactions/jsapi', { ...body, payer: undefined });
    expect(noPayer).toMatchObject({ status: 400, json: { detail: { field: 'payer' } } });
    expect((await v3Call(emu, 'POST', '/v3/pay/transactions/jsapi', body)).status).toBe(200);
    const again = await v3Call(emu, 'POST', '/v3/pay/transactions/jsapi', body);
    expect(again.status).toBe(200);
    const other = await v3Call(emu, 'POST', '/v3/pay/transactions/jsapi', { ...body, amount: { total: 102 } });
    expect(other).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    const h5 = await v3Call(emu, 'POST', '/v3/pay/transactions/h5', {
      ...body,
      payer: undefined,
      out_trade_no: outTradeNo(),
      scene_info: { payer_client_ip: '127.0.0.1' },
    });
    expect(h5).toMatchObject({ status: 400, json: { detail: { field: 'scene_info.h5_info' } } });
  });

  it('404 ORDER_NOT_EXIST, close answers 204 (v2 then sees CLOSED), a 429 fault is retryable', async () => {
    emu = await start();
    const gw = gateway(emu, 'public-key');
    const missing = await gw.queryOrder('NOSUCHORDER1').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(WechatPayV3ApiError);
    expect(missing).toMatchObject({ status: 404, code: 'ORDER_NOT_EXIST', refused: true });
    const no = outTradeNo();
    await gw.createPrepay(prepayInput(no, { totalFen: 5 }));
    const close = await v3Call(emu, 'POST', `/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: M.mchId });
    expect(close.status).toBe(204);
    expect(close.headers.get('wechatpay-signature')).toBeTruthy();
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: no })).fields.trade_state).toBe('CLOSED');
    expect((await gw.queryOrder(no)).tradeState).toBe('CLOSED');
    await json(emu, '/__emulator/faults', {
      body: { target: 'orderquery', kind: 'bizerror', errCode: 'FREQUENCY_LIMITED' },
    });
    const limited = await gw.queryOrder(no).catch((e: unknown) => e);
    expect(limited).toMatchObject({ status: 429, retryable: true });
  });

  it('refund, its query and a REFUND.SUCCESS notification; by transaction id too', async () => {
    emu = await start('platform-certificate');
    const gw = gateway(emu, 'platform-certificate');
    receiver = await startReceiver(() => ({ status: 200, body: '{"code":"FAIL"}' }));
    const no = outTradeNo();
    await gw.createPrepay(prepayInput(no, { totalFen: 300, notifyUrl: receiver.url }));
    await emu.pay(no);
    const refund = await gw.refund({
      outTradeNo: no,
      outRefundNo: `R${no}`,
      totalFen: 300,
      refundFen: 100,
      notifyUrl: receiver.url,
    });
    expect(refund).toMatchObject({ refundFen: 100, status: 'PROCESSING' });
    const notices = await verifiedNotifications(gw, 2);
    expect(notices[1]).toMatchObject({ kind: 'refund', outRefundNo: `R${no}`, refundFen: 100, status: 'SUCCESS' });
    expect(await gw.queryRefund(`R${no}`)).toMatchObject({ status: 'SUCCESS' });
    const tooMuch = await gw
      .refund({ outTradeNo: no, outRefundNo: `S${no}`, totalFen: 300, refundFen: 201 })
      .catch((e: unknown) => e);
    expect(tooMuch).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    const txn = emu.state.findOrder(M.mchId, no)!.transactionId!;
    const byId = await v3Call(emu, 'GET', `/v3/pay/transactions/id/${txn}?mchid=${M.mchId}`);
    expect(byId.json).toMatchObject({ out_trade_no: no, trade_state: 'REFUND' });
    // 200 counts as success whatever the body says.
    await eventually(() => [...emu.state.deliveries.values()].every((d) => d.status === 'delivered'));
  });

  it('notify faults: probe and badsign spoil only the first attempt; the retry verifies', async () => {
    emu = await start();
    const gw = gateway(emu, 'public-key');
    for (const kind of ['probe', 'badsign'] as const) {
      await receiver?.close();
      receiver = await startReceiver((n) => ({ status: n === 0 ? 401 : 204, body: '' }));
      await json(emu, '/__emulator/faults', { body: { target: 'notify', kind } });
      const no = outTradeNo();
      await gw.createPrepay(prepayInput(no, { notifyUrl: receiver.url }));
      await emu.pay(no);
      const [first, retry] = await receiver.waitFor(2);
      const refused = await gw
        .parseNotification({ headers: first!.headers, body: first!.body })
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ reason: kind === 'probe' ? 'PROBE' : 'BAD_SIGNATURE' });
      expect(await gw.parseNotification({ headers: retry!.headers, body: retry!.body })).toMatchObject({
        outTradeNo: no,
      });
    }
  });

  it('the bridge verifies an RSA paySign with the merchant certificate', async () => {
    emu = await start();
    const gw = gateway(emu, 'public-key');
    const no = outTradeNo();
    const prepay = await gw.createPrepay(prepayInput(no, { tradeType: 'JSAPI', openid: OPENID }));
    const params = gw.pagePayParams((prepay as { prepayId: string }).prepayId);
    expect(params.signType).toBe('RSA');
    expect((await json(emu, '/__bridge/pay-request', { body: params })).body).toMatchObject({ ok: true });
    const tampered = { ...params, nonceStr: `${params.nonceStr.slice(1)}x` };
    expect((await json(emu, '/__bridge/pay-request', { body: tampered })).body).toMatchObject({
      ok: false,
      err_desc: '支付验证签名失败',
    });
  });
});

describe('H5 pay (v2 MWEB and v3 h5)', () => {
  const shop = 'http://127.0.0.1:5173/pay/1';
  const redirect = encodeURIComponent('http://127.0.0.1:5173/orders/1?from=h5');
  const open = (url: string, headers: Record<string, string>) =>
    fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(5000) }).then(async (r) => ({
      status: r.status,
      text: await r.text(),
    }));

  it('MWEB needs scene_info and answers an mweb_url whose page checks Referer, domain and the browser', async () => {
    emu = await start();
    const lacking = await payApi(emu, '/pay/unifiedorder', orderParams({ trade_type: 'MWEB', openid: undefined }));
    expect(lacking.fields).toMatchObject({ result_code: 'FAIL', err_code: 'LACK_PARAMS' });
    const params = orderParams({
      trade_type: 'MWEB',
      openid: undefined,
      scene_info: '{"h5_info":{"type":"Wap","wap_url":"http://127.0.0.1:5173","wap_name":"测试"}}',
    });
    const res = await payApi(emu, '/pay/unifiedorder', params);
    const url = `${res.fields.mweb_url}&redirect_url=${redirect}`;
    expect(res.fields.mweb_url).toContain('/h5/checkmweb?prepay_id=');
    expect((await open(url, {})).text).toContain('商家参数格式有误');
    expect((await open(url, { Referer: 'http://evil.example/x' })).text).toContain('商家存在未配置的参数');
    expect((await open(url, { Referer: shop, 'User-Agent': 'Mozilla/5.0 MicroMessenger/8.0' })).text).toContain(
      '请在微信外打开订单',
    );
    const page = await open(url, { Referer: shop, 'User-Agent': 'Mozilla/5.0 (iPhone) Safari' });
    expect(page.text).toContain('data-testid="wx-h5-pay"');
    const form = new URLSearchParams({
      prepay_id: res.fields.prepay_id!,
      redirect_url: decodeURIComponent(redirect),
      referer: shop,
      action: 'pay',
    });
    const paid = await fetch(`${emu.httpUrl}/h5/checkmweb`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      signal: AbortSignal.timeout(5000),
    });
    expect(paid.status).toBe(302);
    expect(paid.headers.get('location')).toBe('http://127.0.0.1:5173/orders/1?from=h5');
    expect(emu.state.findOrder(M.mchId, params.out_trade_no as string)!.state).toBe('SUCCESS');
  });

  it('v3 h5 answers an h5_url; cancelling goes back to redirect_url unpaid', async () => {
    emu = await start();
    const gw = gateway(emu, 'public-key');
    const no = outTradeNo();
    const prepay = await gw.createPrepay(prepayInput(no, { tradeType: 'H5', totalFen: 9 }));
    const h5Url = (prepay as { h5Url: string }).h5Url;
    expect((await open(`${h5Url}&redirect_url=${redirect}`, { Referer: shop })).text).toContain('wx-h5-cancel');
    const prepayId = new URL(h5Url).searchParams.get('prepay_id')!;
    const form = new URLSearchParams({
      prepay_id: prepayId,
      redirect_url: decodeURIComponent(redirect),
      referer: shop,
      action: 'cancel',
    });
    const back = await fetch(`${emu.httpUrl}/h5/checkmweb`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      signal: AbortSignal.timeout(5000),
    });
    expect(back.status).toBe(302);
    expect((await gw.queryOrder(no)).tradeState).toBe('NOTPAY');
    expect((await v3Call(emu, 'GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${M.mchId}`)).json).toMatchObject({
      trade_type: 'MWEB',
    });
  });
});

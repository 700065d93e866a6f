import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseXml, verify } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import { eventually, FAIL_REPLY, json, M, orderParams, payApi, postHttps, postXml, signed, startEmulator, startReceiver, SUCCESS_REPLY } from './helpers';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.stop();
});

const fault = (body: Record<string, unknown>) => json(emu, '/__emulator/faults', { body });

describe('fault injection', () => {
  it('validates fault requests', async () => {
    expect((await fault({ target: 'nope', kind: 'delay' })).status).toBe(400);
    expect((await fault({ target: 'orderquery', kind: 'explode' })).status).toBe(400);
    expect((await fault({ target: 'notify', kind: 'http500' })).status).toBe(400);
    expect((await fault({ target: 'oauth_token', kind: 'badsign' })).status).toBe(400);
    expect((await fault({ target: 'orderquery', kind: 'delay', count: 0 })).status).toBe(400);
    expect((await fault({ target: 'refund', kind: 'bizerror' })).status).toBe(400);
    expect((await fault({ target: 'refund', kind: 'bizerror', errCode: 'not enough' })).status).toBe(400);
    expect((await fault({ target: 'notify', kind: 'bizerror', errCode: 'NOTENOUGH' })).status).toBe(400);
    expect((await fault({ target: 'oauth_token', kind: 'bizerror', errCode: 'NOTENOUGH' })).status).toBe(400);
    expect((await fault({ target: 'refund', kind: 'delay', errCode: 'NOTENOUGH' })).status).toBe(400);
    expect((await json(emu, '/__emulator/state')).body.faults).toHaveLength(0);
  });

  it('bizerror: a signed business FAIL with the chosen err_code (e.g. NOTENOUGH on refund), nothing processed, then normal again', async () => {
    const params = orderParams();
    await emu.pay((await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id!);
    const refund = signed({ out_trade_no: params.out_trade_no, out_refund_no: 'RF1', total_fee: 101, refund_fee: 101 });
    const withCert = { ca: emu.certs.caCert, cert: emu.certs.merchantCert, key: emu.certs.merchantKey };

    expect((await fault({ target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH' })).status).toBe(201);
    const refused = await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refund, withCert);
    expect(refused.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'NOTENOUGH', err_code_des: '基本账户余额不足，请充值后重新发起' });
    expect(verify(refused.fields, M.apiKey, 'MD5')).toBe(true);
    expect(emu.state.refunds.size).toBe(0);
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no })).fields.trade_state).toBe('SUCCESS');

    // The same out_refund_no goes through once the merchant has money again.
    expect((await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refund, withCert)).fields.result_code).toBe('SUCCESS');

    await fault({ target: 'orderquery', kind: 'bizerror', errCode: 'FREQUENCY_LIMITED', errCodeDes: '自定义说明' });
    const limited = await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no });
    expect(limited.fields).toMatchObject({ result_code: 'FAIL', err_code: 'FREQUENCY_LIMITED', err_code_des: '自定义说明' });
  });

  it('systemerror: signed result_code FAIL SYSTEMERROR, nothing created, then normal again', async () => {
    expect((await fault({ target: 'unifiedorder', kind: 'systemerror' })).status).toBe(201);
    const params = orderParams();
    const res = await payApi(emu, '/pay/unifiedorder', params);
    expect(res.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'SYSTEMERROR' });
    expect(verify(res.fields, M.apiKey, 'MD5')).toBe(true);
    expect(emu.state.orders.size).toBe(0);
    expect((await payApi(emu, '/pay/unifiedorder', params)).fields.result_code).toBe('SUCCESS');
  });

  it('badsign: the operation happens but the reply sign does not verify', async () => {
    await fault({ target: 'unifiedorder', kind: 'badsign' });
    const res = await payApi(emu, '/pay/unifiedorder', orderParams());
    expect(res.fields.result_code).toBe('SUCCESS');
    expect(verify(res.fields, M.apiKey, 'MD5')).toBe(false);
    expect(emu.state.orders.size).toBe(1);
  });

  it('http500 and malformed, with count', async () => {
    await fault({ target: 'orderquery', kind: 'http500', count: 2 });
    await fault({ target: 'closeorder', kind: 'malformed' });
    const body = signed({ out_trade_no: 'X1' });
    expect((await postXml(`${emu.httpUrl}/pay/orderquery`, body)).status).toBe(500);
    expect((await postXml(`${emu.httpUrl}/pay/orderquery`, body)).status).toBe(500);
    expect((await postXml(`${emu.httpUrl}/pay/orderquery`, body)).fields.err_code).toBe('ORDERNOTEXIST');
    const malformed = await postXml(`${emu.httpUrl}/pay/closeorder`, body);
    expect(malformed.status).toBe(200);
    await expect(parseXml(malformed.text)).rejects.toThrow();
  });

  it('delay, timeout and drop', async () => {
    await fault({ target: 'orderquery', kind: 'delay', delayMs: 150 });
    const started = Date.now();
    await payApi(emu, '/pay/orderquery', { out_trade_no: 'X' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    await fault({ target: 'orderquery', kind: 'timeout', delayMs: 100 });
    await expect(payApi(emu, '/pay/orderquery', { out_trade_no: 'X' })).rejects.toThrow();

    await fault({ target: 'unifiedorder', kind: 'drop' });
    await expect(payApi(emu, '/pay/unifiedorder', orderParams())).rejects.toThrow();
    expect(emu.state.orders.size).toBe(1); // processed, reply lost
  });

  it('oauth_token systemerror → errcode -1; DELETE clears faults', async () => {
    await fault({ target: 'oauth_token', kind: 'systemerror' });
    await fault({ target: 'refund', kind: 'http500' });
    expect((await json(emu, '/__emulator/state')).body.faults).toHaveLength(2);
    const res = await fetch(`${emu.httpUrl}/sns/oauth2/access_token?appid=${M.appId}&secret=${M.appSecret}&code=x&grant_type=authorization_code`);
    expect(JSON.parse(await res.text()).errcode).toBe(-1);
    expect((await json(emu, '/__emulator/faults', { method: 'DELETE' })).status).toBe(204);
    expect((await json(emu, '/__emulator/state')).body.faults).toHaveLength(0);
  });

  it('notify badsign spoils the first attempt only; notify drop sends nothing', async () => {
    // Answers the first (forged-looking) attempt FAIL, as a correct BFF would, so WeChat retries.
    const rx = await startReceiver((n) => (n === 0 ? { body: FAIL_REPLY } : { body: SUCCESS_REPLY }));
    try {
      await fault({ target: 'notify', kind: 'badsign' });
      const a = orderParams({ notify_url: rx.url });
      await emu.pay((await payApi(emu, '/pay/unifiedorder', a)).fields.prepay_id!);
      await rx.waitFor(2);
      const signsOk = await Promise.all(rx.received.map(async (r) => verify(await parseXml(r.body), M.apiKey, 'MD5')));
      expect(signsOk.slice(0, 2)).toEqual([false, true]);

      await fault({ target: 'notify', kind: 'drop' });
      const b = orderParams({ notify_url: rx.url });
      await emu.pay((await payApi(emu, '/pay/unifiedorder', b)).fields.prepay_id!);
      await eventually(() => [...emu.state.deliveries.values()].some((d) => d.status === 'dropped'));
      await new Promise((r) => setTimeout(r, 100));
      expect(rx.received.every((r) => r.body.includes(a.out_trade_no as string))).toBe(true);
    } finally {
      await rx.close();
    }
  });
});

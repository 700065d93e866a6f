import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { beijingTime, buildJsapiPayParams, sign } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import { browserFetch, eventually, json, M, orderParams, payApi, startEmulator } from './helpers/emulator';
import { FakeElement } from './helpers/fake-dom';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.stop();
});

/** bridge.js run against a fake DOM; `pageFetch` is how the page's fetch() reaches the emulator. */
async function loadBridge(
  readyState: 'loading' | 'complete' = 'complete',
  pageFetch: (url: string, init?: RequestInit) => Promise<Response> = fetch,
) {
  const script = await (await fetch(`${emu.httpUrl}/bridge.js`)).text();
  const document = Object.assign(new EventTarget(), {
    readyState,
    body: readyState === 'loading' ? null : new FakeElement('body'),
    createElement: (tag: string) => new FakeElement(tag),
    createEvent: () => new Event('x'),
  });
  const window: Record<string, unknown> = {};
  let ready = 0;
  document.addEventListener('WeixinJSBridgeReady', () => (ready += 1));
  runInNewContext(script, {
    window,
    document,
    fetch: pageFetch,
    setTimeout,
    setInterval,
    clearInterval,
    Event,
    encodeURIComponent,
    JSON,
    Object,
  });
  const bridge = window.WeixinJSBridge as {
    invoke(name: string, params: unknown, cb: (res: Record<string, string>) => void): void;
  };
  const invoke = (name: string, params: unknown) =>
    new Promise<Record<string, string>>((resolve) => bridge.invoke(name, params, resolve));
  return { document, bridge, invoke, ready: () => ready };
}

async function jsapiOrder(signType: 'MD5' | 'HMAC-SHA256' = 'MD5') {
  const res = await payApi(emu, '/pay/unifiedorder', orderParams({ body: '<img src=x onerror=alert(1)>' }), signType);
  return res.fields.prepay_id!;
}

/** What the bridge posts for getBrandWCPayRequest, sent directly: the emulator's verdict on the parameters. */
async function askToPay(params: object) {
  const res = await fetch(`${emu.httpUrl}/__bridge/pay-request`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(30_000),
  });
  return (await res.json()) as { ok: boolean; err_desc?: string };
}

describe('/bridge.js', () => {
  it('is served as JavaScript with the public URL baked in', async () => {
    const res = await fetch(`${emu.httpUrl}/bridge.js`);
    expect(res.headers.get('content-type')).toContain('application/javascript');
    // A <script src> needs no CORS; no wildcard is sent.
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.text()).toContain(JSON.stringify(emu.httpUrl));
    await emu.stop();
    emu = await startEmulator({ publicUrl: 'http://wechat.test:4000' });
    expect(await (await fetch(`${emu.httpUrl}/bridge.js`)).text()).toContain('"http://wechat.test:4000"');
  });

  it('fires WeixinJSBridgeReady asynchronously, also when loaded before the DOM', async () => {
    const early = await loadBridge('loading');
    expect(early.ready()).toBe(0);
    early.document.dispatchEvent(new Event('DOMContentLoaded'));
    await eventually(() => early.ready() === 1);
    const late = await loadBridge('complete');
    expect(late.ready()).toBe(0); // not synchronous
    await eventually(() => late.ready() === 1);
  });

  it('unknown invoke names fail; bad prepay_id and bad signature fail without a sheet', async () => {
    const { invoke, document } = await loadBridge();
    expect(await invoke('editAddress', {})).toEqual({ err_msg: 'editAddress:fail' });
    const unknown = buildJsapiPayParams({
      appId: M.appId,
      prepayId: 'wx00000000000000000000000000000000000',
      signType: 'MD5',
      apiKey: M.apiKey,
    });
    expect(await invoke('getBrandWCPayRequest', unknown)).toEqual({
      err_msg: 'get_brand_wcpay_request:fail',
      err_desc: 'prepay_id不存在',
    });
    const prepayId = await jsapiOrder();
    const badSign = {
      ...buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'MD5', apiKey: M.apiKey }),
      paySign: '0'.repeat(32),
    };
    expect((await invoke('getBrandWCPayRequest', badSign)).err_desc).toBe('支付验证签名失败');
    const wrongType = buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'HMAC-SHA256', apiKey: M.apiKey });
    expect((await invoke('getBrandWCPayRequest', wrongType)).err_desc).toContain('sign_type');
    expect(document.body!.children).toHaveLength(0);
  });

  it('getBrandWCPayRequest parameter checks: missing or non-string fields, signType case, package prefix, paySign', async () => {
    const prepayId = await jsapiOrder();
    const good = buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'MD5', apiKey: M.apiKey });
    const { paySign: _dropped, ...noPaySign } = good;
    expect(await askToPay(noPaySign)).toEqual({ ok: false, err_desc: '调用支付JSAPI缺少参数：paySign' });
    expect(await askToPay({ ...good, timeStamp: Number(good.timeStamp) })).toEqual({
      ok: false,
      err_desc: '调用支付JSAPI缺少参数：timeStamp',
    });
    // The sign type is part of the signed string and must be spelled as in unifiedorder: 'md5' fails the check.
    const lower = {
      ...good,
      signType: 'md5',
      paySign: sign(
        {
          appId: good.appId,
          timeStamp: good.timeStamp,
          nonceStr: good.nonceStr,
          package: good.package,
          signType: 'md5',
        },
        M.apiKey,
        'MD5',
      ),
    };
    expect(await askToPay(lower)).toEqual({ ok: false, err_desc: '支付验证签名失败' });
    expect((await askToPay({ ...good, package: prepayId })).err_desc).toBe('package格式错误，应为prepay_id=***');
    expect(await askToPay({ ...good, nonceStr: `${good.nonceStr.slice(1)}x` })).toEqual({
      ok: false,
      err_desc: '支付验证签名失败',
    });
    expect(emu.state.tickets.size).toBe(0);
    expect((await askToPay(good)).ok).toBe(true);
  });

  it('shows the pay sheet; 支付 → ok after the order is paid (values via textContent)', async () => {
    const { invoke, document } = await loadBridge();
    const prepayId = await jsapiOrder('HMAC-SHA256');
    const result = invoke(
      'getBrandWCPayRequest',
      buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'HMAC-SHA256', apiKey: M.apiKey }),
    );
    const sheet = await eventually(() => document.body!.find('wx-pay-sheet'));
    expect(sheet.find('wx-pay-amount')!.textContent).toBe('¥1.01');
    expect(sheet.find('wx-pay-body')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(sheet.find('wx-pay-confirm')!.textContent).toBe('支付');
    expect(sheet.find('wx-pay-cancel')!.textContent).toBe('取消');
    sheet.find('wx-pay-confirm')!.click();
    expect(await result).toEqual({ err_msg: 'get_brand_wcpay_request:ok' });
    expect(emu.state.findOrderByPrepayId(prepayId)!.state).toBe('SUCCESS');
    expect(document.body!.children).toHaveLength(0);
    // A paid order cannot be paid again.
    const again = await invoke(
      'getBrandWCPayRequest',
      buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'HMAC-SHA256', apiKey: M.apiKey }),
    );
    expect(again.err_desc).toBe('该订单已支付');
  });

  it('取消 → cancel and the order stays NOTPAY; control cancel/pay settle an open sheet remotely', async () => {
    const { invoke, document } = await loadBridge();
    const prepayId = await jsapiOrder();
    const params = () => buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'MD5', apiKey: M.apiKey });
    const first = invoke('getBrandWCPayRequest', params());
    (await eventually(() => document.body!.find('wx-pay-cancel'))).click();
    expect(await first).toEqual({ err_msg: 'get_brand_wcpay_request:cancel' });
    expect(emu.state.findOrderByPrepayId(prepayId)!.state).toBe('NOTPAY');

    const second = invoke('getBrandWCPayRequest', params());
    await eventually(() => document.body!.find('wx-pay-sheet'));
    expect((await json(emu, '/__emulator/cancel', { body: { prepayId } })).body).toEqual({ cancelled: 1 });
    expect(await second).toEqual({ err_msg: 'get_brand_wcpay_request:cancel' });

    const third = invoke('getBrandWCPayRequest', params());
    await eventually(() => document.body!.find('wx-pay-sheet'));
    expect((await json(emu, '/__emulator/pay', { body: { prepayId } })).status).toBe(200);
    expect(await third).toEqual({ err_msg: 'get_brand_wcpay_request:ok' });
  });

  it('control cancel before the sheet opens: the next sheet for that prepay_id answers cancel, once; unknown → 404; paid → 409', async () => {
    const { invoke, document } = await loadBridge();
    const prepayId = await jsapiOrder();
    const params = () => buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'MD5', apiKey: M.apiKey });
    expect((await json(emu, '/__emulator/cancel', { body: { prepayId } })).body).toEqual({
      cancelled: 0,
      nextSheetCancels: true,
    });
    expect((await json(emu, '/__emulator/state')).body.nextSheetCancels).toEqual([prepayId]);
    expect(await invoke('getBrandWCPayRequest', params())).toEqual({ err_msg: 'get_brand_wcpay_request:cancel' });
    expect(emu.state.findOrderByPrepayId(prepayId)!.state).toBe('NOTPAY');
    expect(document.body!.children).toHaveLength(0);

    // Only that one sheet: the next one waits for the user again.
    const second = invoke('getBrandWCPayRequest', params());
    (await eventually(() => document.body!.find('wx-pay-confirm'))).click();
    expect(await second).toEqual({ err_msg: 'get_brand_wcpay_request:ok' });

    const unknown = await json(emu, '/__emulator/cancel', {
      body: { prepayId: 'wx00000000000000000000000000000000000' },
    });
    expect(unknown).toEqual({
      status: 404,
      body: { error: 'unknown prepay_id wx00000000000000000000000000000000000' },
    });
    const paid = await json(emu, '/__emulator/cancel', { body: { prepayId } });
    expect(paid.status).toBe(409);
    expect(paid.body.error).toContain('该订单已支付');
    expect(emu.state.cancelNextSheet.size).toBe(0);
  });

  it("refuses an appId other than unifiedorder's, a non-JSAPI prepay_id, an expired prepay_id and an order past time_expire", async () => {
    await emu.stop();
    // Another Official Account of the same merchant: its appId and the shared key sign valid parameters.
    const sibling = { appId: 'wx2222222222222222', appSecret: 's', mchId: M.mchId, apiKey: M.apiKey, oauthDomains: [] };
    emu = await startEmulator({ merchants: [M, sibling] });
    const params = (prepayId: string, appId = M.appId) =>
      buildJsapiPayParams({ appId, prepayId, signType: 'MD5', apiKey: M.apiKey });

    const prepayId = await jsapiOrder();
    expect(await askToPay(params(prepayId, sibling.appId))).toEqual({
      ok: false,
      err_desc: 'appId与统一下单的appid不一致',
    });
    const native = await payApi(
      emu,
      '/pay/unifiedorder',
      orderParams({ trade_type: 'NATIVE', openid: undefined, product_id: 'P1' }),
    );
    expect(await askToPay(params(native.fields.prepay_id!))).toEqual({
      ok: false,
      err_desc: '该订单不是JSAPI支付订单',
    });

    emu.state.prepays.get(prepayId)!.issuedAt -= 2 * 3600_000;
    expect(await askToPay(params(prepayId))).toEqual({ ok: false, err_desc: 'prepay_id已过期(超过2小时)，请重新下单' });

    const expiring = orderParams({ time_expire: beijingTime(new Date(Date.now() + 10 * 60_000)) });
    const expiringId = (await payApi(emu, '/pay/unifiedorder', expiring)).fields.prepay_id!;
    emu.state.findOrderByPrepayId(expiringId)!.timeExpire = beijingTime(new Date(Date.now() - 1000));
    expect(await askToPay(params(expiringId))).toEqual({ ok: false, err_desc: '该订单已失效，请重新返回商户下单支付' });
    expect(emu.state.tickets.size).toBe(0);
    // The same parameters for a fresh JSAPI order of the right appId do open a sheet.
    expect((await askToPay(params(await jsapiOrder()))).ok).toBe(true);
  });
});

describe('/bridge.js on a shop page (another origin)', () => {
  const SHOP = 'http://localhost:5173';
  const EVIL = 'https://evil.example';
  beforeEach(async () => {
    await emu.stop();
    emu = await startEmulator({ allowedOrigins: [SHOP] });
  });
  const payParams = (prepayId: string) =>
    buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'MD5', apiKey: M.apiKey });

  it('on an allowed origin (EMULATOR_ALLOWED_ORIGINS) the pay sheet opens, polls and pays under CORS rules', async () => {
    const preflight = await fetch(`${emu.httpUrl}/__bridge/pay-request`, {
      method: 'OPTIONS',
      headers: { Origin: SHOP, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type');
    expect(preflight.headers.get('vary')).toContain('Origin');

    const { invoke, document } = await loadBridge('complete', browserFetch(SHOP));
    const prepayId = await jsapiOrder();
    const result = invoke('getBrandWCPayRequest', payParams(prepayId));
    (await eventually(() => document.body!.find('wx-pay-confirm'))).click();
    expect(await result).toEqual({ err_msg: 'get_brand_wcpay_request:ok' });
    expect(emu.state.findOrderByPrepayId(prepayId)!.state).toBe('SUCCESS');
  });

  it('a page on any other origin can neither open, confirm nor cancel a pay sheet, nor read one', async () => {
    const prepayId = await jsapiOrder();
    // The bridge itself on such a page: its JSON request stops at the preflight.
    const { invoke } = await loadBridge('complete', browserFetch(EVIL));
    expect(await invoke('getBrandWCPayRequest', payParams(prepayId))).toEqual({
      err_msg: 'get_brand_wcpay_request:fail',
      err_desc: '网络错误',
    });
    expect(emu.state.tickets.size).toBe(0);

    // Simple (no-preflight) requests reach the emulator and are refused before any change.
    const cross = { Origin: EVIL, 'Sec-Fetch-Site': 'cross-site' };
    const post = (path: string, body = '{}') =>
      fetch(`${emu.httpUrl}${path}`, {
        method: 'POST',
        headers: { ...cross, 'Content-Type': 'text/plain' },
        body,
        signal: AbortSignal.timeout(30_000),
      });
    expect((await post('/__bridge/pay-request', JSON.stringify(payParams(prepayId)))).status).toBe(403);
    expect(emu.state.tickets.size).toBe(0);
    const sheet = (await askToPay(payParams(prepayId))) as { ok: boolean; ticket?: string };
    for (const action of ['confirm', 'cancel']) {
      const res = await post(`/__bridge/tickets/${sheet.ticket}/${action}`);
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(emu.state.tickets.get(sheet.ticket!)!.status).toBe('open');
    expect(emu.state.findOrderByPrepayId(prepayId)!.state).toBe('NOTPAY');
    const poll = await fetch(`${emu.httpUrl}/__bridge/tickets/${sheet.ticket}`, { headers: cross });
    expect(poll.headers.get('access-control-allow-origin')).toBeNull();
    // From the shop's origin the same sheet is confirmed: the refusals above were about the origin only.
    expect(
      await (
        await browserFetch(SHOP)(`${emu.httpUrl}/__bridge/tickets/${sheet.ticket}/confirm`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        })
      ).json(),
    ).toEqual({ ok: true });
  });
});

describe('NATIVE page, console and control API', () => {
  it('the scan-and-pay page shows the order escaped and pays it', async () => {
    const params = orderParams({
      trade_type: 'NATIVE',
      openid: undefined,
      product_id: 'P1',
      body: '<script>x</script>',
    });
    const codeUrl = (await payApi(emu, '/pay/unifiedorder', params)).fields.code_url!;
    const page = await (await fetch(`${emu.httpUrl}/native?code_url=${encodeURIComponent(codeUrl)}`)).text();
    expect(page).toContain('¥1.01');
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('<script>x');
    expect(page).toContain('data-testid="wx-pay-confirm"');
    const paid = await fetch(`${emu.httpUrl}/native/pay`, {
      method: 'POST',
      body: new URLSearchParams({ code_url: codeUrl }),
    });
    expect(await paid.text()).toContain('支付成功');
    expect(emu.state.findOrder(M.mchId, params.out_trade_no as string)!.state).toBe('SUCCESS');
    expect((await fetch(`${emu.httpUrl}/native?code_url=weixin%3A%2F%2Fnope`)).status).toBe(404);
  });

  it('the scan-and-pay page answers 409 with the reason for a paid, closed or expired code_url', async () => {
    const nativeOrder = async () => {
      const params = orderParams({ trade_type: 'NATIVE', openid: undefined, product_id: 'P1' });
      const res = await payApi(emu, '/pay/unifiedorder', params);
      return {
        outTradeNo: params.out_trade_no as string,
        prepayId: res.fields.prepay_id!,
        codeUrl: res.fields.code_url!,
      };
    };
    const payPage = async (codeUrl: string) => {
      const res = await fetch(`${emu.httpUrl}/native/pay`, {
        method: 'POST',
        body: new URLSearchParams({ code_url: codeUrl }),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: res.status, text: await res.text() };
    };

    const paid = await nativeOrder();
    expect((await payPage(paid.codeUrl)).status).toBe(200);
    const again = await payPage(paid.codeUrl);
    expect(again.status).toBe(409);
    expect(again.text).toContain('该订单已支付');
    expect(again.text).not.toContain('wx-pay-confirm');

    const closed = await nativeOrder();
    await payApi(emu, '/pay/closeorder', { out_trade_no: closed.outTradeNo });
    const refused = await payPage(closed.codeUrl);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('该订单已关闭');
    expect(refused.text).toContain('订单状态：CLOSED');

    const expired = await nativeOrder();
    emu.state.prepays.get(expired.prepayId)!.issuedAt -= 2 * 3600_000;
    const late = await payPage(expired.codeUrl);
    expect(late.status).toBe(409);
    expect(late.text).toContain('prepay_id已过期(超过2小时)，请重新下单');
    expect(emu.state.findOrder(M.mchId, expired.outTradeNo)!.state).toBe('NOTPAY');
  });

  it('console is HTML that renders via textContent; state hides secrets; pay/reset control', async () => {
    const res = await fetch(`${emu.httpUrl}/console`);
    const page = await res.text();
    expect(page).toContain('Notifications');
    // Its script is a file from the emulator's origin: no inline script runs (the console's controls: e2e/tests/console).
    expect(res.headers.get('Content-Security-Policy')).toContain("script-src 'self';");
    expect(page).toContain('<script src="/console.js"></script>');
    const script = await (await fetch(`${emu.httpUrl}/console.js`)).text();
    expect(script).toContain("fetch('/__emulator/state')");
    for (const text of [page, script]) expect(text).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
    const params = orderParams();
    const prepayId = (await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id!;
    const paid = await json(emu, '/__emulator/pay', { body: { outTradeNo: params.out_trade_no } });
    expect(paid.body.transactionId).toMatch(/^4200/);
    expect((await json(emu, '/__emulator/pay', { body: { prepayId } })).status).toBe(409);
    expect((await json(emu, '/__emulator/pay', { body: {} })).status).toBe(400);
    const state = await json(emu, '/__emulator/state');
    const text = JSON.stringify(state.body);
    expect(text).not.toContain(M.apiKey);
    expect(text).not.toContain(M.appSecret);
    expect((state.body.orders as Array<Record<string, unknown>>)[0]).toMatchObject({
      outTradeNo: params.out_trade_no,
      state: 'SUCCESS',
      prepayId,
    });
    expect((await json(emu, '/__emulator/reset', { method: 'POST' })).status).toBe(200);
    expect(emu.state.orders.size).toBe(0);
  });
});

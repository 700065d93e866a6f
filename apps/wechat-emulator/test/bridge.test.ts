import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildJsapiPayParams, sign } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import { eventually, json, M, orderParams, payApi, startEmulator } from './helpers';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.stop();
});

/** Just enough DOM for bridge.js: elements with attributes, children, text and click listeners. */
class FakeElement {
  attributes: Record<string, string> = {};
  children: FakeElement[] = [];
  parentNode: FakeElement | null = null;
  textContent = '';
  disabled = false;
  private listeners: Array<() => void> = [];
  constructor(readonly tag: string) {}
  setAttribute(name: string, value: string) {
    this.attributes[name] = value;
  }
  appendChild(child: FakeElement) {
    child.parentNode = this;
    this.children.push(child);
    return child;
  }
  removeChild(child: FakeElement) {
    this.children = this.children.filter((c) => c !== child);
    child.parentNode = null;
  }
  addEventListener(_type: string, fn: () => void) {
    this.listeners.push(fn);
  }
  click() {
    this.listeners.forEach((fn) => fn());
  }
  find(testId: string): FakeElement | undefined {
    if (this.attributes['data-testid'] === testId) return this;
    for (const c of this.children) {
      const hit = c.find(testId);
      if (hit) return hit;
    }
    return undefined;
  }
}

async function loadBridge(readyState: 'loading' | 'complete' = 'complete') {
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
  runInNewContext(script, { window, document, fetch, setTimeout, setInterval, clearInterval, Event, encodeURIComponent, JSON, Object });
  const bridge = window.WeixinJSBridge as { invoke(name: string, params: unknown, cb: (res: Record<string, string>) => void): void };
  const invoke = (name: string, params: unknown) => new Promise<Record<string, string>>((resolve) => bridge.invoke(name, params, resolve));
  return { document, bridge, invoke, ready: () => ready };
}

async function jsapiOrder(signType: 'MD5' | 'HMAC-SHA256' = 'MD5') {
  const res = await payApi(emu, '/pay/unifiedorder', orderParams({ body: '<img src=x onerror=alert(1)>' }), signType);
  return res.fields.prepay_id!;
}

describe('/bridge.js', () => {
  it('is served as CORS-friendly JavaScript with the public URL baked in', async () => {
    const res = await fetch(`${emu.httpUrl}/bridge.js`);
    expect(res.headers.get('content-type')).toContain('application/javascript');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
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
    const unknown = buildJsapiPayParams({ appId: M.appId, prepayId: 'wx00000000000000000000000000000000000', signType: 'MD5', apiKey: M.apiKey });
    expect(await invoke('getBrandWCPayRequest', unknown)).toEqual({ err_msg: 'get_brand_wcpay_request:fail', err_desc: 'prepay_id不存在' });
    const prepayId = await jsapiOrder();
    const badSign = { ...buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'MD5', apiKey: M.apiKey }), paySign: '0'.repeat(32) };
    expect((await invoke('getBrandWCPayRequest', badSign)).err_desc).toBe('支付验证签名失败');
    const wrongType = buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'HMAC-SHA256', apiKey: M.apiKey });
    expect((await invoke('getBrandWCPayRequest', wrongType)).err_desc).toContain('sign_type');
    expect(document.body!.children).toHaveLength(0);
  });

  it('getBrandWCPayRequest parameter checks: missing or non-string fields, signType case, package prefix, paySign', async () => {
    const prepayId = await jsapiOrder();
    const good = buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'MD5', apiKey: M.apiKey });
    const ask = async (params: object) => {
      const res = await fetch(`${emu.httpUrl}/__bridge/pay-request`, { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: JSON.stringify(params), signal: AbortSignal.timeout(5000) });
      return (await res.json()) as { ok: boolean; err_desc?: string };
    };
    const { paySign: _dropped, ...noPaySign } = good;
    expect(await ask(noPaySign)).toEqual({ ok: false, err_desc: '调用支付JSAPI缺少参数：paySign' });
    expect(await ask({ ...good, timeStamp: Number(good.timeStamp) })).toEqual({ ok: false, err_desc: '调用支付JSAPI缺少参数：timeStamp' });
    // The sign type is part of the signed string and must be spelled as in unifiedorder: 'md5' fails the check.
    const lower = { ...good, signType: 'md5', paySign: sign({ appId: good.appId, timeStamp: good.timeStamp, nonceStr: good.nonceStr, package: good.package, signType: 'md5' }, M.apiKey, 'MD5') };
    expect(await ask(lower)).toEqual({ ok: false, err_desc: '支付验证签名失败' });
    expect((await ask({ ...good, package: prepayId })).err_desc).toBe('package格式错误，应为prepay_id=***');
    expect(await ask({ ...good, nonceStr: `${good.nonceStr.slice(1)}x` })).toEqual({ ok: false, err_desc: '支付验证签名失败' });
    expect(emu.state.tickets.size).toBe(0);
    expect((await ask(good)).ok).toBe(true);
  });

  it('shows the pay sheet; 支付 → ok after the order is paid (values via textContent)', async () => {
    const { invoke, document } = await loadBridge();
    const prepayId = await jsapiOrder('HMAC-SHA256');
    const result = invoke('getBrandWCPayRequest', buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'HMAC-SHA256', apiKey: M.apiKey }));
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
    const again = await invoke('getBrandWCPayRequest', buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'HMAC-SHA256', apiKey: M.apiKey }));
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

  it('the pay-request endpoint answers CORS preflights', async () => {
    const res = await fetch(`${emu.httpUrl}/__bridge/pay-request`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('NATIVE page, console and control API', () => {
  it('the scan-and-pay page shows the order escaped and pays it', async () => {
    const params = orderParams({ trade_type: 'NATIVE', openid: undefined, product_id: 'P1', body: '<script>x</script>' });
    const codeUrl = (await payApi(emu, '/pay/unifiedorder', params)).fields.code_url!;
    const page = await (await fetch(`${emu.httpUrl}/native?code_url=${encodeURIComponent(codeUrl)}`)).text();
    expect(page).toContain('¥1.01');
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('<script>x');
    expect(page).toContain('data-testid="wx-pay-confirm"');
    const paid = await fetch(`${emu.httpUrl}/native/pay`, { method: 'POST', body: new URLSearchParams({ code_url: codeUrl }) });
    expect(await paid.text()).toContain('支付成功');
    expect(emu.state.findOrder(M.mchId, params.out_trade_no as string)!.state).toBe('SUCCESS');
    expect((await fetch(`${emu.httpUrl}/native?code_url=weixin%3A%2F%2Fnope`)).status).toBe(404);
  });

  it('console is HTML that renders via textContent; state hides secrets; pay/reset control', async () => {
    const page = await (await fetch(`${emu.httpUrl}/console`)).text();
    expect(page).toContain('Notifications');
    expect(page).not.toMatch(/innerHTML/);
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
    expect((state.body.orders as Array<Record<string, unknown>>)[0]).toMatchObject({ outTradeNo: params.out_trade_no, state: 'SUCCESS', prepayId });
    expect((await json(emu, '/__emulator/reset', { method: 'POST' })).status).toBe(200);
    expect(emu.state.orders.size).toBe(0);
  });
});

/**
 * Other websites open in the developer's browser must not drive the emulator: cross-site writes
 * to its own endpoints are refused, the control API takes JSON only, and nobody else may read it.
 */
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index';
import { browserFetch, M, orderParams, payApi, startEmulator } from './helpers/emulator';

const EVIL = 'https://evil.example';
const SHOP = 'http://127.0.0.1:5173';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ allowedOrigins: [SHOP] });
});
afterEach(async () => {
  await emu.stop();
});

async function unpaidOrder(overrides = {}) {
  const params = orderParams(overrides);
  const res = await payApi(emu, '/pay/unifiedorder', params);
  return { outTradeNo: params.out_trade_no as string, prepayId: res.fields.prepay_id!, codeUrl: res.fields.code_url };
}

const orderState = (outTradeNo: string) => emu.state.findOrder(M.mchId, outTradeNo)!.state;

/** What a plain <form method=post> on another site sends (no preflight needed). */
function formPost(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = { Origin: EVIL, 'Sec-Fetch-Site': 'cross-site' },
) {
  return fetch(`${emu.httpUrl}${path}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(fields),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
}

describe('control API (/__emulator/*)', () => {
  it('a cross-site form post is refused with 403 and changes nothing', async () => {
    const { outTradeNo } = await unpaidOrder();
    const res = await formPost('/__emulator/pay', { outTradeNo });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain(`origin ${EVIL} is not allowed`);
    expect(orderState(outTradeNo)).toBe('NOTPAY');
    expect(emu.state.deliveries.size).toBe(0);

    // Nor without Origin when the browser says cross-site, nor from an opaque (null) origin, nor from the bridge's shop origin.
    const others: Record<string, string>[] = [
      { 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' },
      { Origin: SHOP, 'Sec-Fetch-Site': 'cross-site' },
    ];
    for (const headers of others) {
      expect((await formPost('/__emulator/pay', { outTradeNo }, headers)).status).toBe(403);
    }
    for (const [path, fields] of [
      ['/__emulator/reset', {}],
      ['/__emulator/faults', { target: 'orderquery', kind: 'http500' }],
      ['/__emulator/trade-state', { outTradeNo, tradeState: 'PAYERROR' }],
      ['/__emulator/oauth/current-user', { userId: 'xiaoli' }],
    ] as const) {
      expect((await formPost(path, fields)).status, path).toBe(403);
    }
    expect(orderState(outTradeNo)).toBe('NOTPAY');
    expect(emu.state.orders.size).toBe(1);
    expect(emu.state.faults).toEqual([]);
    expect(emu.state.currentUserId).toBe('zhangsan');
  });

  it('takes JSON bodies only, so no page can post to it without a CORS preflight', async () => {
    const { outTradeNo } = await unpaidOrder();
    const post = (body: string | URLSearchParams | Blob, headers: Record<string, string> = {}) =>
      fetch(`${emu.httpUrl}/__emulator/pay`, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    expect((await post(new URLSearchParams({ outTradeNo }))).status).toBe(415);
    expect((await post(JSON.stringify({ outTradeNo }))).status).toBe(415); // fetch's default text/plain
    expect((await post(new Blob([JSON.stringify({ outTradeNo })]))).status).toBe(415); // typeless: a simple request too
    expect((await formPost('/__emulator/reset', {}, {})).status).toBe(415); // an empty form is still a form
    expect(orderState(outTradeNo)).toBe('NOTPAY');
    expect(emu.state.orders.size).toBe(1);

    // JSON, and body-less calls, from non-browser clients (tests, curl) work as before.
    expect(
      (await post(JSON.stringify({ outTradeNo }), { 'Content-Type': 'application/json; charset=utf-8' })).status,
    ).toBe(200);
    expect(orderState(outTradeNo)).toBe('SUCCESS');
    expect((await fetch(`${emu.httpUrl}/__emulator/reset`, { method: 'POST' })).status).toBe(200);
    expect(emu.state.orders.size).toBe(0);
  });

  it('gives no other origin a CORS allowance: another page cannot read the state (codes, tokens) or preflight a write; the console can', async () => {
    for (const origin of [EVIL, SHOP]) {
      const state = await fetch(`${emu.httpUrl}/__emulator/state`, {
        headers: { Origin: origin, 'Sec-Fetch-Site': 'cross-site' },
      });
      expect(state.status).toBe(200); // answered, but unreadable for that page
      expect(state.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${emu.httpUrl}/__emulator/pay`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    }
    await expect(browserFetch(EVIL)(`${emu.httpUrl}/__emulator/state`)).rejects.toThrow('no CORS allowance');
    const { outTradeNo } = await unpaidOrder();
    const evilJson = browserFetch(EVIL)(`${emu.httpUrl}/__emulator/pay`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ outTradeNo }),
    });
    await expect(evilJson).rejects.toThrow('no CORS allowance');
    expect(orderState(outTradeNo)).toBe('NOTPAY');

    // The console page, on the emulator's own origin, still reads and writes it.
    const consolePage = browserFetch(emu.httpUrl);
    const state = (await (await consolePage('/__emulator/state')).json()) as { orders: unknown[] };
    expect(state.orders).toHaveLength(1);
    const paid = await consolePage('/__emulator/pay', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ outTradeNo }),
    });
    expect(paid.status).toBe(200);
    expect(orderState(outTradeNo)).toBe('SUCCESS');
    expect((await consolePage('/__emulator/reset', { method: 'POST' })).status).toBe(200);
    expect(emu.state.orders.size).toBe(0);
  });
});

describe('pages of the emulator that post forms', () => {
  it('NATIVE scan page: its own form pays; the same form posted from another site is refused', async () => {
    const { outTradeNo, codeUrl } = await unpaidOrder({ trade_type: 'NATIVE', openid: undefined, product_id: 'P1' });
    const refused = await formPost('/native/pay', { code_url: codeUrl! });
    expect(refused.status).toBe(403);
    expect(orderState(outTradeNo)).toBe('NOTPAY');

    const page = browserFetch(emu.httpUrl);
    const paid = await page('/native/pay', { method: 'POST', body: new URLSearchParams({ code_url: codeUrl! }) });
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain('支付成功');
    expect(orderState(outTradeNo)).toBe('SUCCESS');
  });

  it('OAuth consent form: a post from another site issues no code; the page itself still can', async () => {
    const q = new URLSearchParams({
      appid: M.appId,
      redirect_uri: 'http://localhost:5173/cb',
      response_type: 'code',
      scope: 'snsapi_userinfo',
      state: 's',
    });
    const html = await (await fetch(`${emu.httpUrl}/connect/oauth2/authorize?${q}`)).text();
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const fields = { request, userId: 'xiaoli', decision: 'allow' };

    expect((await formPost('/__emulator/oauth/consent', fields)).status).toBe(403);
    expect(emu.state.codes.size).toBe(0);
    const allowed = await formPost('/__emulator/oauth/consent', fields, {
      Origin: emu.httpUrl,
      'Sec-Fetch-Site': 'same-origin',
    });
    expect(allowed.status).toBe(302);
    expect(new URL(allowed.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });
});

describe("DNS rebinding (another site's name made to resolve to 127.0.0.1)", () => {
  /** What a browser sends from a page on the emulator's port by the name `hostname`: to it, the emulator is same-origin. */
  function sameOriginAs(
    hostname: string,
    path: string,
    init: { method?: string; body?: string } = {},
  ): Promise<{ status: number; body: string }> {
    const host = `${hostname}:${new URL(emu.httpUrl).port}`;
    const headers: Record<string, string> = { Host: host, 'Sec-Fetch-Site': 'same-origin' };
    if (init.method === 'POST')
      Object.assign(headers, { Origin: `http://${host}`, 'Content-Type': 'application/json' });
    return new Promise((resolve, reject) => {
      const req = request(
        `${emu.httpUrl}${path}`,
        { method: init.method ?? 'GET', headers, timeout: 30_000 },
        (res) => {
          let body = '';
          res
            .setEncoding('utf8')
            .on('data', (chunk: string) => (body += chunk))
            .on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject).end(init.body);
    });
  }
  const rebound = (path: string, init: { method?: string; body?: string } = {}) =>
    sameOriginAs('rebind.evil.example', path, init);

  it('a page reaching the emulator by a name of its own can neither read the state nor write', async () => {
    const { outTradeNo, prepayId } = await unpaidOrder();
    for (const path of ['/__emulator/state', '/console']) {
      const read = await rebound(path);
      expect(read.status, path).toBe(403);
      expect(read.body).not.toContain(prepayId);
    }
    const paid = await rebound('/__emulator/pay', { method: 'POST', body: JSON.stringify({ outTradeNo }) });
    expect(paid.status).toBe(403);
    expect(paid.body).toContain('host rebind.evil.example is not a name of this emulator');
    expect((await rebound('/__emulator/reset', { method: 'POST' })).status).toBe(403);
    const sheet = await rebound('/__bridge/pay-request', {
      method: 'POST',
      body: JSON.stringify({ package: `prepay_id=${prepayId}` }),
    });
    expect(sheet.status).toBe(403);
    expect(emu.state.tickets.size).toBe(0);
    expect(orderState(outTradeNo)).toBe('NOTPAY');
    expect(emu.state.orders.size).toBe(1);
  });

  it("still answers browsers by IP address, localhost or the public URL's name", async () => {
    for (const hostname of ['127.0.0.1', 'localhost', '[::1]', 'wechat.localhost']) {
      expect((await sameOriginAs(hostname, '/__emulator/state')).status, hostname).toBe(200);
      expect(
        (
          await sameOriginAs(hostname, '/__emulator/faults', {
            method: 'POST',
            body: JSON.stringify({ target: 'orderquery', kind: 'http500' }),
          })
        ).status,
        hostname,
      ).toBe(201);
    }
    await emu.stop();
    emu = await startEmulator({ publicUrl: 'http://wechat.test:4000' });
    expect((await sameOriginAs('wechat.test', '/__emulator/reset', { method: 'POST' })).status).toBe(200);
    expect((await sameOriginAs('wechat.example', '/__emulator/reset', { method: 'POST' })).status).toBe(403);
  });
});

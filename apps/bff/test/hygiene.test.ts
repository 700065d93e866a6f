/** What must never leak (logs, error bodies) and the process-level behaviour around the API. */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiErrorSchema, PayResponseSchema } from '@wxpay-shop/contract';
import { location } from './helpers/browser';
import {
  ADMIN_TOKEN,
  MERCHANT,
  adminRefund,
  createOrder,
  fakeStorefrontDist,
  signIn,
  useStack,
  waitFor,
} from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('secrets stay out of logs and responses', () => {
  const { stack } = useStack({ name: 'pglite' }, {}, { captureLogs: true });

  it('logs requests with ids but never keys, tokens, cookies or paySign', async () => {
    const browser = stack.browser();
    await signIn(stack, browser);
    const order = await createOrder(browser);
    const pay = PayResponseSchema.parse(
      await (await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'JSAPI' })).json(),
    );
    if (pay.tradeType !== 'JSAPI') throw new Error('expected JSAPI');
    await stack.emu.pay(pay.payParams.package.slice('prepay_id='.length));
    await waitFor(
      async () =>
        (
          await stack.database.db
            .selectFrom('orders')
            .select('status')
            .where('out_trade_no', '=', order.outTradeNo)
            .executeTakeFirst()
        )?.status === 'PAID',
    );
    // The session cookie rides along so the test can prove it is redacted from the logs too.
    const refund = await adminRefund(stack, order.outTradeNo, {}, ADMIN_TOKEN, {
      Cookie: `wxshop.sid=${browser.cookies.get('wxshop.sid')}`,
    });
    expect(refund.status).toBe(202);
    await adminRefund(stack, order.outTradeNo, undefined, 'wrong');

    const logs = stack.logs();
    const lines = logs
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.msg === 'request' && typeof l.requestId === 'string' && l.path === '/api/orders')).toBe(
      true,
    );
    expect(lines.some((l) => l.msg === 'order paid')).toBe(true);
    for (const secret of [
      MERCHANT.apiKey,
      MERCHANT.appSecret,
      ADMIN_TOKEN,
      browser.cookies.get('wxshop.sid')!,
      browser.cookies.get('wxshop.sid.sig')!,
      pay.payParams.paySign,
    ]) {
      expect(logs).not.toContain(secret);
    }
    // OAuth codes travel in the callback's query string, which is never logged.
    expect(logs).not.toMatch(/code=/);
  });

  it('answers errors with ApiError and no internals', async () => {
    const res = await fetch(`${stack.bff.url}/api/orders/${'x'.repeat(40)}`);
    expect(res.status).toBe(404);
    const body = ApiErrorSchema.parse(await res.json());
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("keeps the shopper's own answers (sign-in, me, orders, pay) out of every cache", async () => {
    const browser = stack.browser();
    const login = await browser.get('/api/auth/login?returnTo=%2F');
    expect(login.status).toBe(302);
    const authorize = await fetch(location(login), {
      redirect: 'manual',
      headers: { 'User-Agent': browser.userAgent },
    });
    const callback = await browser.get(location(authorize));
    expect(callback.status).toBe(302);
    const order = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
    const answers = {
      login,
      callback,
      me: await browser.get('/api/me'),
      list: await browser.get('/api/orders'),
      order: await browser.get(`/api/orders/${order.outTradeNo}`),
      pay: await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' }),
    };
    for (const [name, res] of Object.entries(answers)) {
      expect([name, res.status < 400, res.headers.get('cache-control')]).toEqual([name, true, 'no-store']);
    }
  });

  it('answers wrong and unknown methods and /api itself with ApiError JSON that is never cached', async () => {
    // (WeChat's notification endpoints answer in WeChat's XML instead: notify-failures.test.ts.)
    const url = stack.bff.url;
    const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    const cases: { path: string; method: string; status: number; headers?: Record<string, string>; allow?: RegExp }[] =
      [
        { path: '/api/orders', method: 'PUT', status: 405, allow: /GET.*POST|POST.*GET/ },
        { path: '/api/me', method: 'DELETE', status: 405, allow: /GET/ },
        { path: '/api/admin/orders', method: 'DELETE', status: 405, headers: admin, allow: /GET/ },
        { path: '/api/me', method: 'PROPFIND', status: 501 },
        { path: '/api', method: 'GET', status: 404 },
        { path: `/api/orders/${'x'.repeat(20)}`, method: 'GET', status: 404 },
      ];
    for (const c of cases) {
      const res = await fetch(`${url}${c.path}`, { method: c.method, ...(c.headers ? { headers: c.headers } : {}) });
      expect(res.status, `${c.method} ${c.path}`).toBe(c.status);
      expect(res.headers.get('content-type'), `${c.method} ${c.path}`).toMatch(/^application\/json/);
      expect(ApiErrorSchema.parse(await res.json()).error.requestId).toBe(res.headers.get('x-request-id'));
      expect(res.headers.get('cache-control')).toBe('no-store');
      if (c.allow) expect(res.headers.get('allow')).toMatch(c.allow);
    }
    // Personal answers of POSTs are not stored either; the public catalog keeps its revalidation.
    const created = await stack.browser().post('/api/orders', orderBody([{ productId: 'sticker', quantity: 1 }]));
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${url}/api/products`)).headers.get('cache-control')).toBe('no-cache');
  });
});

/** One request on `agent`; `chunked` streams the body without Content-Length, as a client that does not know its size. */
function sendOn(
  agent: http.Agent,
  url: string,
  body?: { bytes: Buffer; chunked: boolean; type: string },
): Promise<{ status: number; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body ? { 'Content-Type': body.type } : {};
    if (body && !body.chunked) headers['Content-Length'] = body.bytes.length;
    const req = http.request(url, { method: body ? 'POST' : 'GET', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    // A bound, not a measurement: a stalled connection must fail the test, not hang it.
    req.setTimeout(60_000, () => req.destroy(new Error('no reply within 60 s: the connection stalled')));
    if (body?.chunked)
      for (let i = 0; i < body.bytes.length; i += 64 * 1024) req.write(body.bytes.subarray(i, i + 64 * 1024));
    else if (body) req.write(body.bytes);
    req.end();
  });
}

describe('oversized bodies', () => {
  const { stack } = useStack({ name: 'pglite' });

  it.each([
    { path: '/api/orders', type: 'application/json' },
    { path: '/api/wechat/pay/notify', type: 'text/xml' },
  ])(
    '$path: 413 for 1 MB, with or without Content-Length, and the keep-alive connection stays usable',
    async ({ path, type }) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (const chunked of [false, true]) {
          const big = await sendOn(agent, `${stack.bff.url}${path}`, {
            bytes: Buffer.alloc(1024 * 1024, 0x61),
            chunked,
            type,
          });
          expect(big.status).toBe(413);
          const next = await sendOn(agent, `${stack.bff.url}/api/products`);
          expect(next).toEqual({ status: 200, reusedSocket: true });
        }
      } finally {
        agent.destroy();
      }
    },
  );
});

describe('storefront serving', () => {
  const { stack } = useStack({ name: 'pglite' }, { STOREFRONT_DIST: fakeStorefrontDist() });

  it('serves assets, falls back to index.html for client routes, and keeps /api JSON', async () => {
    const asset = await fetch(`${stack.bff.url}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    for (const route of ['/', '/orders/20261126ABC', '/cart?x=1']) {
      const page = await fetch(`${stack.bff.url}${route}`, { headers: { Accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('微信小店');
    }
    // Hashed build output is cached for good; the page itself is always revalidated.
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const route of ['/', '/index.html', '/orders/20261126ABC']) {
      expect(
        (await fetch(`${stack.bff.url}${route}`, { headers: { Accept: 'text/html' } })).headers.get('cache-control'),
      ).toBe('no-cache');
    }
    const api = await fetch(`${stack.bff.url}/api/nope`, { headers: { Accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(ApiErrorSchema.parse(await api.json()).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${stack.bff.url}/api/products`)).status).toBe(200);
  });

  it("answers 404, not index.html, for a missing file such as an old deploy's chunk", async () => {
    for (const file of ['/assets/index-OLDHASH.js', '/favicon.ico']) {
      const res = await fetch(`${stack.bff.url}${file}`, { headers: { Accept: '*/*' } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type') ?? '').not.toMatch(/html/);
      expect(await res.text()).not.toContain('微信小店');
    }
  });
});

describe('main.ts', () => {
  it('refuses to start in production with the public test merchant and dev secrets', () => {
    const result = spawnSync(path.join(appDir, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      cwd: appDir,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PUBLIC_BASE_URL: 'https://shop.example.com',
        SESSION_KEYS: 'dev-session-key-change-me',
        ADMIN_TOKEN: 'dev-admin-token',
        WECHAT_APP_ID: MERCHANT.appId,
        WECHAT_APP_SECRET: MERCHANT.appSecret,
        WECHAT_MCH_ID: MERCHANT.mchId,
        WECHAT_PAY_API_KEY: MERCHANT.apiKey,
        DATABASE_URL: 'memory://',
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('WECHAT_PAY_API_KEY: the public test key is not allowed in production');
    expect(result.stderr).toContain('WECHAT_APP_SECRET: the public test secret is not allowed in production');
    expect(result.stderr).toContain('SESSION_KEYS:');
    expect(result.stderr).toContain('ADMIN_TOKEN:');
    expect(result.stderr).not.toContain(MERCHANT.apiKey);
  });
});

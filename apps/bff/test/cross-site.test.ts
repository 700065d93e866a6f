/**
 * Cross-site request forgery. SameSite=Lax keeps the session cookie off other sites' POSTs in
 * current browsers, but not in older in-app WebViews or from a sibling subdomain (same site), and
 * a bodiless POST (logout, pay with the default trade type) needs no JSON Content-Type. Browsers
 * say where a request comes from (Sec-Fetch-Site, Origin); the API's writes must only come from the shop.
 */
import { describe, expect, it } from 'vitest';
import { ApiErrorSchema, MeSchema } from '@wxpay-shop/contract';
import { createOrder, orderRow, signIn, startStack, useStack, type Stack } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('writes from another site', () => {
  // Every sign-in here is the emulator's one WeChat user, whose unpaid orders add up across tests.
  const { stack } = useStack({ name: 'pglite' }, { MAX_PENDING_ORDERS: '20' });

  const signedIn = async (browser: ReturnType<Stack['browser']>) =>
    MeSchema.parse(await (await browser.get('/api/me')).json()).signedIn;

  /** What a page elsewhere gets from a form post or fetch carrying the shopper's cookie. */
  const forged: Record<string, Record<string, string>> = {
    'a cross-site form (Sec-Fetch-Site)': { ...FORM, 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
    'a sibling subdomain (same-site)': { ...FORM, 'Sec-Fetch-Site': 'same-site', Origin: 'https://evil.shop.example' },
    'a browser without Sec-Fetch-* (Origin only)': { ...FORM, Origin: 'https://evil.example' },
    'a sandboxed or privacy-redirected page (Origin: null)': { ...FORM, Origin: 'null' },
  };

  for (const [name, headers] of Object.entries(forged)) {
    it(`refuses ${name} with 403 before anything changes`, async () => {
      const shopper = stack.browser();
      await signIn(stack, shopper);
      const order = await createOrder(shopper, [{ productId: 'sticker', quantity: 1 }]);

      const pay = await shopper.fetch(`/api/orders/${order.outTradeNo}/pay`, { method: 'POST', headers });
      expect(pay.status).toBe(403);
      expect(ApiErrorSchema.parse(await pay.json()).error.code).toBe('FORBIDDEN');
      expect((await orderRow(stack, order.outTradeNo)).trade_type).toBeNull();

      const logout = await shopper.fetch('/api/auth/logout', { method: 'POST', headers });
      expect(logout.status).toBe(403);
      expect(await signedIn(shopper)).toBe(true);

      const create = await shopper.fetch('/api/orders', {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(orderBody([{ productId: 'sticker', quantity: 1 }])),
      });
      expect(create.status).toBe(403);
    });
  }

  it("accepts the shop's own pages (same-origin, or an Origin naming the shop) and clients that send neither header", async () => {
    const shopper = stack.browser();
    await signIn(stack, shopper);
    const sameOrigin = { 'Sec-Fetch-Site': 'same-origin', Origin: stack.bff.url };
    const created = await shopper.fetch('/api/orders', {
      method: 'POST',
      headers: { ...sameOrigin, 'Content-Type': 'application/json' },
      body: JSON.stringify(orderBody([{ productId: 'sticker', quantity: 1 }])),
    });
    expect(created.status).toBe(201);
    const { outTradeNo } = (await created.json()) as { outTradeNo: string };
    expect(
      (await shopper.post(`/api/orders/${outTradeNo}/pay`, { tradeType: 'NATIVE' }, { Origin: stack.bff.url })).status,
    ).toBe(200);
    expect((await shopper.post('/api/orders', orderBody([{ productId: 'sticker', quantity: 1 }]))).status).toBe(201);
    expect((await shopper.fetch('/api/auth/logout', { method: 'POST', headers: sameOrigin })).status).toBe(204);
    expect(await signedIn(shopper)).toBe(false);
  });

  it('knows the shop by PUBLIC_BASE_URL behind a proxy that rewrites Host, even with a path and the default port spelled out', async () => {
    const behindProxy = await startStack({ name: 'pglite' }, { PUBLIC_BASE_URL: 'https://shop.example:443/mall/' });
    try {
      const shopper = behindProxy.browser();
      const order = await createOrder(shopper, [{ productId: 'sticker', quantity: 1 }]);
      const pay = (origin: string) =>
        shopper.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' }, { Origin: origin });
      expect((await pay('https://evil.example')).status).toBe(403);
      expect((await pay('https://shop.example')).status).toBe(200);
    } finally {
      await behindProxy.close();
    }
  });

  it('leaves navigations (sign-in) and reads from other sites alone', async () => {
    const visitor = stack.browser();
    const crossSite = { 'Sec-Fetch-Site': 'cross-site' };
    expect((await visitor.fetch('/api/auth/login?returnTo=%2F', { headers: crossSite })).status).toBe(302);
    expect((await visitor.fetch('/api/products', { headers: crossSite })).status).toBe(200);
  });
});

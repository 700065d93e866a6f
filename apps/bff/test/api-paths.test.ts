/**
 * What counts as an API path is decided once (`http/paths.ts`) and agrees with the routers, which
 * match case-insensitively: `/API/me` is the API, so it is never cached and never the SPA.
 */
import { describe, expect, it } from 'vitest';
import { isApiPath } from '../src/http/paths';
import { backends } from './helpers/backends';
import { createOrder, fakeStorefrontDist, signIn, useStack } from './helpers/stack';

describe('isApiPath', () => {
  it('matches /api and below in any letter case, and nothing that only starts alike', () => {
    expect(['/api', '/api/me', '/API/orders', '/Api/ME', '/aPi'].map(isApiPath)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['/', '/apis', '/API-docs', '/assets/api.js', '/orders/api'].map(isApiPath)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe.each(backends)('API paths in any letter case ($name)', (backend) => {
  const { stack } = useStack(backend, { STOREFRONT_DIST: fakeStorefrontDist() });

  it("/API/me and /API/orders answer the shopper's data like /api/…, with Cache-Control: no-store", async () => {
    const browser = stack.browser();
    await signIn(stack, browser);
    const order = await createOrder(browser);
    for (const path of ['/API/me', '/Api/Me', '/API/orders', `/API/ORDERS/${order.outTradeNo}`]) {
      const res = await browser.get(path);
      expect([path, res.status, res.headers.get('cache-control')]).toEqual([path, 200, 'no-store']);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    const list = (await (await browser.get('/API/orders')).json()) as { orders: { outTradeNo: string }[] };
    expect(list.orders.map((o) => o.outTradeNo)).toContain(order.outTradeNo);
  });

  it('an unknown /API/… path is an ApiError 404, not the storefront page', async () => {
    const res = await fetch(`${stack.bff.url}/API/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

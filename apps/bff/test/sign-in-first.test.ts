/** Inside WeChat a page without a session goes to the silent sign-in before the SPA boots, once, and never in a loop. */
import { describe, expect, it } from 'vitest';
import { MeSchema } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import { location, type Browser } from './helpers/browser';
import { fakeStorefrontDist, signIn, useStack } from './helpers/stack';

const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const NAVIGATION = { 'Sec-Fetch-Dest': 'document', Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** A top-level navigation as a browser sends it. */
const open = (browser: Browser, path: string, headers: Record<string, string> = NAVIGATION) =>
  browser.fetch(path, { headers });

/** Follows a redirect to WeChat's authorize page (the emulator's silent snsapi_base) and back to the callback. */
async function finishSignIn(browser: Browser, authorizeUrl: string): Promise<string> {
  const authorize = await fetch(authorizeUrl, { redirect: 'manual', headers: { 'User-Agent': browser.userAgent } });
  expect(authorize.status).toBe(302);
  const callback = await browser.get(location(authorize));
  expect(callback.status).toBe(302);
  return location(callback);
}

const isSignedIn = async (browser: Browser) => MeSchema.parse(await (await browser.get('/api/me')).json()).signedIn;

describe.each(backends)('sign-in before the page boots ($name)', (backend) => {
  const { stack } = useStack(backend, { STOREFRONT_DIST: fakeStorefrontDist() });

  it('sends a WeChat page request without a session to silent sign-in, then serves the same page', async () => {
    const browser = stack.browser();
    const page = await open(browser, '/products/green-tea?from=share');
    expect(page.status).toBe(302);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const authorizeUrl = new URL(location(page));
    expect(authorizeUrl.origin).toBe(stack.emuUrl);
    expect(authorizeUrl.searchParams.get('scope')).toBe('snsapi_base');
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${stack.bff.url}/api/auth/callback`);

    expect(await finishSignIn(browser, authorizeUrl.href)).toBe('/products/green-tea?from=share');
    const again = await open(browser, '/products/green-tea?from=share');
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('<div id="app">');
    expect(await isSignedIn(browser)).toBe(true);
  });

  it('leaves API calls, assets, other methods, other browsers and non-navigations alone', async () => {
    const wechat = stack.browser();
    expect((await open(wechat, '/api/me')).status).toBe(200);
    expect((await open(wechat, '/assets/app.js')).status).toBe(200);
    expect((await open(wechat, '/', { 'Sec-Fetch-Dest': 'script', Accept: '*/*' })).status).toBe(200);
    expect((await open(wechat, '/', { 'Sec-Fetch-Dest': 'iframe', Accept: 'text/html' })).status).toBe(200);
    expect((await open(wechat, '/', { Accept: '*/*' })).status).toBe(200);
    expect((await wechat.fetch('/', { method: 'HEAD', headers: NAVIGATION })).status).toBe(200);
    expect((await open(stack.browser(DESKTOP_UA), '/orders')).status).toBe(200);
    // The operator console has its own sign-in: a shopper's WeChat sign-in is not for it.
    expect((await open(wechat, '/admin/orders')).status).not.toBe(302);
    // Without fetch metadata, an older browser asking for HTML by name is a navigation.
    expect((await open(stack.browser(), '/', { Accept: 'text/html' })).status).toBe(302);
  });

  it('keeps the return path on this site: a page at //host comes back to /', async () => {
    const browser = stack.browser();
    const page = await browser.fetch(`${stack.bff.url}//evil.example/x`, { headers: NAVIGATION });
    expect(page.status).toBe(302);
    expect(await finishSignIn(browser, location(page))).toBe('/');
  });

  it('does not loop: a declined sign-in comes back with ?login= and the page loads', async () => {
    const browser = stack.browser();
    const page = await open(browser, '/cart');
    const state = new URL(location(page)).searchParams.get('state')!;
    const declined = await browser.get(`/api/auth/callback?state=${state}`);
    expect(declined.headers.get('location')).toBe('/cart?login=declined');

    expect((await open(browser, '/cart?login=declined')).status).toBe(200);
    // Reloaded without the flag (the SPA drops it from the address bar), still no second trip.
    expect((await open(browser, '/cart')).status).toBe(200);
    expect(await isSignedIn(browser)).toBe(false);
  });

  it('after 退出登录 the next page is not signed in silently; signing in again lifts that', async () => {
    const browser = stack.browser();
    await signIn(stack, browser);
    expect((await browser.post('/api/auth/logout')).status).toBe(204);

    expect((await open(browser, '/')).status).toBe(200);
    expect(await isSignedIn(browser)).toBe(false);

    // The shopper presses 微信登录: signed in again, and the mark is gone with the sign-in.
    await signIn(stack, browser);
    expect(browser.cookies.has('wxshop.signed-out')).toBe(false);
    expect((await open(browser, '/')).status).toBe(200);
    expect(await isSignedIn(browser)).toBe(true);
  });
});

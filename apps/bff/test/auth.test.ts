import { describe, expect, it, vi } from 'vitest';
import { ApiErrorSchema, MeSchema, OrderListSchema } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import { location } from './helpers/browser';
import { PRODUCTION_ON_TEST_STACK } from './helpers/production-env';
import { consentedCallback, createOrder, signIn, useStack } from './helpers/stack';

describe.each(backends)('sign-in over HTTP ($name)', (backend) => {
  const { stack } = useStack(backend);

  it('signs in silently with snsapi_base, rotates the session and stores only an id in the cookie', async () => {
    const browser = stack.browser();
    const before = MeSchema.parse(await (await browser.get('/api/me')).json());
    expect(before).toEqual({ signedIn: false });

    const login = await browser.get('/api/auth/login?returnTo=/orders%3Ftab%3Dpaid');
    expect(login.status).toBe(302);
    const authorizeUrl = new URL(login.headers.get('location')!);
    expect(authorizeUrl.hash).toBe('#wechat_redirect');
    expect(authorizeUrl.searchParams.get('scope')).toBe('snsapi_base');
    expect(authorizeUrl.searchParams.get('state')).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${stack.bff.url}/api/auth/callback`);
    const preLoginSid = browser.cookies.get('wxshop.sid');
    expect(preLoginSid).toBeTruthy();
    const setCookie = login.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/httponly/i);
    expect(setCookie).toMatch(/samesite=lax/i);

    const authorize = await fetch(location(login), {
      redirect: 'manual',
      headers: { 'User-Agent': browser.userAgent },
    });
    expect(authorize.status).toBe(302);
    const callback = await browser.get(location(authorize));
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/orders?tab=paid');
    expect(browser.cookies.get('wxshop.sid')).not.toBe(preLoginSid);

    const me = MeSchema.parse(await (await browser.get('/api/me')).json());
    expect(me.signedIn).toBe(true);
    if (!me.signedIn) return;
    expect(me.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    // The cookie is an opaque id; the openid lives in the sessions table only.
    expect([...browser.cookies.values()].join(';')).not.toContain(me.openid);
    const rows = await stack.database.db.selectFrom('sessions').select('data').execute();
    expect(rows.some((r) => JSON.stringify(r.data).includes(me.openid))).toBe(true);
    const shopper = await stack.database.db
      .selectFrom('shoppers')
      .selectAll()
      .where('openid', '=', me.openid)
      .executeTakeFirst();
    expect(shopper).toBeDefined();
    // The pre-login session id is dead (rotated, not reused).
    const stale = await stack.database.db
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', preLoginSid!)
      .executeTakeFirst();
    expect(stale).toBeUndefined();
  });

  it('rejects a callback with a missing or mismatched state without exchanging the code', async () => {
    const browser = stack.browser();
    const login = await browser.get('/api/auth/login');
    const authorize = await fetch(location(login), {
      redirect: 'manual',
      headers: { 'User-Agent': browser.userAgent },
    });
    const cb = new URL(location(authorize));
    const code = cb.searchParams.get('code')!;

    const missing = await browser.fetch(`/api/auth/callback?code=${code}`, { headers: { Accept: 'application/json' } });
    expect(missing.status).toBe(400);
    expect(ApiErrorSchema.parse(await missing.json()).error.code).toBe('BAD_REQUEST');

    const forged = await browser.fetch(`/api/auth/callback?code=${code}&state=${'A'.repeat(32)}`, {
      headers: { Accept: 'text/html' },
    });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('content-type')).toMatch(/text\/html/);

    // Another browser cannot complete this browser's sign-in.
    const other = stack.browser();
    expect((await other.get(cb.pathname + cb.search)).status).toBe(400);

    // The code was never exchanged, so the rightful browser can still use it.
    const ok = await browser.get(cb.pathname + cb.search);
    expect(ok.status).toBe(302);
    expect(MeSchema.parse(await (await browser.get('/api/me')).json()).signedIn).toBe(true);
  });

  it('makes the state single-use and rejects a replayed OAuth code', async () => {
    const browser = stack.browser();
    const login = await browser.get('/api/auth/login');
    const authorize = await fetch(location(login), {
      redirect: 'manual',
      headers: { 'User-Agent': browser.userAgent },
    });
    const callbackPath = new URL(location(authorize));
    const first = await browser.get(callbackPath.pathname + callbackPath.search);
    expect(first.status).toBe(302);
    const tokensIssued = () => stack.emu.state.accessTokens.size;
    const before = tokensIssued();
    // WeChat's client loading the callback twice: same browser, same state and code → the same
    // redirect, without a second code exchange.
    const again = await browser.get(callbackPath.pathname + callbackPath.search);
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(tokensIssued()).toBe(before);
    // The same state from another browser → 400 (state is bound to the session and consumed).
    const replayState = await stack.browser().get(callbackPath.pathname + callbackPath.search);
    expect(replayState.status).toBe(400);
    // Same state with another code in the signed-in browser → 400 as well.
    const otherCode = await browser.get(
      `${callbackPath.pathname}?code=forged&state=${callbackPath.searchParams.get('state')}`,
    );
    expect(otherCode.status).toBe(400);

    // Fresh state, old code → WeChat says 40163 → 400, nothing stored.
    const victim = stack.browser();
    const login2 = await victim.get('/api/auth/login');
    const state2 = new URL(login2.headers.get('location')!).searchParams.get('state')!;
    const replayCode = await victim.fetch(
      `/api/auth/callback?code=${callbackPath.searchParams.get('code')}&state=${state2}`,
      { headers: { Accept: 'application/json' } },
    );
    expect(replayCode.status).toBe(400);
    const body = ApiErrorSchema.parse(await replayCode.json());
    expect(body.error.message).toMatch(/expired or was already used/);
    expect(body.error.requestId).toBeTruthy();
    expect(MeSchema.parse(await (await victim.get('/api/me')).json())).toEqual({ signedIn: false });
  });

  it('exchanges the code once when the callback is loaded twice at once, and leaves the browser signed in', async () => {
    const browser = stack.browser();
    const login = await browser.get('/api/auth/login?returnTo=/orders');
    const preLoginSid = browser.cookies.get('wxshop.sid');
    const authorize = await fetch(location(login), {
      redirect: 'manual',
      headers: { 'User-Agent': browser.userAgent },
    });
    const callback = new URL(location(authorize));
    const exchanges = vi.spyOn(stack.bff.services.oauth, 'exchangeCode');
    // WeChat holds the first exchange it receives, so both copies are surely in flight together
    // (long enough for a busy machine to send the second).
    await stack.control('faults', { target: 'oauth_token', kind: 'delay', delayMs: 2_000 });
    let exchangeCount;
    try {
      const answers = await Promise.all([0, 1].map(() => browser.get(callback.pathname + callback.search)));
      exchangeCount = exchanges.mock.calls.length;
      for (const answer of answers) {
        expect(answer.status).toBe(302);
        expect(answer.headers.get('location')).toBe('/orders');
      }
    } finally {
      exchanges.mockRestore();
      await stack.control('faults', undefined, 'DELETE');
    }
    expect(exchangeCount).toBe(1);
    // Whichever answer the jar applied last, its cookie is a signed-in session...
    expect(MeSchema.parse(await (await browser.get('/api/me')).json()).signedIn).toBe(true);
    expect(browser.cookies.get('wxshop.sid')).not.toBe(preLoginSid);
    // ...and the retired pre-login session was not saved back by the losing copy.
    const stale = await stack.database.db
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', preLoginSid!)
      .executeTakeFirst();
    expect(stale).toBeUndefined();
  });

  it('treats a callback without code as a declined consent', async () => {
    const browser = stack.browser();
    const login = await browser.get('/api/auth/login?returnTo=/cart&scope=snsapi_userinfo');
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    expect(new URL(login.headers.get('location')!).searchParams.get('scope')).toBe('snsapi_userinfo');
    const res = await browser.get(`/api/auth/callback?state=${state}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/cart?login=declined');
    expect(MeSchema.parse(await (await browser.get('/api/me')).json())).toEqual({ signedIn: false });
  });

  it('fetches nickname and avatar with snsapi_userinfo after consent', async () => {
    const browser = stack.browser();
    // The helper fails unless authorize shows the consent page and Allow redirects (302).
    const callback = await browser.get(await consentedCallback(stack, browser, 'tricky', '/me'));
    expect(callback.headers.get('location')).toBe('/me');
    const me = MeSchema.parse(await (await browser.get('/api/me')).json());
    expect(me).toMatchObject({ signedIn: true, nickname: '<b>Tom & "Jerry"</b>' });
    expect(me.signedIn && me.avatarUrl).toMatch(/^http/);
  });

  it("keeps signed-in shoppers' orders apart", async () => {
    const alice = stack.browser();
    await signIn(stack, alice);
    const order = await createOrder(alice, [{ productId: 'mug', quantity: 1 }]);
    await stack.control('oauth/current-user', { userId: 'wangwu' });
    const bob = stack.browser();
    await signIn(stack, bob);
    await stack.control('oauth/current-user', { userId: 'zhangsan' });
    const aliceMe = MeSchema.parse(await (await alice.get('/api/me')).json());
    const bobMe = MeSchema.parse(await (await bob.get('/api/me')).json());
    expect(aliceMe.signedIn && bobMe.signedIn && aliceMe.openid !== bobMe.openid).toBe(true);
    expect((await bob.get(`/api/orders/${order.outTradeNo}`)).status).toBe(404);
    expect((await alice.get(`/api/orders/${order.outTradeNo}`)).status).toBe(200);
    // Alice on a second device (same WeChat user, new session) sees it too.
    const aliceTablet = stack.browser();
    await signIn(stack, aliceTablet);
    expect((await aliceTablet.get(`/api/orders/${order.outTradeNo}`)).status).toBe(200);
  });

  it("does not show the previous user's orders to another WeChat user signing in on the same browser", async () => {
    const shared = stack.browser();
    await signIn(stack, shared);
    const first = await createOrder(shared, [{ productId: 'sticker', quantity: 1 }]);
    await stack.control('oauth/current-user', { userId: 'wangwu' });
    try {
      await signIn(stack, shared);
      expect((await shared.get(`/api/orders/${first.outTradeNo}`)).status).toBe(404);
      expect(OrderListSchema.parse(await (await shared.get('/api/orders')).json()).orders).toEqual([]);
      expect((await shared.post(`/api/orders/${first.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(404);
    } finally {
      await stack.control('oauth/current-user', { userId: 'zhangsan' });
    }
    // The first user, signing in anywhere, still has it.
    const again = stack.browser();
    await signIn(stack, again);
    expect((await again.get(`/api/orders/${first.outTradeNo}`)).status).toBe(200);
  });

  it.each([
    '//evil.com',
    'https://evil.com',
    '/\\evil.com',
    '/%5Cevil.com',
    '%2F%2Fevil.com',
    '/..//evil.com',
    '/%252e%252e//evil.com',
  ])('never redirects off-site (returnTo=%s)', async (returnTo) => {
    const browser = stack.browser();
    const final = await signIn(stack, browser, decodeURIComponent(returnTo));
    expect(final).toBe('/');
  });

  it('sends the shopper back with login=failed without storing anything when the token endpoint fails', async () => {
    const browser = stack.browser();
    const login = await browser.get('/api/auth/login');
    const authorize = await fetch(location(login), {
      redirect: 'manual',
      headers: { 'User-Agent': browser.userAgent },
    });
    await stack.control('faults', { target: 'oauth_token', kind: 'http500', count: 5 });
    const shoppersBefore = await stack.database.db.selectFrom('shoppers').select('openid').execute();
    try {
      // A navigation from WeChat: the storefront shows the failure and offers a fresh sign-in.
      const res = await browser.fetch(location(authorize), { headers: { Accept: 'application/json' } });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/?login=failed');
    } finally {
      await stack.control('faults', undefined, 'DELETE');
    }
    expect(MeSchema.parse(await (await browser.get('/api/me')).json())).toEqual({ signedIn: false });
    expect(await stack.database.db.selectFrom('shoppers').select('openid').execute()).toEqual(shoppersBefore);
  });

  it('rejects an unknown scope', async () => {
    const res = await stack.browser().get('/api/auth/login?scope=snsapi_login');
    expect(res.status).toBe(400);
  });

  it('logs out by destroying the session', async () => {
    const browser = stack.browser();
    await signIn(stack, browser);
    const sid = browser.cookies.get('wxshop.sid');
    const out = await browser.post('/api/auth/logout');
    expect(out.status).toBe(204);
    expect(MeSchema.parse(await (await browser.get('/api/me')).json())).toEqual({ signedIn: false });
    const row = await stack.database.db.selectFrom('sessions').select('id').where('id', '=', sid!).executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('serves health, readiness and request ids', async () => {
    const health = await fetch(`${stack.bff.url}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${stack.bff.url}/readyz`)).status).toBe(200);
    const echoed = await fetch(`${stack.bff.url}/api/me`, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const generated = await fetch(`${stack.bff.url}/api/nope`);
    expect(generated.status).toBe(404);
    const body = ApiErrorSchema.parse(await generated.json());
    expect(body.error.requestId).toBe(generated.headers.get('x-request-id'));
  });
});

describe('session cookies in production', () => {
  // Real-looking secrets (production refuses the test merchant's); sign-in start needs no WeChat call.
  const { stack } = useStack({ name: 'pglite' }, PRODUCTION_ON_TEST_STACK);

  it('sets signed, httpOnly, SameSite=Lax, Secure cookies even when the proxy sends no X-Forwarded-Proto', async () => {
    const browser = stack.browser();
    const login = await browser.get('/api/auth/login?returnTo=/cart');
    expect(login.status).toBe(302);
    expect(new URL(login.headers.get('location')!).searchParams.get('redirect_uri')).toBe(
      'https://shop.example.com/api/auth/callback',
    );
    const cookies = login.headers.getSetCookie();
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['wxshop.sid', 'wxshop.sid.sig']);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/; secure/i);
      expect(cookie).toMatch(/; httponly/i);
      expect(cookie).toMatch(/; samesite=lax/i);
    }
    // The session round-trips: the pending state stored at login is found again.
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const declined = await browser.get(`/api/auth/callback?state=${state}`);
    expect(declined.status).toBe(302);
    expect(declined.headers.get('location')).toBe('/cart?login=declined');
  });

  it('ignores a session cookie whose signature does not match', async () => {
    const browser = stack.browser();
    const login = await browser.get('/api/auth/login');
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    browser.cookies.set('wxshop.sid.sig', 'forged-signature');
    expect(
      (await browser.fetch(`/api/auth/callback?state=${state}`, { headers: { Accept: 'application/json' } })).status,
    ).toBe(400);
  });
});

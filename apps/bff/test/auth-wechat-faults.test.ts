/**
 * Sign-in when WeChat's OAuth endpoints fail, injected in the emulator over real HTTP:
 * after a spent code the shopper must not lose the sign-in, and a failed exchange must
 * lead back to the shop with a retry, never to a 500.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeSchema } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import { location } from './helpers/browser';
import { MERCHANT, consentedCallback, startStack, useStack, type Stack } from './helpers/stack';

/** Every OAuth token the emulator has handed out so far (none may surface anywhere but the BFF's memory). */
function issuedTokens(stack: Stack): string[] {
  const { accessTokens, refreshTokens } = stack.emu.state;
  return [...accessTokens.keys(), ...refreshTokens.keys()];
}

function expectNoSecret(stack: Stack, text: string): void {
  for (const secret of [MERCHANT.appSecret, MERCHANT.apiKey, ...issuedTokens(stack)])
    expect(text).not.toContain(secret);
}

describe.each(backends)('sign-in when WeChat OAuth fails ($name)', (backend) => {
  const { stack } = useStack(backend, {}, { captureLogs: true });

  // timeout: the emulator holds the request briefly, then resets it (the BFF sees a transport failure).
  const USERINFO_FAULTS = [
    { kind: 'http500' },
    { kind: 'timeout', delayMs: 50 },
    { kind: 'systemerror' },
    { kind: 'malformed' },
  ] as const;

  it.each(USERINFO_FAULTS)(
    '/sns/userinfo $kind after the code exchange: signed in with the openid, no profile, a warning',
    async (fault) => {
      await stack.control('faults', undefined, 'DELETE');
      const browser = stack.browser();
      // xiaoli signs in nowhere else here, so no earlier profile can stand in for the missing one.
      const callbackUrl = await consentedCallback(stack, browser, 'xiaoli', '/cart');
      const logsBefore = stack.logs().length;
      expect((await stack.control('faults', { target: 'oauth_userinfo', ...fault })).status).toBe(201);

      const callback = await browser.get(callbackUrl);
      const body = await callback.text();
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe('/cart');
      expect(stack.emu.state.faults).toHaveLength(0); // the BFF really did call /sns/userinfo

      const meRes = await browser.get('/api/me');
      const meText = await meRes.text();
      const me = MeSchema.parse(JSON.parse(meText));
      expect(me).toMatchObject({ signedIn: true, nickname: null, avatarUrl: null });
      expect(me.signedIn && me.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);

      const logs = stack.logs().slice(logsBefore);
      const warning = logs
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .find((entry) => entry.level === 40 && /userinfo/.test(entry.msg));
      expect(warning).toBeDefined();
      expectNoSecret(stack, logs);
      expectNoSecret(stack, body + meText + JSON.stringify([...callback.headers]));
    },
  );

  it('a later successful snsapi_userinfo sign-in fills in the profile', async () => {
    await stack.control('faults', undefined, 'DELETE');
    const browser = stack.browser();
    await stack.control('faults', { target: 'oauth_userinfo', kind: 'systemerror' });
    expect((await browser.get(await consentedCallback(stack, browser, 'wangwu', '/me'))).status).toBe(302);
    expect(MeSchema.parse(await (await browser.get('/api/me')).json())).toMatchObject({
      signedIn: true,
      nickname: null,
    });
    expect((await browser.get(await consentedCallback(stack, browser, 'wangwu', '/me'))).status).toBe(302);
    const me = MeSchema.parse(await (await browser.get('/api/me')).json());
    expect(me).toMatchObject({ signedIn: true, nickname: 'Wang Wu' });
    expect(me.signedIn && me.avatarUrl).toMatch(/^http/);
  });

  const EXCHANGE_FAULTS = [
    { kind: 'systemerror' },
    { kind: 'timeout', delayMs: 50 },
    { kind: 'http500' },
    { kind: 'malformed' },
  ] as const;

  it.each(EXCHANGE_FAULTS)(
    'code exchange $kind: back to the shop with login=failed, signed out, and a fresh sign-in works',
    async (fault) => {
      await stack.control('faults', undefined, 'DELETE');
      const browser = stack.browser();
      const login = await browser.get('/api/auth/login?returnTo=/cart%3Fstep%3D2');
      const authorize = await fetch(location(login), {
        redirect: 'manual',
        headers: { 'User-Agent': browser.userAgent },
      });
      const logsBefore = stack.logs().length;
      expect((await stack.control('faults', { target: 'oauth_token', ...fault })).status).toBe(201);

      const callback = await browser.get(location(authorize));
      const body = await callback.text();
      expect(callback.status).toBe(302);
      // The storefront reads the flag: a notice in Chinese and a 重新登录 button (a new login, so a new state).
      expect(callback.headers.get('location')).toBe('/cart?step=2&login=failed');
      expect(stack.emu.state.faults).toHaveLength(0);
      expect(MeSchema.parse(await (await browser.get('/api/me')).json())).toEqual({ signedIn: false });
      expectNoSecret(stack, stack.logs().slice(logsBefore) + body);

      // The consumed state cannot be replayed; a fresh login goes through.
      expect((await browser.get(location(authorize))).status).toBe(400);
      const retry = await browser.get('/api/auth/login?returnTo=/cart%3Fstep%3D2');
      expect(new URL(location(retry)).searchParams.get('state')).not.toBe(
        new URL(location(login)).searchParams.get('state'),
      );
      const again = await fetch(location(retry), { redirect: 'manual', headers: { 'User-Agent': browser.userAgent } });
      const done = await browser.get(location(again));
      expect(done.headers.get('location')).toBe('/cart?step=2');
      expect(MeSchema.parse(await (await browser.get('/api/me')).json()).signedIn).toBe(true);
    },
  );
});

/**
 * A stand-in for api.weixin.qq.com that forwards to the emulator but answers /sns/userinfo with
 * another user's openid, as a confused or tampered upstream would.
 */
async function userinfoAboutSomeoneElse(): Promise<{
  url: string;
  target: { url: string };
  close: () => Promise<void>;
}> {
  const target = { url: '' };
  const server = createServer((req, res) => {
    void (async () => {
      const upstream = await fetch(`${target.url}${req.url}`);
      let text = await upstream.text();
      if (req.url?.startsWith('/sns/userinfo'))
        text = JSON.stringify({ ...JSON.parse(text), openid: 'oSomeoneElse000000000000000x' });
      res.writeHead(upstream.status, { 'Content-Type': 'application/json' }).end(text);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, target, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('sign-in when /sns/userinfo answers about another openid', () => {
  let stack: Stack;
  let proxy: Awaited<ReturnType<typeof userinfoAboutSomeoneElse>>;
  beforeAll(async () => {
    proxy = await userinfoAboutSomeoneElse();
    stack = await startStack(backends[0]!, { WECHAT_API_BASE_URL: proxy.url }, { captureLogs: true });
    proxy.target.url = stack.emuUrl;
  });
  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
  });

  it('signs the shopper in by the token openid and does not take that profile', async () => {
    const browser = stack.browser();
    const callback = await browser.get(await consentedCallback(stack, browser, 'xiaoli', '/'));
    expect(callback.status).toBe(302);
    const me = MeSchema.parse(await (await browser.get('/api/me')).json());
    expect(me).toMatchObject({ signedIn: true, nickname: null, avatarUrl: null });
    expect(me.signedIn && me.openid).not.toBe('oSomeoneElse000000000000000x');
    expect(stack.logs()).toMatch(/userinfo is about another openid/);
  });
});

describe('the sign-in failure page', () => {
  const { stack } = useStack(backends[0]!);

  it('tells the shopper in Chinese what happened and offers a fresh sign-in', async () => {
    const browser = stack.browser();
    const page = await browser.fetch(`/api/auth/callback?code=abc&state=${'A'.repeat(32)}`, {
      headers: { Accept: 'text/html' },
    });
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('登录链接已失效');
    expect(html).toContain('<a href="/api/auth/login?returnTo=%2F">重新登录</a>');
    // Nothing in English for the shopper: the developer's message is in the log; the request id ties them together.
    expect(html).not.toMatch(/Sign-in|session|Please/);
    expect(html).toContain(`请求编号：${page.headers.get('x-request-id')}`);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index';
import { openidFor, unionidFor } from '../src/index';
import { json, M, startEmulator } from './helpers/emulator';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.stop();
});

const REDIRECT = 'http://localhost:5173/auth/callback?from=cart';

function authorizeUrl(params: Record<string, string>): string {
  const q = new URLSearchParams({
    appid: M.appId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'snsapi_base',
    state: 'xyz123',
    ...params,
  });
  return `${emu.httpUrl}/connect/oauth2/authorize?${q}#wechat_redirect`;
}

async function authorize(params: Record<string, string> = {}) {
  return fetch(authorizeUrl(params), { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
}

async function baseCode(): Promise<string> {
  const res = await authorize();
  return new URL(res.headers.get('location')!).searchParams.get('code')!;
}

async function sns(path: string, params: Record<string, string>) {
  const res = await fetch(`${emu.httpUrl}${path}?${new URLSearchParams(params)}`, {
    signal: AbortSignal.timeout(30_000),
  });
  return {
    contentType: res.headers.get('content-type'),
    status: res.status,
    body: JSON.parse(await res.text()) as Record<string, unknown>,
  };
}

const exchange = (code: string, extra: Record<string, string> = {}) =>
  sns('/sns/oauth2/access_token', {
    appid: M.appId,
    secret: M.appSecret,
    code,
    grant_type: 'authorization_code',
    ...extra,
  });

describe('authorize', () => {
  it('snsapi_base redirects silently with code and state, keeping the callback query', async () => {
    const res = await authorize();
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${REDIRECT}&code=`)).toBe(true);
    const url = new URL(location);
    expect(url.searchParams.get('from')).toBe('cart');
    expect(url.searchParams.get('state')).toBe('xyz123');
    expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('rejects unknown appid, foreign redirect domain, bad scope, bad state and bad response_type with an error page', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ appid: 'wx0000000000000000' }, '40013'],
      [{ redirect_uri: 'https://evil.example.com/cb' }, '10003'],
      [{ scope: 'snsapi_login' }, '10005'],
      [{ state: 'has space' }, 'state'],
      [{ state: 'a'.repeat(129) }, 'state'],
      [{ response_type: 'token' }, 'response_type'],
    ];
    for (const [params, code] of cases) {
      const res = await authorize(params);
      expect(res.status, JSON.stringify(params)).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain(`data-errcode="${code}"`);
    }
  });

  it('snsapi_userinfo shows a Chinese consent page; 允许 issues a code for the picked user, 拒绝 returns state only', async () => {
    const page = await authorize({ scope: 'snsapi_userinfo' });
    const html = await page.text();
    expect(html).toContain('允许');
    expect(html).toContain('拒绝');
    expect(html).toContain('小李🐼');
    // The tricky nickname must be escaped on the page.
    expect(html).toContain('&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;');
    const requestId = /name="request" value="([^"]+)"/.exec(html)![1]!;

    const post = (form: Record<string, string>) =>
      fetch(`${emu.httpUrl}/__emulator/oauth/consent`, {
        method: 'POST',
        body: new URLSearchParams(form),
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
    const allow = await post({ request: requestId, userId: 'xiaoli', decision: 'allow' });
    expect(allow.status).toBe(302);
    const code = new URL(allow.headers.get('location')!).searchParams.get('code')!;
    const token = await exchange(code);
    expect(token.body.openid).toBe(openidFor(M.appId, 'xiaoli'));
    expect(token.body.scope).toBe('snsapi_userinfo');
    expect(token.body.unionid).toBe(unionidFor('xiaoli'));

    const again = await post({ request: requestId, userId: 'xiaoli', decision: 'allow' });
    expect(again.status).toBe(400); // consent requests are single use

    const second = /name="request" value="([^"]+)"/.exec(
      await (await authorize({ scope: 'snsapi_userinfo' })).text(),
    )![1]!;
    const deny = await post({ request: second, decision: 'deny' });
    const denied = new URL(deny.headers.get('location')!);
    expect(denied.searchParams.get('code')).toBeNull();
    expect(denied.searchParams.get('state')).toBe('xyz123');
  });

  it('current-user control selects who silently authorises', async () => {
    expect((await json(emu, '/__emulator/oauth/current-user', { body: { userId: 'wangwu' } })).status).toBe(200);
    expect((await json(emu, '/__emulator/oauth/current-user', { body: { userId: 'nobody' } })).status).toBe(400);
    const token = await exchange(await baseCode());
    expect(token.body.openid).toBe(openidFor(M.appId, 'wangwu'));
    expect(token.body.unionid).toBeUndefined();
  });
});

describe('code exchange', () => {
  it('issues a token once; reuse → 40163, with text/plain and a rid suffix', async () => {
    const code = await baseCode();
    const first = await exchange(code);
    expect(first.body).toMatchObject({
      expires_in: 7200,
      openid: openidFor(M.appId, 'zhangsan'),
      scope: 'snsapi_base',
    });
    expect(first.body.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    const second = await exchange(code);
    expect(second.status).toBe(200);
    expect(second.contentType).toContain('text/plain');
    expect(second.body.errcode).toBe(40163);
    expect(second.body.errmsg).toMatch(/, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  });

  it('wrong secret → 40125, missing secret → 41004, bad grant_type → 40002, unknown → 40029, missing → 41008, bad appid → 40013', async () => {
    const code = await baseCode();
    expect((await exchange(code, { secret: 'wrong' })).body.errcode).toBe(40125);
    expect((await exchange(code, { secret: '' })).body.errcode).toBe(41004);
    expect((await exchange(code, { appid: 'wx0000000000000000' })).body.errcode).toBe(40013);
    expect((await exchange(code, { grant_type: 'client_credential' })).body.errcode).toBe(40002);
    expect((await exchange('notARealCode')).body.errcode).toBe(40029);
    expect(
      (await sns('/sns/oauth2/access_token', { appid: M.appId, secret: M.appSecret, grant_type: 'authorization_code' }))
        .body.errcode,
    ).toBe(41008);
    // The failed attempts did not consume the code.
    expect((await exchange(code)).body.access_token).toBeTypeOf('string');
  });

  it('expired code → 42003', async () => {
    await emu.stop();
    emu = await startEmulator({ codeTtlMs: 30 });
    const code = await baseCode();
    await new Promise((r) => setTimeout(r, 60));
    expect((await exchange(code)).body.errcode).toBe(42003);
  });
});

describe('tokens', () => {
  async function userinfoToken(): Promise<Record<string, unknown>> {
    const html = await (await authorize({ scope: 'snsapi_userinfo' })).text();
    const requestId = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const res = await fetch(`${emu.httpUrl}/__emulator/oauth/consent`, {
      method: 'POST',
      body: new URLSearchParams({ request: requestId, userId: 'tricky', decision: 'allow' }),
      redirect: 'manual',
    });
    return (await exchange(new URL(res.headers.get('location')!).searchParams.get('code')!)).body;
  }

  it('userinfo returns the profile with sex 0 and empty region; base token → 48001', async () => {
    const t = await userinfoToken();
    const info = await sns('/sns/userinfo', {
      access_token: String(t.access_token),
      openid: String(t.openid),
      lang: 'zh_CN',
    });
    expect(info.body).toMatchObject({
      openid: t.openid,
      nickname: '<b>Tom & "Jerry"</b>',
      sex: 0,
      province: '',
      city: '',
      country: '',
      privilege: [],
      unionid: unionidFor('tricky'),
    });
    const avatar = await fetch(String(info.body.headimgurl));
    expect(avatar.headers.get('content-type')).toContain('image/svg+xml');
    expect(await avatar.text()).not.toContain('<b>');

    const base = (await exchange(await baseCode())).body;
    expect(
      (await sns('/sns/userinfo', { access_token: String(base.access_token), openid: String(base.openid) })).body
        .errcode,
    ).toBe(48001);
    expect((await sns('/sns/userinfo', { access_token: 'nope', openid: String(base.openid) })).body.errcode).toBe(
      40014,
    );
  });

  it('auth: ok / 40003 / 42001; refresh works, invalid refresh → 40030', async () => {
    const t = (await exchange(await baseCode())).body;
    expect((await sns('/sns/auth', { access_token: String(t.access_token), openid: String(t.openid) })).body).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect(
      (await sns('/sns/auth', { access_token: String(t.access_token), openid: 'oSomeoneElse' })).body.errcode,
    ).toBe(40003);
    // The token's lifetime ends (its clock, not a sleep that a busy machine could stretch past a short TTL).
    emu.state.accessTokens.get(String(t.access_token))!.expiresAt = Date.now() - 1;
    expect(
      (await sns('/sns/auth', { access_token: String(t.access_token), openid: String(t.openid) })).body.errcode,
    ).toBe(42001);

    const refreshed = await sns('/sns/oauth2/refresh_token', {
      appid: M.appId,
      grant_type: 'refresh_token',
      refresh_token: String(t.refresh_token),
    });
    expect(refreshed.body.access_token).not.toBe(t.access_token);
    expect(refreshed.body.openid).toBe(t.openid);
    expect(
      (await sns('/sns/oauth2/refresh_token', { appid: M.appId, grant_type: 'refresh_token', refresh_token: 'bogus' }))
        .body.errcode,
    ).toBe(40030);
  });

  it('answers successes as text/plain JSON too, as WeChat does (§1.9), on all four /sns endpoints', async () => {
    const t = await userinfoToken();
    const answers = [
      await exchange(await baseCode()),
      await sns('/sns/userinfo', { access_token: String(t.access_token), openid: String(t.openid) }),
      await sns('/sns/auth', { access_token: String(t.access_token), openid: String(t.openid) }),
      await sns('/sns/oauth2/refresh_token', {
        appid: M.appId,
        grant_type: 'refresh_token',
        refresh_token: String(t.refresh_token),
      }),
    ];
    for (const answer of answers) {
      expect(answer.body.errcode ?? 0).toBe(0);
      expect(answer.contentType).toMatch(/^text\/plain\b/);
    }
  });

  it('refresh_token: 30 days from the code exchange, not extended by refreshing; afterwards 42002; wrong grant_type → 40002', async () => {
    const exchangedAt = Date.now();
    const t = (await exchange(await baseCode())).body;
    const refresh = { appid: M.appId, grant_type: 'refresh_token', refresh_token: String(t.refresh_token) };
    expect(
      (await sns('/sns/oauth2/refresh_token', { ...refresh, grant_type: 'authorization_code' })).body.errcode,
    ).toBe(40002);
    expect((await sns('/sns/oauth2/refresh_token', refresh)).body.refresh_token).toBe(t.refresh_token);

    const issued = emu.state.refreshTokens.get(String(t.refresh_token))!;
    const thirtyDays = 30 * 24 * 3600_000;
    expect(issued.expiresAt).toBeGreaterThanOrEqual(exchangedAt + thirtyDays);
    expect(issued.expiresAt).toBeLessThanOrEqual(Date.now() + thirtyDays);
    // Jump to just past the deadline (the token's clock, not the wall clock).
    issued.expiresAt = Date.now() - 1;
    expect((await sns('/sns/oauth2/refresh_token', refresh)).body.errcode).toBe(42002);
  });
});

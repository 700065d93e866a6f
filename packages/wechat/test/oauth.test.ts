/** OAuth: authorize URL (pure) and the /sns/* client against an in-test server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OAuthClient,
  WechatOAuthError,
  WechatTransportError,
  buildAuthorizeUrl,
  oauthErrorKind,
  parseLenientJson,
} from '../src/index';
import { startServer, type TestServer } from './helpers/http-server';

const APP_ID = 'wx2421b1c4370ec43b';
const SECRET = 'S3cr3tAppSecretValue0123456789ab';

describe('buildAuthorizeUrl', () => {
  it('builds the exact URL with every parameter before #wechat_redirect', () => {
    expect(
      buildAuthorizeUrl({
        openBaseUrl: 'https://open.weixin.qq.com/',
        appId: APP_ID,
        redirectUri: 'https://shop.example.com/auth/callback?next=/cart&x=1',
        scope: 'snsapi_userinfo',
        state: 'abcXYZ123',
        forcePopup: true,
      }),
    ).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx2421b1c4370ec43b' +
        '&redirect_uri=https%3A%2F%2Fshop.example.com%2Fauth%2Fcallback%3Fnext%3D%2Fcart%26x%3D1' +
        '&response_type=code&scope=snsapi_userinfo&state=abcXYZ123&forcePopup=true#wechat_redirect',
    );
  });

  it('omits forcePopup by default', () => {
    const url = buildAuthorizeUrl({
      openBaseUrl: 'http://127.0.0.1:4000',
      appId: APP_ID,
      redirectUri: 'http://127.0.0.1:3000/cb',
      scope: 'snsapi_base',
      state: 's',
    });
    expect(url).toBe(
      'http://127.0.0.1:4000/connect/oauth2/authorize?appid=wx2421b1c4370ec43b&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcb&response_type=code&scope=snsapi_base&state=s#wechat_redirect',
    );
    expect(url.indexOf('#')).toBe(url.length - '#wechat_redirect'.length);
  });

  it('validates state', () => {
    const input = {
      openBaseUrl: 'https://open.weixin.qq.com',
      appId: APP_ID,
      redirectUri: 'https://a.example/cb',
      scope: 'snsapi_base' as const,
    };
    for (const state of ['', 'a-b', 'a b', 'ä', 'a&b=c', '#x', 'a'.repeat(129)]) {
      expect(() => buildAuthorizeUrl({ ...input, state })).toThrow(/state/);
    }
    expect(() => buildAuthorizeUrl({ ...input, state: 'a'.repeat(128) })).not.toThrow();
  });

  it('refuses relative redirect URIs, fragments and unknown scopes', () => {
    const input = {
      openBaseUrl: 'https://open.weixin.qq.com',
      appId: APP_ID,
      scope: 'snsapi_base' as const,
      state: 'x',
    };
    expect(() => buildAuthorizeUrl({ ...input, redirectUri: '/cb' })).toThrow();
    expect(() => buildAuthorizeUrl({ ...input, redirectUri: 'https://a.example/cb#frag' })).toThrow();
    expect(() => buildAuthorizeUrl({ ...input, redirectUri: 'javascript:alert(1)' })).toThrow();
    expect(() =>
      buildAuthorizeUrl({ ...input, redirectUri: 'https://a.example/cb', scope: 'snsapi_login' as 'snsapi_base' }),
    ).toThrow();
  });

  it('OAuthClient.authorizeUrl uses its configured app and base', () => {
    const client = new OAuthClient({
      appId: APP_ID,
      appSecret: SECRET,
      openBaseUrl: 'https://open.example',
      apiBaseUrl: 'https://api.example',
    });
    expect(client.authorizeUrl({ redirectUri: 'https://a.example/cb', scope: 'snsapi_base', state: 'st' })).toBe(
      'https://open.example/connect/oauth2/authorize?appid=wx2421b1c4370ec43b&redirect_uri=https%3A%2F%2Fa.example%2Fcb&response_type=code&scope=snsapi_base&state=st#wechat_redirect',
    );
  });
});

describe('OAuthClient against a fake api.weixin.qq.com', () => {
  let server: TestServer;
  const seen: URL[] = [];
  // code → reply; WeChat answers errors with HTTP 200 and text/plain.
  const codeReplies: Record<string, unknown> = {
    good: {
      access_token: 'AT1',
      expires_in: 7200,
      refresh_token: 'RT1',
      openid: 'oOPENID',
      scope: 'snsapi_userinfo',
      unionid: 'uUNION',
    },
    snap: {
      access_token: 'AT2',
      expires_in: 7200,
      refresh_token: 'RT2',
      openid: 'oSNAP',
      scope: 'snsapi_userinfo',
      is_snapshotuser: 1,
    },
    used: { errcode: 40163, errmsg: 'code been used, rid: 61efc4e4-07292fc4-012afe4b' },
    bad: { errcode: 40029, errmsg: 'invalid code, hints: [ req_id: AwanVA0259s113 ]' },
    expired: { errcode: 42003, errmsg: 'code expired' },
  };

  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(url);
      const q = url.searchParams;
      const reply = (body: unknown, contentType = 'text/plain') => {
        res.setHeader('Content-Type', contentType);
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      switch (url.pathname) {
        case '/sns/oauth2/access_token': {
          if (q.get('secret') !== SECRET) return reply({ errcode: 40001, errmsg: 'invalid credential' });
          if (q.get('grant_type') !== 'authorization_code' || q.get('appid') !== APP_ID)
            return reply({ errcode: 40002, errmsg: 'bad' });
          const code = q.get('code') ?? '';
          if (code === 'silent') return; // never answers
          if (code === 'stall') {
            res.writeHead(200, { 'Content-Type': 'text/plain' });
            return void res.write('{"access_token":"AT');
          }
          if (code === 'html') return reply('<html>502 Bad Gateway</html>', 'text/html');
          if (code === 'http500') {
            res.statusCode = 500;
            return reply('oops');
          }
          return reply(codeReplies[code] ?? { errcode: 40029, errmsg: 'invalid code' });
        }
        case '/sns/oauth2/refresh_token':
          if (q.has('secret')) return reply({ errcode: 40125, errmsg: 'secret must not be sent' });
          if (q.get('refresh_token') !== 'RT1') return reply({ errcode: 40030, errmsg: 'invalid refresh_token' });
          return reply(
            {
              access_token: 'AT3',
              expires_in: 7200,
              refresh_token: 'RT1',
              openid: 'oOPENID',
              scope: 'snsapi_userinfo',
            },
            'application/json',
          );
        case '/sns/userinfo':
          if (q.get('access_token') === 'BASE') return reply({ errcode: 48001, errmsg: 'api unauthorized' });
          if (q.get('access_token') === 'EXPIRED') return reply({ errcode: '42001', errmsg: 'access_token expired' });
          // A raw control character inside a nickname, as WeChat has been seen to send.
          return reply(
            `{"openid":"${q.get('openid')}","nickname":"小明\u0001😀","sex":0,"province":"","city":"","country":"","headimgurl":"https://thirdwx.qlogo.cn/x/0","privilege":[],"lang":"${q.get('lang')}"}`,
          );
        case '/sns/auth':
          if (q.get('access_token') === 'AT1' && q.get('openid') === 'oOPENID')
            return reply({ errcode: 0, errmsg: 'ok' });
          if (q.get('access_token') === 'BUSY') return reply({ errcode: -1, errmsg: 'system error' });
          if (q.get('access_token') === 'EXPIRED')
            return reply({ errcode: 42001, errmsg: 'access_token expired, rid: 1-2-3' });
          return reply({ errcode: 40003, errmsg: 'invalid openid' });
      }
      res.statusCode = 404;
      res.end();
    });
  });
  afterAll(() => server.close());

  // A generous deadline: only the tests about timeouts may see one fire, against a server that never answers.
  const client = (timeoutMs = 30_000) =>
    new OAuthClient({
      appId: APP_ID,
      appSecret: SECRET,
      openBaseUrl: 'https://open.example',
      apiBaseUrl: `${server.url}/`,
      timeoutMs,
    });

  async function oauthError(promise: Promise<unknown>): Promise<Error> {
    const err = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toContain(SECRET);
    expect(String((err as Error).stack)).not.toContain(SECRET);
    return err as Error;
  }

  it('exchanges a code (text/plain JSON) with the documented query', async () => {
    const token = await client().exchangeCode('good');
    expect(token).toEqual({
      accessToken: 'AT1',
      expiresIn: 7200,
      refreshToken: 'RT1',
      openid: 'oOPENID',
      scope: 'snsapi_userinfo',
      unionid: 'uUNION',
      isSnapshotUser: false,
    });
    const q = seen.at(-1)!.searchParams;
    expect(Object.fromEntries(q)).toEqual({
      appid: APP_ID,
      secret: SECRET,
      code: 'good',
      grant_type: 'authorization_code',
    });
  });

  it('an empty code is refused as 41008 without a request', async () => {
    const before = seen.length;
    const err = await oauthError(client().exchangeCode(''));
    expect((err as WechatOAuthError).errcode).toBe(41008);
    expect(seen.length).toBe(before);
  });

  it('flags snapshot users', async () => {
    expect((await client().exchangeCode('snap')).isSnapshotUser).toBe(true);
  });

  for (const [code, errcode] of [
    ['used', 40163],
    ['bad', 40029],
    ['expired', 42003],
  ] as const) {
    it(`maps errcode ${errcode} to WechatOAuthError (isBadCode)`, async () => {
      const err = await oauthError(client().exchangeCode(code));
      expect(err).toBeInstanceOf(WechatOAuthError);
      expect((err as WechatOAuthError).errcode).toBe(errcode);
      expect((err as WechatOAuthError).isBadCode).toBe(true);
    });
  }

  it('a wrong secret is a non-bad-code OAuth error whose message hides the secret', async () => {
    const c = new OAuthClient({
      appId: APP_ID,
      appSecret: 'wrong-secret-value',
      openBaseUrl: 'x',
      apiBaseUrl: server.url,
    });
    const err = await c.exchangeCode('good').then(
      () => null,
      (e: unknown) => e as WechatOAuthError,
    );
    expect(err).toBeInstanceOf(WechatOAuthError);
    expect(err?.errcode).toBe(40001);
    expect(err?.isBadCode).toBe(false);
    expect(err?.message).not.toContain('wrong-secret-value');
  });

  // The server never answers, so the deadline alone ends these calls: finishing at all proves it fired.
  it('times out as WechatTransportError without leaking the secret', async () => {
    const err = await oauthError(client(500).exchangeCode('silent'));
    expect(err).toBeInstanceOf(WechatTransportError);
    expect(err.message).toMatch(/timed out after 500 ms/);
  });

  it('a body that stalls after the headers also times out', async () => {
    const err = await oauthError(client(500).exchangeCode('stall'));
    expect(err).toBeInstanceOf(WechatTransportError);
    expect(err.message).toMatch(/timed out/);
  });

  it('maps HTTP 500, non-JSON bodies and refused connections to WechatTransportError', async () => {
    const e500 = await oauthError(client().exchangeCode('http500'));
    expect(e500).toBeInstanceOf(WechatTransportError);
    expect((e500 as WechatTransportError).status).toBe(500);
    expect(await oauthError(client().exchangeCode('html'))).toBeInstanceOf(WechatTransportError);
    const dead = new OAuthClient({
      appId: APP_ID,
      appSecret: SECRET,
      openBaseUrl: 'x',
      apiBaseUrl: 'http://127.0.0.1:1',
      timeoutMs: 30_000,
    });
    expect(await oauthError(dead.exchangeCode('good'))).toBeInstanceOf(WechatTransportError);
  });

  it('refreshes without sending the secret', async () => {
    const token = await client().refreshToken('RT1');
    expect(token.accessToken).toBe('AT3');
    expect(seen.at(-1)!.searchParams.has('secret')).toBe(false);
    const err = await oauthError(client().refreshToken('RTX'));
    expect((err as WechatOAuthError).errcode).toBe(40030);
  });

  it('reads user info, tolerating raw control characters', async () => {
    const info = await client().userInfo('AT1', 'oOPENID');
    expect(info).toEqual({
      openid: 'oOPENID',
      nickname: '小明\u0001😀',
      sex: 0,
      province: '',
      city: '',
      country: '',
      headimgurl: 'https://thirdwx.qlogo.cn/x/0',
      privilege: [],
    });
    expect(seen.at(-1)!.searchParams.get('lang')).toBe('zh_CN');
    await client().userInfo('AT1', 'oOPENID', 'en');
    expect(seen.at(-1)!.searchParams.get('lang')).toBe('en');
    expect(((await oauthError(client().userInfo('BASE', 'o'))) as WechatOAuthError).errcode).toBe(48001);
  });

  it('checkToken: true, false for an invalid pair or an expired token, throws when WeChat is busy', async () => {
    expect(await client().checkToken('AT1', 'oOPENID')).toBe(true);
    expect(await client().checkToken('AT1', 'oOTHER')).toBe(false);
    expect(await client().checkToken('EXPIRED', 'oOPENID')).toBe(false);
    const busy = await oauthError(client().checkToken('BUSY', 'oOPENID'));
    expect(busy).toBeInstanceOf(WechatOAuthError);
    expect((busy as WechatOAuthError).kind).toBe('BUSY');
  });

  it('types the errors a caller must react to differently', async () => {
    const expired = (await oauthError(client().userInfo('EXPIRED', 'oOPENID'))) as WechatOAuthError;
    expect(expired).toMatchObject({ errcode: 42001, kind: 'TOKEN_EXPIRED', isBadCode: false });
    expect(expired.message).toMatch(/access_token expired/);
    const deadRefresh = (await oauthError(client().refreshToken('RTX'))) as WechatOAuthError;
    expect(deadRefresh.kind).toBe('REAUTHORIZE');
    const base = (await oauthError(client().userInfo('BASE', 'o'))) as WechatOAuthError;
    expect(base.kind).toBe('SCOPE');
    const used = (await oauthError(client().exchangeCode('used'))) as WechatOAuthError;
    expect(used.kind).toBe('BAD_CODE');
  });
});

describe('oauthErrorKind', () => {
  it('maps every errcode of the reference table to what the caller should do', () => {
    const expected: Record<number, string> = {
      [-1]: 'BUSY',
      40001: 'INVALID_TOKEN',
      40002: 'CONFIG',
      40003: 'INVALID_TOKEN',
      40013: 'CONFIG',
      40014: 'INVALID_TOKEN',
      40029: 'BAD_CODE',
      40030: 'REAUTHORIZE',
      40125: 'CONFIG',
      40163: 'BAD_CODE',
      40164: 'CONFIG',
      41001: 'INVALID_TOKEN',
      41002: 'CONFIG',
      41004: 'CONFIG',
      41008: 'BAD_CODE',
      41009: 'INVALID_TOKEN',
      42001: 'TOKEN_EXPIRED',
      42002: 'REAUTHORIZE',
      42003: 'BAD_CODE',
      42007: 'REAUTHORIZE',
      48001: 'SCOPE',
      50001: 'SCOPE',
      50002: 'SCOPE',
      45011: 'OTHER',
    };
    for (const [code, kind] of Object.entries(expected))
      expect([code, oauthErrorKind(Number(code))]).toEqual([code, kind]);
    expect(new WechatOAuthError(42007, 'x').message).toMatch(/re-authorize/);
    expect(new WechatOAuthError(99999, 'odd text').message).toBe('WeChat OAuth error 99999: odd text');
  });
});

describe('parseLenientJson', () => {
  it('parses objects only', () => {
    expect(parseLenientJson('{"a":1}')).toEqual({ a: 1 });
    expect(parseLenientJson('[1]')).toBeNull();
    expect(parseLenientJson('null')).toBeNull();
    expect(parseLenientJson('not json')).toBeNull();
    expect(parseLenientJson('{"n":"a\tb"}')).toEqual({ n: 'a\tb' });
  });
});

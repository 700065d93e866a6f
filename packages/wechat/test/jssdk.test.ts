/** JS-SDK: wx.config building and checking (pure), and the stable_token / getticket client against a fake server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JssdkTokenClient,
  WechatApiError,
  WechatError,
  WechatTransportError,
  buildJssdkConfig,
  jssdkSignature,
  signedPageUrl,
  verifyJssdkSignature,
  wechatApiErrorKind,
} from '../src/index';
import { startServer, type TestServer } from './helpers/http-server';

const APP_ID = 'wx2421b1c4370ec43b';
const SECRET = 'S3cr3tAppSecretValue0123456789ab';
const TICKET = 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg';

describe('wx.config signature', () => {
  it('signedPageUrl drops the fragment and keeps the query unencoded', () => {
    expect(signedPageUrl('https://shop.example/p/tea?a=1&b=中#top')).toBe('https://shop.example/p/tea?a=1&b=中');
    expect(signedPageUrl('https://shop.example/')).toBe('https://shop.example/');
  });

  it('buildJssdkConfig signs what it returns, and verify accepts exactly that', () => {
    const url = 'https://shop.example/products/green-tea?from=share';
    const config = buildJssdkConfig({ appId: APP_ID, jsapiTicket: TICKET, url: `${url}#x` });
    expect(config.appId).toBe(APP_ID);
    expect(config.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(Math.abs(config.timestamp - Date.now() / 1000)).toBeLessThan(600);
    const check = {
      jsapiTicket: TICKET,
      nonceStr: config.nonceStr,
      timestampSeconds: config.timestamp,
      signature: config.signature,
    };
    expect(verifyJssdkSignature({ ...check, url })).toBe(true);
    expect(verifyJssdkSignature({ ...check, url: 'https://shop.example/products/mug' })).toBe(false);
    expect(verifyJssdkSignature({ ...check, url, jsapiTicket: `${TICKET}x` })).toBe(false);
    expect(verifyJssdkSignature({ ...check, url, timestampSeconds: config.timestamp + 1 })).toBe(false);
  });

  it('refuses malformed input instead of signing it', () => {
    const base = { jsapiTicket: TICKET, nonceStr: 'abc', timestampSeconds: 1414587457, url: 'https://a.example/' };
    expect(() => jssdkSignature({ ...base, jsapiTicket: '' })).toThrow(/jsapiTicket/);
    expect(() => jssdkSignature({ ...base, nonceStr: 'a&b' })).toThrow(/nonceStr/);
    expect(() => jssdkSignature({ ...base, timestampSeconds: 1.5 })).toThrow(/timestampSeconds/);
    expect(() => jssdkSignature({ ...base, url: '' })).toThrow(/url/);
    expect(verifyJssdkSignature({ ...base, nonceStr: '', signature: 'x' })).toBe(false);
  });
});

describe('wechatApiErrorKind', () => {
  it('40001/42001/40014 mean an invalid token only on a call that sent one', () => {
    for (const code of [40001, 42001, 40014]) expect(wechatApiErrorKind(code, true)).toBe('TOKEN_INVALID');
    expect(wechatApiErrorKind(40001, false)).toBe('CONFIG');
    expect(wechatApiErrorKind(45009, true)).toBe('QUOTA');
    expect(wechatApiErrorKind(40164, false)).toBe('CONFIG');
    expect(wechatApiErrorKind(-1, false)).toBe('BUSY');
    expect(wechatApiErrorKind(12345, true)).toBe('OTHER');
  });
});

describe('JssdkTokenClient against a fake api.weixin.qq.com', () => {
  let server: TestServer;
  const requests: { method: string; url: URL; body: string }[] = [];
  let ticketReply: unknown = { errcode: 0, errmsg: 'ok', ticket: TICKET, expires_in: 7200 };

  beforeAll(async () => {
    server = await startServer((req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push({ method: req.method ?? '', url, body });
      res.setHeader('Content-Type', 'text/plain');
      if (url.pathname === '/cgi-bin/stable_token' && req.method === 'POST') {
        const json = JSON.parse(body) as Record<string, unknown>;
        if (json.secret !== SECRET)
          return void res.end(JSON.stringify({ errcode: 40125, errmsg: 'invalid appsecret' }));
        const token = json.force_refresh === true ? 'TOKEN_FORCED' : 'TOKEN_STABLE';
        return void res.end(JSON.stringify({ access_token: token, expires_in: 7200 }));
      }
      if (url.pathname === '/cgi-bin/ticket/getticket') return void res.end(JSON.stringify(ticketReply));
      res.statusCode = 404;
      res.end('not found');
    });
  });
  afterAll(() => server.close());

  const client = (secret = SECRET) =>
    new JssdkTokenClient({ appId: APP_ID, appSecret: secret, apiBaseUrl: server.url });

  it('POSTs the stable_token JSON body, normal mode unless forced', async () => {
    requests.length = 0;
    expect(await client().fetchAccessToken()).toEqual({ value: 'TOKEN_STABLE', expiresInSeconds: 7200 });
    expect(await client().fetchAccessToken({ forceRefresh: true })).toEqual({
      value: 'TOKEN_FORCED',
      expiresInSeconds: 7200,
    });
    expect(requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { grant_type: 'client_credential', appid: APP_ID, secret: SECRET, force_refresh: false },
      { grant_type: 'client_credential', appid: APP_ID, secret: SECRET, force_refresh: true },
    ]);
  });

  it('a wrong secret → WechatApiError CONFIG, and the message carries no secret', async () => {
    const err = await client('WrongSecretValue0000000000000000')
      .fetchAccessToken()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatApiError);
    expect(err).toMatchObject({ errcode: 40125, kind: 'CONFIG', isTokenInvalid: false, path: '/cgi-bin/stable_token' });
    // One family: a refusal by WeChat, an upstream failure.
    expect(err).toBeInstanceOf(WechatError);
    expect(err).toMatchObject({ outcome: 'refused', source: 'upstream' });
    expect((err as Error).message).not.toContain('WrongSecret');
  });

  it('getticket sends the token and type=jsapi', async () => {
    requests.length = 0;
    expect(await client().fetchJsapiTicket('TOKEN_STABLE')).toEqual({ value: TICKET, expiresInSeconds: 7200 });
    expect(requests[0]!.url.searchParams.get('access_token')).toBe('TOKEN_STABLE');
    expect(requests[0]!.url.searchParams.get('type')).toBe('jsapi');
  });

  it.each([40001, 42001, 40014])(
    'getticket errcode %i → isTokenInvalid, message without the token',
    async (errcode) => {
      ticketReply = { errcode, errmsg: 'invalid credential, access_token is invalid or not latest, rid: 1-2-3' };
      const err = await client()
        .fetchJsapiTicket('SECRET_TOKEN_VALUE')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WechatApiError);
      expect(err).toMatchObject({ errcode, isTokenInvalid: true, path: '/cgi-bin/ticket/getticket' });
      expect((err as Error).message).not.toContain('SECRET_TOKEN_VALUE');
    },
  );

  it('a reply without ticket or expires_in → WechatTransportError', async () => {
    ticketReply = { errcode: 0, errmsg: 'ok', ticket: '' };
    await expect(client().fetchJsapiTicket('TOKEN_STABLE')).rejects.toBeInstanceOf(WechatTransportError);
    ticketReply = '<html>busy</html>';
    await expect(client().fetchJsapiTicket('TOKEN_STABLE')).rejects.toBeInstanceOf(WechatTransportError);
  });

  it('an unreachable server → WechatTransportError naming the path, not the query', async () => {
    const closed = await startServer(() => {});
    await closed.close();
    const c = new JssdkTokenClient({ appId: APP_ID, appSecret: SECRET, apiBaseUrl: closed.url });
    const err = await c.fetchJsapiTicket('SECRET_TOKEN_VALUE').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatTransportError);
    expect((err as Error).message).toMatch(/^GET \/cgi-bin\/ticket\/getticket failed/);
    expect((err as Error).message).not.toContain('SECRET_TOKEN_VALUE');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseXml, verify } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import {
  eventually,
  FAIL_REPLY,
  json,
  M,
  merchantTls,
  orderParams,
  payApi,
  postHttps,
  postXml,
  signed,
  startEmulator,
  startReceiver,
  SUCCESS_REPLY,
} from './helpers/emulator';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.stop();
});

const fault = (body: Record<string, unknown>) => json(emu, '/__emulator/faults', { body });

describe('fault injection', () => {
  it('validates fault requests', async () => {
    expect((await fault({ target: 'nope', kind: 'delay' })).status).toBe(400);
    expect((await fault({ target: 'orderquery', kind: 'explode' })).status).toBe(400);
    expect((await fault({ target: 'notify', kind: 'http500' })).status).toBe(400);
    expect((await fault({ target: 'oauth_token', kind: 'badsign' })).status).toBe(400);
    expect((await fault({ target: 'orderquery', kind: 'delay', count: 0 })).status).toBe(400);
    expect((await fault({ target: 'refund', kind: 'bizerror' })).status).toBe(400);
    expect((await fault({ target: 'refund', kind: 'bizerror', errCode: 'not enough' })).status).toBe(400);
    expect((await fault({ target: 'notify', kind: 'bizerror', errCode: 'NOTENOUGH' })).status).toBe(400);
    expect((await fault({ target: 'oauth_token', kind: 'bizerror', errCode: 'NOTENOUGH' })).status).toBe(400);
    expect((await fault({ target: 'refund', kind: 'delay', errCode: 'NOTENOUGH' })).status).toBe(400);
    expect((await json(emu, '/__emulator/state')).body.faults).toHaveLength(0);
  });

  it('bizerror: a signed business FAIL with the chosen err_code (e.g. NOTENOUGH on refund), nothing processed, then normal again', async () => {
    const params = orderParams();
    await emu.pay((await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id!);
    const refund = signed({ out_trade_no: params.out_trade_no, out_refund_no: 'RF1', total_fee: 101, refund_fee: 101 });
    const withCert = merchantTls(emu);

    expect((await fault({ target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH' })).status).toBe(201);
    const refused = await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refund, withCert);
    expect(refused.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'NOTENOUGH',
      err_code_des: '基本账户余额不足，请充值后重新发起',
    });
    expect(verify(refused.fields, M.apiKey, 'MD5')).toBe(true);
    expect(emu.state.refunds.size).toBe(0);
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no })).fields.trade_state).toBe(
      'SUCCESS',
    );

    // The same out_refund_no goes through once the merchant has money again.
    expect((await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refund, withCert)).fields.result_code).toBe('SUCCESS');

    await fault({ target: 'orderquery', kind: 'bizerror', errCode: 'FREQUENCY_LIMITED', errCodeDes: '自定义说明' });
    const limited = await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no });
    expect(limited.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'FREQUENCY_LIMITED',
      err_code_des: '自定义说明',
    });
  });

  it('DELETE /__emulator/faults/:id clears that fault only; an unknown id → 404', async () => {
    const first = (await fault({ target: 'orderquery', kind: 'http500' })).body;
    const second = (await fault({ target: 'refund', kind: 'systemerror' })).body;
    expect((await json(emu, `/__emulator/faults/${String(first.id)}`, { method: 'DELETE' })).status).toBe(204);
    expect(emu.state.faults.map((f) => f.id)).toEqual([second.id]);
    const again = await json(emu, `/__emulator/faults/${String(first.id)}`, { method: 'DELETE' });
    expect(again).toEqual({ status: 404, body: { error: `no active fault ${String(first.id)}` } });
    expect(emu.state.faults).toHaveLength(1);
  });

  it('systemerror: signed result_code FAIL SYSTEMERROR, nothing created, then normal again', async () => {
    expect((await fault({ target: 'unifiedorder', kind: 'systemerror' })).status).toBe(201);
    const params = orderParams();
    const res = await payApi(emu, '/pay/unifiedorder', params);
    expect(res.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'SYSTEMERROR' });
    expect(verify(res.fields, M.apiKey, 'MD5')).toBe(true);
    expect(emu.state.orders.size).toBe(0);
    expect((await payApi(emu, '/pay/unifiedorder', params)).fields.result_code).toBe('SUCCESS');
  });

  it('badsign: the operation happens but the reply sign does not verify', async () => {
    await fault({ target: 'unifiedorder', kind: 'badsign' });
    const res = await payApi(emu, '/pay/unifiedorder', orderParams());
    expect(res.fields.result_code).toBe('SUCCESS');
    expect(verify(res.fields, M.apiKey, 'MD5')).toBe(false);
    expect(emu.state.orders.size).toBe(1);
  });

  it('http500 and malformed, with count', async () => {
    await fault({ target: 'orderquery', kind: 'http500', count: 2 });
    await fault({ target: 'closeorder', kind: 'malformed' });
    const body = signed({ out_trade_no: 'X1' });
    expect((await postXml(`${emu.httpUrl}/pay/orderquery`, body)).status).toBe(500);
    expect((await postXml(`${emu.httpUrl}/pay/orderquery`, body)).status).toBe(500);
    expect((await postXml(`${emu.httpUrl}/pay/orderquery`, body)).fields.err_code).toBe('ORDERNOTEXIST');
    const malformed = await postXml(`${emu.httpUrl}/pay/closeorder`, body);
    expect(malformed.status).toBe(200);
    await expect(parseXml(malformed.text)).rejects.toThrow();
  });

  it('delay, timeout and drop', async () => {
    await fault({ target: 'orderquery', kind: 'delay', delayMs: 150 });
    const started = Date.now();
    await payApi(emu, '/pay/orderquery', { out_trade_no: 'X' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    await fault({ target: 'orderquery', kind: 'timeout', delayMs: 100 });
    await expect(payApi(emu, '/pay/orderquery', { out_trade_no: 'X' })).rejects.toThrow();

    await fault({ target: 'unifiedorder', kind: 'drop' });
    await expect(payApi(emu, '/pay/unifiedorder', orderParams())).rejects.toThrow();
    expect(emu.state.orders.size).toBe(1); // processed, reply lost
  });

  it('oauth_token systemerror → errcode -1; DELETE clears faults', async () => {
    await fault({ target: 'oauth_token', kind: 'systemerror' });
    await fault({ target: 'refund', kind: 'http500' });
    expect((await json(emu, '/__emulator/state')).body.faults).toHaveLength(2);
    const res = await fetch(
      `${emu.httpUrl}/sns/oauth2/access_token?appid=${M.appId}&secret=${M.appSecret}&code=x&grant_type=authorization_code`,
    );
    expect(JSON.parse(await res.text()).errcode).toBe(-1);
    expect((await json(emu, '/__emulator/faults', { method: 'DELETE' })).status).toBe(204);
    expect((await json(emu, '/__emulator/state')).body.faults).toHaveLength(0);
  });

  it('notify badsign spoils the first attempt only; notify drop sends nothing', async () => {
    // Answers the first (forged-looking) attempt FAIL, as a correct BFF would, so WeChat retries.
    const rx = await startReceiver((n) => (n === 0 ? { body: FAIL_REPLY } : { body: SUCCESS_REPLY }));
    try {
      await fault({ target: 'notify', kind: 'badsign' });
      const a = orderParams({ notify_url: rx.url });
      await emu.pay((await payApi(emu, '/pay/unifiedorder', a)).fields.prepay_id!);
      await rx.waitFor(2);
      const signsOk = await Promise.all(rx.received.map(async (r) => verify(await parseXml(r.body), M.apiKey, 'MD5')));
      expect(signsOk.slice(0, 2)).toEqual([false, true]);

      await fault({ target: 'notify', kind: 'drop' });
      const b = orderParams({ notify_url: rx.url });
      await emu.pay((await payApi(emu, '/pay/unifiedorder', b)).fields.prepay_id!);
      await eventually(() => [...emu.state.deliveries.values()].some((d) => d.status === 'dropped'));
      await new Promise((r) => setTimeout(r, 100));
      expect(rx.received.every((r) => r.body.includes(a.out_trade_no as string))).toBe(true);
    } finally {
      await rx.close();
    }
  });
});

describe('notify delay and malformed', () => {
  it('delay holds back the first attempt by delayMs', async () => {
    const rx = await startReceiver();
    try {
      await fault({ target: 'notify', kind: 'delay', delayMs: 300 });
      const params = orderParams({ notify_url: rx.url });
      const prepayId = (await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id!;
      const paidAt = Date.now();
      await emu.pay(prepayId);
      const delivery = [...emu.state.deliveries.values()][0]!;
      expect(delivery.nextAttemptAt! - paidAt).toBeGreaterThanOrEqual(290);
      const [first] = await rx.waitFor(1);
      expect(first!.at - paidAt).toBeGreaterThanOrEqual(290);
      expect(verify(await parseXml(first!.body), M.apiKey, 'MD5')).toBe(true);
      expect((await json(emu, '/__emulator/state')).body.faults).toHaveLength(0);
    } finally {
      await rx.close();
    }
  });

  it('malformed cuts the first attempt short (unparsable XML); the retry carries the whole signed body', async () => {
    // Answers what it cannot parse with FAIL, as a correct BFF would, so WeChat retries.
    const rx = await startReceiver((_n, body) =>
      body.trimEnd().endsWith('</xml>') ? { body: SUCCESS_REPLY } : { body: FAIL_REPLY },
    );
    try {
      await fault({ target: 'notify', kind: 'malformed' });
      await emu.pay((await payApi(emu, '/pay/unifiedorder', orderParams({ notify_url: rx.url }))).fields.prepay_id!);
      const [broken, whole] = await rx.waitFor(2);
      await expect(parseXml(broken!.body)).rejects.toThrow();
      expect(whole!.body.startsWith(broken!.body)).toBe(true);
      expect(verify(await parseXml(whole!.body), M.apiKey, 'MD5')).toBe(true);
      const delivery = await eventually(() => [...emu.state.deliveries.values()].find((d) => d.status === 'delivered'));
      expect(delivery.attempts.map((a) => a.outcome)).toEqual(['fail', 'success']);
    } finally {
      await rx.close();
    }
  });
});

/** A signed-in user's tokens, obtained over HTTP like a BFF would (snsapi_userinfo, so userinfo answers). */
async function userinfoTokens(): Promise<{ access_token: string; refresh_token: string; openid: string }> {
  const q = new URLSearchParams({
    appid: M.appId,
    redirect_uri: 'http://localhost:5173/cb',
    response_type: 'code',
    scope: 'snsapi_userinfo',
    state: 's1',
  });
  const page = await (
    await fetch(`${emu.httpUrl}/connect/oauth2/authorize?${q}`, { signal: AbortSignal.timeout(30_000) })
  ).text();
  const request = /name="request" value="([^"]+)"/.exec(page)![1]!;
  const allowed = await fetch(`${emu.httpUrl}/__emulator/oauth/consent`, {
    method: 'POST',
    body: new URLSearchParams({ request, userId: 'xiaoli', decision: 'allow' }),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const code = new URL(allowed.headers.get('location')!).searchParams.get('code')!;
  const res = await fetch(
    `${emu.httpUrl}/sns/oauth2/access_token?${new URLSearchParams({ appid: M.appId, secret: M.appSecret, code, grant_type: 'authorization_code' })}`,
  );
  return JSON.parse(await res.text()) as { access_token: string; refresh_token: string; openid: string };
}

type Tokens = Awaited<ReturnType<typeof userinfoTokens>>;

/** Each /sns/* endpoint beyond the code exchange: how to call it and what a normal answer holds. */
const SNS_TARGETS: Array<{
  target: string;
  path: string;
  query: (t: Tokens) => Record<string, string>;
  normal: (body: Record<string, unknown>, t: Tokens) => void;
}> = [
  {
    target: 'oauth_refresh',
    path: '/sns/oauth2/refresh_token',
    query: (t) => ({ appid: M.appId, grant_type: 'refresh_token', refresh_token: t.refresh_token }),
    normal: (body, t) =>
      expect(body).toMatchObject({
        openid: t.openid,
        refresh_token: t.refresh_token,
        access_token: expect.stringMatching(/./),
      }),
  },
  {
    target: 'oauth_userinfo',
    path: '/sns/userinfo',
    query: (t) => ({ access_token: t.access_token, openid: t.openid, lang: 'zh_CN' }),
    normal: (body, t) => expect(body).toMatchObject({ openid: t.openid, nickname: '小李🐼' }),
  },
  {
    target: 'oauth_auth',
    path: '/sns/auth',
    query: (t) => ({ access_token: t.access_token, openid: t.openid }),
    normal: (body) => expect(body).toEqual({ errcode: 0, errmsg: 'ok' }),
  },
];

describe.each(SNS_TARGETS)('fault injection on $path ($target)', ({ target, path, query, normal }) => {
  const call = (t: Tokens) =>
    fetch(`${emu.httpUrl}${path}?${new URLSearchParams(query(t))}`, { signal: AbortSignal.timeout(30_000) });
  const answer = async (t: Tokens) => {
    const res = await call(t);
    return { status: res.status, text: await res.text() };
  };

  it('accepts the OAuth kinds only', async () => {
    for (const kind of ['badsign', 'nope']) expect((await fault({ target, kind })).status).toBe(400);
    expect((await fault({ target, kind: 'bizerror', errCode: 'NOTENOUGH' })).status).toBe(400);
    expect((await json(emu, '/__emulator/state')).body.faults).toHaveLength(0);
    for (const kind of ['delay', 'http500', 'timeout', 'systemerror', 'malformed', 'drop'])
      expect((await fault({ target, kind })).status).toBe(201);
    expect((await json(emu, '/__emulator/state')).body.faults).toHaveLength(6);
  });

  it('systemerror → errcode -1 without processing, then normal again; other endpoints unaffected', async () => {
    const t = await userinfoTokens();
    expect((await fault({ target, kind: 'systemerror' })).status).toBe(201);
    // Only this endpoint is struck: the others still answer normally while the fault waits.
    for (const other of SNS_TARGETS.filter((o) => o.target !== target)) {
      const res = await fetch(`${emu.httpUrl}${other.path}?${new URLSearchParams(other.query(t))}`);
      other.normal(JSON.parse(await res.text()) as Record<string, unknown>, t);
    }
    const tokensMidway = emu.state.accessTokens.size;
    const failed = await answer(t);
    expect(failed.status).toBe(200);
    expect(JSON.parse(failed.text)).toMatchObject({
      errcode: -1,
      errmsg: expect.stringMatching(/^system error, rid: /),
    });
    expect(emu.state.accessTokens.size).toBe(tokensMidway); // a refresh would have minted one
    normal(JSON.parse((await answer(t)).text) as Record<string, unknown>, t);
  });

  it('http500 and malformed strike before processing, with count', async () => {
    const t = await userinfoTokens();
    const tokensBefore = emu.state.accessTokens.size;
    await fault({ target, kind: 'http500', count: 2 });
    await fault({ target, kind: 'malformed' });
    expect((await answer(t)).status).toBe(500);
    expect((await answer(t)).status).toBe(500);
    const malformed = await answer(t);
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    expect(emu.state.accessTokens.size).toBe(tokensBefore);
    normal(JSON.parse((await answer(t)).text) as Record<string, unknown>, t);
  });

  it('delay proceeds, timeout holds then resets, drop processes and loses the reply', async () => {
    const t = await userinfoTokens();
    await fault({ target, kind: 'delay', delayMs: 100 });
    const started = Date.now();
    normal(JSON.parse((await answer(t)).text) as Record<string, unknown>, t);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);

    await fault({ target, kind: 'timeout', delayMs: 50 });
    await expect(call(t)).rejects.toThrow();

    const tokensBefore = emu.state.accessTokens.size;
    await fault({ target, kind: 'drop' });
    await expect(call(t)).rejects.toThrow();
    // Processed all the same: a refresh minted its access token before the reply was lost.
    expect(emu.state.accessTokens.size).toBe(tokensBefore + (target === 'oauth_refresh' ? 1 : 0));
    normal(JSON.parse((await answer(t)).text) as Record<string, unknown>, t);
  });
});

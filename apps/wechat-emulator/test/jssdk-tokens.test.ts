/** Global access_token and jsapi_ticket: stable_token modes and limits, /cgi-bin/token, getticket, counters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_JSSDK_LIMITS, resolveConfig } from '../src/config';
import { JssdkState } from '../src/jssdk/state';
import { checkGlobalToken, classicToken, getTicket, stableToken, type TokenContext } from '../src/jssdk/tokens';
import { MerchantDirectory } from '../src/merchants';
import type { Emulator } from '../src/index';
import { M, startEmulator } from './helpers/emulator';

const T0 = Date.UTC(2026, 11, 2, 2, 0, 0);
const MIN = 60_000;
const credentials = { grantType: 'client_credential', appId: M.appId, secret: M.appSecret };

function world(limits = {}) {
  const state = new JssdkState();
  const config = resolveConfig({ jssdk: limits });
  const at = (now: number, ip = '127.0.0.1'): TokenContext => ({
    state,
    merchants: new MerchantDirectory(config.merchants),
    limits: config.jssdk,
    ip,
    now,
  });
  const stable = (now: number, forceRefresh = false) => stableToken(at(now), { ...credentials, forceRefresh });
  const token = (r: ReturnType<typeof stable>) => (r.ok ? r.value.access_token : `errcode ${r.errcode}`);
  return { state, at, stable, token, limits: config.jssdk };
}

describe('stable_token (pure, explicit clock)', () => {
  it('normal mode hands out the same token while more than 5 minutes are left, then a new one', () => {
    const w = world();
    const first = w.stable(T0);
    expect(first).toMatchObject({ ok: true, value: { expires_in: 7200 } });
    const again = w.stable(T0 + 60 * MIN);
    expect(w.token(again)).toBe(w.token(first));
    expect(again.ok && again.value.expires_in).toBe(3600);
    const renewed = w.stable(T0 + 116 * MIN);
    expect(w.token(renewed)).not.toBe(w.token(first));
    // The old one lives out its time.
    expect(checkGlobalToken(w.state, w.token(first), T0 + 119 * MIN).ok).toBe(true);
    expect(checkGlobalToken(w.state, w.token(first), T0 + 120 * MIN)).toMatchObject({ errcode: 42001 });
  });

  it('force mode issues a new token; the old one stays valid exactly 5 more minutes', () => {
    const w = world();
    const old = w.token(w.stable(T0));
    const forced = w.token(w.stable(T0 + 10 * MIN, true));
    expect(forced).not.toBe(old);
    expect(checkGlobalToken(w.state, old, T0 + 15 * MIN - 1).ok).toBe(true);
    expect(checkGlobalToken(w.state, old, T0 + 15 * MIN)).toMatchObject({ ok: false, errcode: 42001 });
    expect(w.token(w.stable(T0 + 16 * MIN))).toBe(forced);
  });

  it('force refreshes: 30 s apart (45011) and at most 20 a day (45009), counted per Beijing day', () => {
    const w = world();
    expect(w.stable(T0, true).ok).toBe(true);
    expect(w.stable(T0 + 29_999, true)).toMatchObject({ ok: false, errcode: 45011 });
    for (let i = 1; i < DEFAULT_JSSDK_LIMITS.forceRefreshDailyLimit; i++)
      expect(w.stable(T0 + i * MIN, true).ok).toBe(true);
    expect(w.stable(T0 + 30 * MIN, true)).toMatchObject({ ok: false, errcode: 45009 });
    // T0 is 10:00 Beijing; 14 h later is the next Beijing day.
    expect(w.stable(T0 + 14 * 60 * MIN, true).ok).toBe(true);
  });

  it('credential errors: grant_type 40002, appid 40013, secret 40125, IP allowlist 40164', () => {
    const w = world();
    const ctx = w.at(T0);
    expect(stableToken(ctx, { ...credentials, grantType: 'x', forceRefresh: false })).toMatchObject({ errcode: 40002 });
    expect(stableToken(ctx, { ...credentials, appId: 'wx0000000000000000', forceRefresh: false })).toMatchObject({
      errcode: 40013,
    });
    expect(stableToken(ctx, { ...credentials, secret: 'nope', forceRefresh: false })).toMatchObject({ errcode: 40125 });
    const state = new JssdkState();
    const merchants = new MerchantDirectory([{ ...M, apiIpAllowlist: ['10.0.0.8'] }]);
    const from = (ip: string) =>
      stableToken({ state, merchants, limits: w.limits, ip, now: T0 }, { ...credentials, forceRefresh: false });
    expect(from('::ffff:127.0.0.1')).toMatchObject({ ok: false, errcode: 40164 });
    expect(from('::ffff:10.0.0.8').ok).toBe(true);
  });
});

describe('/cgi-bin/token and getticket (pure)', () => {
  it('each /cgi-bin/token call invalidates the previous token at once (40001 on getticket)', () => {
    const w = world();
    const first = classicToken(w.at(T0), credentials);
    const second = classicToken(w.at(T0 + 1000), credentials);
    if (!first.ok || !second.ok) throw new Error('token refused');
    expect(
      getTicket(w.state, w.limits, { accessToken: first.value.access_token, type: 'jsapi' }, T0 + 2000),
    ).toMatchObject({ errcode: 40001 });
    expect(
      getTicket(w.state, w.limits, { accessToken: second.value.access_token, type: 'jsapi' }, T0 + 2000),
    ).toMatchObject({
      ok: true,
      value: { errcode: 0, errmsg: 'ok', expires_in: 7200 },
    });
  });

  it('/cgi-bin/token has its daily quota (45009); stable tokens are apart from classic ones', () => {
    const w = world({ tokenDailyQuota: 2 });
    const stable = w.token(w.stable(T0));
    expect(classicToken(w.at(T0), credentials).ok).toBe(true);
    expect(classicToken(w.at(T0), credentials).ok).toBe(true);
    expect(classicToken(w.at(T0), credentials)).toMatchObject({ ok: false, errcode: 45009 });
    expect(checkGlobalToken(w.state, stable, T0).ok).toBe(true);
  });

  it('getticket: missing token 41001, wrong type 40097, expired token 42001', () => {
    const w = world();
    const token = w.token(w.stable(T0));
    expect(getTicket(w.state, w.limits, { type: 'jsapi' }, T0)).toMatchObject({ errcode: 41001 });
    expect(getTicket(w.state, w.limits, { accessToken: token, type: 'card' }, T0)).toMatchObject({ errcode: 40097 });
    expect(getTicket(w.state, w.limits, { accessToken: token, type: 'jsapi' }, T0 + 120 * MIN)).toMatchObject({
      errcode: 42001,
    });
  });
});

describe('over HTTP', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  const stableCall = async (body: unknown) =>
    (await (
      await fetch(`${emulator.httpUrl}/cgi-bin/stable_token`, { method: 'POST', body: JSON.stringify(body) })
    ).json()) as Record<string, unknown>;
  const ticketCall = async (token: string) =>
    (await (
      await fetch(`${emulator.httpUrl}/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`)
    ).json()) as Record<string, unknown>;
  const calls = async () =>
    (
      (await (await fetch(`${emulator.httpUrl}/__emulator/state`)).json()) as {
        jssdk: { calls: Record<string, { calls: number; errors: number }> };
      }
    ).jssdk.calls;

  it('stable_token → getticket; invalidated tokens answer 40001 with a rid; counters in /__emulator/state', async () => {
    const ok = await stableCall({ grant_type: 'client_credential', appid: M.appId, secret: M.appSecret });
    expect(ok).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    const ticket = await ticketCall(String(ok.access_token));
    expect(ticket).toMatchObject({ errcode: 0, errmsg: 'ok', ticket: expect.any(String), expires_in: 7200 });

    const invalidate = await fetch(`${emulator.httpUrl}/__emulator/jssdk/invalidate-tokens`, { method: 'POST' });
    expect(await invalidate.json()).toEqual({ appId: M.appId, invalidated: 1 });
    const refused = await ticketCall(String(ok.access_token));
    expect(refused.errcode).toBe(40001);
    expect(String(refused.errmsg)).toMatch(/, rid: /);

    const wrong = await stableCall({
      grant_type: 'client_credential',
      appid: M.appId,
      secret: 'x',
      force_refresh: true,
    });
    expect(wrong.errcode).toBe(40125);
    const classic = await fetch(
      `${emulator.httpUrl}/cgi-bin/token?grant_type=client_credential&appid=${M.appId}&secret=${M.appSecret}`,
    );
    expect(classic.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await calls()).toEqual({
      stable_token: { calls: 1, errors: 0 },
      stable_token_force: { calls: 1, errors: 1 },
      token: { calls: 1, errors: 0 },
      getticket: { calls: 2, errors: 1 },
    });
  });

  it('a body that is not JSON → 47001, not a crash', async () => {
    const res = await fetch(`${emulator.httpUrl}/cgi-bin/stable_token`, {
      method: 'POST',
      body: 'grant_type=client_credential',
    });
    expect(((await res.json()) as { errcode: number }).errcode).toBe(47001);
  });
});

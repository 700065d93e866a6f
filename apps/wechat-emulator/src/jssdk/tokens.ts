/**
 * The global access_token and jsapi_ticket as WeChat hands them out (§1.10–1.11): stable_token (normal and
 * force mode), the classic /cgi-bin/token, getticket, with their errcodes and limits. Time is a parameter.
 */
import { randomBytes } from 'node:crypto';
import { beijingTime } from '@wxpay-shop/wechat';
import type { JssdkLimits, MerchantConfig } from '../config';
import { newAccessToken } from '../ids';
import type { MerchantDirectory } from '../merchants';
import type { CgiEndpoint, GlobalToken, JssdkState } from './state';

export type CgiResult<T> = { ok: true; value: T } | { ok: false; errcode: number; errmsg: string };
const err = (errcode: number, errmsg: string) => ({ ok: false as const, errcode, errmsg });

/** Normal-mode stable_token hands out a new token once the current one has less than this left (doc: 5 min). */
export const STABLE_RENEW_BEFORE_MS = 5 * 60_000;
/** After a force refresh the previous stable token stays valid this long (doc: 5 min). */
export const FORCED_GRACE_MS = 5 * 60_000;

export interface TokenContext {
  state: JssdkState;
  merchants: MerchantDirectory;
  limits: JssdkLimits;
  /** The caller's IP, for the merchant's API IP allowlist. */
  ip: string;
  now: number;
}

export interface CredentialsRequest {
  grantType?: string;
  appId?: string;
  secret?: string;
}

type TokenBody = { access_token: string; expires_in: number };

/** Parameters, secret and IP allowlist shared by /cgi-bin/token and stable_token. */
function checkCredentials(ctx: TokenContext, q: CredentialsRequest): CgiResult<MerchantConfig> {
  if (q.grantType !== 'client_credential') return err(40002, 'invalid grant_type');
  if (!q.appId) return err(41002, 'appid missing');
  const merchant = ctx.merchants.byAppId(q.appId);
  if (!merchant) return err(40013, 'invalid appid');
  if (!q.secret) return err(41004, 'appsecret missing');
  if (q.secret !== merchant.appSecret) return err(40125, 'invalid appsecret');
  if (merchant.apiIpAllowlist && !merchant.apiIpAllowlist.includes(bareIp(ctx.ip))) {
    return err(40164, `invalid ip ${bareIp(ctx.ip)}, not in whitelist`);
  }
  return { ok: true, value: merchant };
}

/** `::ffff:127.0.0.1` → `127.0.0.1`: allowlists name IPv4 addresses plainly. */
function bareIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** Counts one call against a per-day quota; false once `limit` calls were made today (Beijing time). */
function takeDaily(state: JssdkState, appId: string, endpoint: CgiEndpoint, limit: number, now: number): boolean {
  const day = beijingTime(new Date(now)).slice(0, 8);
  const key = `${appId}:${endpoint}`;
  const entry = state.dailyCalls.get(key);
  const count = entry && entry.day === day ? entry.count : 0;
  if (count >= limit) return false;
  state.dailyCalls.set(key, { day, count: count + 1 });
  return true;
}

function mint(ctx: TokenContext, appId: string, kind: GlobalToken['kind']): GlobalToken {
  const token: GlobalToken = {
    token: newAccessToken(),
    appId,
    kind,
    issuedAt: ctx.now,
    expiresAt: ctx.now + ctx.limits.tokenTtlSec * 1000,
  };
  ctx.state.tokens.set(token.token, token);
  return token;
}

const body = (token: GlobalToken, now: number): TokenBody => ({
  access_token: token.token,
  expires_in: Math.floor((token.expiresAt - now) / 1000),
});

/**
 * POST /cgi-bin/stable_token. Normal mode: the current token while it has more than 5 minutes left,
 * else a new one (the old one lives out its time). Force mode: always a new one, the old one valid for
 * 5 more minutes; at most `forceRefreshDailyLimit` a day, `forceRefreshMinIntervalMs` apart.
 */
export function stableToken(
  ctx: TokenContext,
  q: CredentialsRequest & { forceRefresh: boolean },
): CgiResult<TokenBody> {
  const checked = checkCredentials(ctx, q);
  if (!checked.ok) return checked;
  const appId = checked.value.appId;
  const { state, limits, now } = ctx;
  const currentValue = state.stableByApp.get(appId);
  const current = currentValue ? state.tokens.get(currentValue) : undefined;
  if (q.forceRefresh) {
    const last = state.lastForceAt.get(appId);
    if (last !== undefined && now - last < limits.forceRefreshMinIntervalMs) {
      return err(45011, 'api minute-quota reach limit mustslower retry next minute');
    }
    if (!takeDaily(state, appId, 'stable_token_force', limits.forceRefreshDailyLimit, now)) {
      return err(45009, 'reach max api daily quota limit');
    }
    state.lastForceAt.set(appId, now);
    if (current) current.expiresAt = Math.min(current.expiresAt, now + FORCED_GRACE_MS);
  } else {
    if (!takeDaily(state, appId, 'stable_token', limits.stableTokenDailyQuota, now)) {
      return err(45009, 'reach max api daily quota limit');
    }
    if (current && current.expiresAt - now > STABLE_RENEW_BEFORE_MS) return { ok: true, value: body(current, now) };
  }
  const token = mint(ctx, appId, 'stable');
  state.stableByApp.set(appId, token.token);
  return { ok: true, value: body(token, now) };
}

/** GET /cgi-bin/token: a new token on every call, and the previous classic token stops working at once. */
export function classicToken(ctx: TokenContext, q: CredentialsRequest): CgiResult<TokenBody> {
  const checked = checkCredentials(ctx, q);
  if (!checked.ok) return checked;
  const appId = checked.value.appId;
  if (!takeDaily(ctx.state, appId, 'token', ctx.limits.tokenDailyQuota, ctx.now))
    return err(45009, 'reach max api daily quota limit');
  const previous = ctx.state.classicByApp.get(appId);
  if (previous) ctx.state.tokens.delete(previous);
  const token = mint(ctx, appId, 'classic');
  ctx.state.classicByApp.set(appId, token.token);
  return { ok: true, value: body(token, ctx.now) };
}

/** A global access_token WeChat accepts now: unknown or invalidated → 40001, expired → 42001. */
export function checkGlobalToken(state: JssdkState, token: string | undefined, now: number): CgiResult<GlobalToken> {
  if (!token) return err(41001, 'access_token missing');
  const found = state.tokens.get(token);
  if (!found) return err(40001, 'invalid credential, access_token is invalid or not latest');
  if (now >= found.expiresAt) return err(42001, 'access_token expired');
  return { ok: true, value: found };
}

type TicketBody = { errcode: 0; errmsg: 'ok'; ticket: string; expires_in: number };

/** GET /cgi-bin/ticket/getticket?type=jsapi: a jsapi_ticket of the token's appid. */
export function getTicket(
  state: JssdkState,
  limits: JssdkLimits,
  q: { accessToken?: string; type?: string },
  now: number,
): CgiResult<TicketBody> {
  const checked = checkGlobalToken(state, q.accessToken, now);
  if (!checked.ok) return checked;
  if (q.type !== 'jsapi') return err(40097, 'invalid args');
  const ticket = {
    ticket: randomBytes(64).toString('base64url').slice(0, 86),
    appId: checked.value.appId,
    issuedAt: now,
    expiresAt: now + limits.ticketTtlSec * 1000,
  };
  state.tickets.set(ticket.ticket, ticket);
  return { ok: true, value: { errcode: 0, errmsg: 'ok', ticket: ticket.ticket, expires_in: limits.ticketTtlSec } };
}

/** Marks every global token of `appId` invalid, as another server's /cgi-bin/token call would; returns how many. */
export function invalidateTokens(state: JssdkState, appId: string): number {
  let count = 0;
  for (const [value, token] of state.tokens) {
    if (token.appId === appId) {
      state.tokens.delete(value);
      count += 1;
    }
  }
  return count;
}

/** The ticket if it was issued for `appId` and has not expired. */
export function findValidTicket(state: JssdkState, appId: string, ticket: string, now: number) {
  const found = state.tickets.get(ticket);
  return found && found.appId === appId && now < found.expiresAt ? found : undefined;
}

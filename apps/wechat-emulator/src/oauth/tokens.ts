/** Code → token exchange and token checks (§1.4–§1.8), over the in-memory state. */
import type { OAuthScope } from '@wxpay-shop/wechat';
import type { Deps } from '../deps';
import { newAccessToken, newOauthCode } from '../ids';
import type { AccessToken, IssuedToken, RefreshToken } from './grants';
import { avatarPath, findUser, openidFor, unionidFor } from '../users';

export type OauthResult<T> = { ok: true; value: T } | { ok: false; errcode: number; errmsg: string };
const err = (errcode: number, errmsg: string) => ({ ok: false as const, errcode, errmsg });

export function issueCode(deps: Deps, appId: string, userId: string, scope: OAuthScope, now = Date.now()): string {
  const code = newOauthCode();
  deps.state.codes.set(code, { code, appId, userId, scope, issuedAt: now, used: false });
  return code;
}

interface TokenBody {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  openid: string;
  scope: string;
  unionid?: string;
}

function tokenBody(deps: Deps, access: AccessToken, refresh: RefreshToken): TokenBody {
  return {
    access_token: access.token,
    expires_in: deps.config.accessTokenTtlSec,
    refresh_token: refresh.token,
    openid: access.openid,
    scope: access.scope,
    // Only the userinfo scope reveals the unionid (current doc).
    ...(access.scope === 'snsapi_userinfo' ? { unionid: unionidFor(access.userId) } : {}),
  };
}

/** A fresh access or refresh token (they differ only in map and lifetime), recorded in `map`. */
function mint(
  map: Map<string, IssuedToken>,
  ttlSec: number,
  appId: string,
  userId: string,
  scope: OAuthScope,
  now: number,
): IssuedToken {
  const issued: IssuedToken = {
    token: newAccessToken(),
    appId,
    userId,
    openid: openidFor(appId, userId),
    scope,
    expiresAt: now + ttlSec * 1000,
  };
  map.set(issued.token, issued);
  return issued;
}

function mintAccess(deps: Deps, appId: string, userId: string, scope: OAuthScope, now: number): AccessToken {
  return mint(deps.state.accessTokens, deps.config.accessTokenTtlSec, appId, userId, scope, now);
}

/** The query parameters of an /sns/* request. */
export type Query = Record<string, string | undefined>;
/** A request's own problem (parameters and credentials, no issued code or token looked at), or null. */
export type OauthCheck = (deps: Deps, q: Query) => OauthResult<never> | null;

export const checkCodeExchange: OauthCheck = (deps, q) => {
  if (!q.appid) return err(41002, 'appid missing');
  const merchant = deps.merchants.byAppId(q.appid);
  if (!merchant) return err(40013, 'invalid appid');
  if (!q.secret) return err(41004, 'appsecret missing');
  // What WeChat answers a wrong AppSecret on this endpoint (observed: "invalid appsecret").
  if (q.secret !== merchant.appSecret) return err(40125, 'invalid appsecret');
  if (q.grant_type !== 'authorization_code') return err(40002, 'invalid grant_type');
  if (!q.code) return err(41008, 'missing code');
  return null;
};

/** Only for a request checkCodeExchange() accepted. */
export function exchangeCode(deps: Deps, q: Query, now = Date.now()): OauthResult<TokenBody> {
  const code = deps.state.codes.get(q.code!);
  if (!code || code.appId !== q.appid) return err(40029, 'invalid code');
  if (code.used) return err(40163, 'code been used');
  if (now - code.issuedAt >= deps.config.codeTtlMs) return err(42003, 'code expired');
  code.used = true;
  const access = mintAccess(deps, code.appId, code.userId, code.scope, now);
  const refresh = mint(
    deps.state.refreshTokens,
    deps.config.refreshTokenTtlSec,
    code.appId,
    code.userId,
    code.scope,
    now,
  );
  return { ok: true, value: tokenBody(deps, access, refresh) };
}

export const checkRefresh: OauthCheck = (deps, q) => {
  if (!q.appid) return err(41002, 'appid missing');
  if (!deps.merchants.byAppId(q.appid)) return err(40013, 'invalid appid');
  if (q.grant_type !== 'refresh_token') return err(40002, 'invalid grant_type');
  if (!q.refresh_token) return err(41003, 'refresh_token missing');
  return null;
};

/** Only for a request checkRefresh() accepted. */
export function refreshAccessToken(deps: Deps, q: Query, now = Date.now()): OauthResult<TokenBody> {
  const refresh = deps.state.refreshTokens.get(q.refresh_token!);
  if (!refresh || refresh.appId !== q.appid) return err(40030, 'invalid refresh_token');
  if (now >= refresh.expiresAt) return err(42002, 'refresh_token timeout');
  // The refresh token itself keeps its original 30-day deadline.
  const access = mintAccess(deps, refresh.appId, refresh.userId, refresh.scope, now);
  return { ok: true, value: tokenBody(deps, access, refresh) };
}

/** Parameters of /sns/auth (and the first ones of /sns/userinfo). */
export const checkTokenParams: OauthCheck = (_deps, q) => {
  if (!q.access_token) return err(41001, 'access_token missing');
  if (!q.openid) return err(41009, 'missing openid');
  return null;
};

export const checkUserInfo: OauthCheck = (deps, q) => {
  const problem = checkTokenParams(deps, q);
  if (problem) return problem;
  return q.lang !== undefined && !['zh_CN', 'zh_TW', 'en'].includes(q.lang) ? err(40159, 'invalid lang') : null;
};

/** The token behind /sns/userinfo and /sns/auth; only for a request checkTokenParams() accepted. */
export function checkAccessToken(deps: Deps, q: Query, now = Date.now()): OauthResult<AccessToken> {
  const access = deps.state.accessTokens.get(q.access_token!);
  if (!access) return err(40014, 'invalid access_token');
  if (now >= access.expiresAt) return err(42001, 'access_token expired');
  if (access.openid !== q.openid) return err(40003, 'invalid openid');
  return { ok: true, value: access };
}

/** Only for a request checkUserInfo() accepted. */
export function userInfo(deps: Deps, q: Query, now = Date.now()): OauthResult<Record<string, unknown>> {
  const checked = checkAccessToken(deps, q, now);
  if (!checked.ok) return checked;
  const access = checked.value;
  if (access.scope !== 'snsapi_userinfo') return err(48001, 'api unauthorized');
  const user = findUser(access.userId)!;
  return {
    ok: true,
    value: {
      openid: access.openid,
      nickname: user.nickname,
      // Since 2021-10-20 WeChat returns 0 and empty region fields for everyone.
      sex: 0,
      province: '',
      city: '',
      country: '',
      headimgurl: `${deps.publicUrl()}${avatarPath(user.id)}`,
      privilege: [],
      unionid: unionidFor(user.id),
    },
  };
}

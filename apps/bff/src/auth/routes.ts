/**
 * WeChat web authorization (OAuth2): login → WeChat authorize page → callback.
 * The `state` is a single-use, 10-minute CSRF token bound to the session.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { MeSchema, type Me } from '@wxpay-shop/contract';
import {
  WechatOAuthError,
  WechatTransportError,
  isValidState,
  randomString,
  safeEqual,
  type OAuthClient,
  type WebAccessToken,
} from '@wxpay-shop/wechat';
import { badRequest } from '../http/errors';
import type { Services } from '../services';
import { destroySession, ownerIdOf, sessionOf, type PendingOAuth } from '../sessions/session';
import { safeReturnTo, withFlag } from './return-to';
import { claimGuestOrders, upsertShopper } from './shoppers';

const STATE_TTL_MS = 10 * 60_000;
const MAX_PENDING_STATES = 5;

export function authRoutes(services: Services): Router {
  const { oauth, urls, db } = services;
  const router = new Router();

  router.get('/api/auth/login', async (ctx) => {
    const scopeParam = ctx.query.scope ?? 'snsapi_base';
    if (scopeParam !== 'snsapi_base' && scopeParam !== 'snsapi_userinfo') {
      throw badRequest('scope must be snsapi_base or snsapi_userinfo');
    }
    const session = sessionOf(ctx);
    ownerIdOf(ctx);
    const pending: PendingOAuth = {
      state: randomString(32),
      returnTo: safeReturnTo(ctx.query.returnTo),
      scope: scopeParam,
      expiresAt: Date.now() + STATE_TTL_MS,
    };
    // Several tabs may sign in at once; keep a few live states, newest last.
    session.oauth = [...(session.oauth ?? []).filter((p) => p.expiresAt > Date.now()), pending].slice(-MAX_PENDING_STATES);
    ctx.redirect(oauth.authorizeUrl({ redirectUri: urls.oauthCallback, scope: pending.scope, state: pending.state }));
  });

  router.get('/api/auth/callback', async (ctx) => {
    ctx.state.htmlErrors = true;
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    const repeated = repeatedCallback(ctx, code);
    if (repeated) {
      ctx.redirect(repeated);
      return;
    }
    const pending = takePendingState(ctx);
    if (!code) {
      // WeChat sends the shopper back without a code when they decline consent.
      ctx.redirect(withFlag(pending.returnTo, 'login', 'declined'));
      return;
    }
    let token;
    try {
      token = await oauth.exchangeCode(code);
    } catch (err) {
      if (err instanceof WechatOAuthError && err.isBadCode) {
        ctx.state.log.info({ errcode: err.errcode }, 'oauth code rejected');
        throw badRequest('This sign-in link has expired or was already used. Please sign in again.');
      }
      if (!isWechatFailure(err)) throw err;
      // The state is spent either way: back to the shop, whose sign-in notice starts a fresh one.
      ctx.state.log.error(wechatFailureFields(err), 'oauth code exchange failed');
      ctx.redirect(withFlag(pending.returnTo, 'login', 'failed'));
      return;
    }
    if (token.isSnapshotUser) {
      // A snapshot-page virtual account is not a real shopper; never bind it.
      ctx.redirect(withFlag(pending.returnTo, 'login', 'snapshot'));
      return;
    }
    const profile = pending.scope === 'snsapi_userinfo' ? await fetchProfile(ctx, oauth, token) : NO_PROFILE;
    const shopper = await upsertShopper(db, { openid: token.openid, ...profile });
    const session = sessionOf(ctx);
    // Another WeChat user signing in on this browser must not inherit the previous user's
    // session-owned orders: they start with a fresh owner id.
    if (session.openid && session.openid !== token.openid) delete session.ownerId;
    const ownerId = ownerIdOf(ctx);
    await claimGuestOrders(db, ownerId, token.openid);
    session.openid = token.openid;
    session.nickname = shopper.nickname;
    session.avatarUrl = shopper.avatar_url;
    session.completedOAuth = { state: pending.state, code, returnTo: pending.returnTo, expiresAt: Date.now() + REPEAT_WINDOW_MS };
    // New session id on privilege change, so a planted pre-login cookie is worthless.
    await session.regenerate();
    ctx.redirect(pending.returnTo);
  });

  router.post('/api/auth/logout', async (ctx) => {
    destroySession(ctx);
    ctx.status = 204;
  });

  router.get('/api/me', async (ctx) => {
    const session = sessionOf(ctx);
    const me: Me = session.openid
      ? { signedIn: true, openid: session.openid, nickname: session.nickname ?? null, avatarUrl: session.avatarUrl ?? null }
      : { signedIn: false };
    ctx.body = MeSchema.parse(me);
  });

  return router;
}

/** How long a completed callback may be loaded again (WeChat's client sometimes loads it twice). */
const REPEAT_WINDOW_MS = 5 * 60_000;

/**
 * The same browser, already signed in by this very state and code, loading the callback again:
 * answer with the same redirect instead of a second exchange (which WeChat would refuse, 40163).
 * Anything else (another session, another code) still needs a live pending state.
 */
function repeatedCallback(ctx: Context, code: string): string | null {
  const session = sessionOf(ctx);
  const done = session.completedOAuth;
  const state = ctx.query.state;
  if (!done || !session.openid || done.expiresAt <= Date.now() || typeof state !== 'string' || !code) return null;
  return safeEqual(done.state, state) && safeEqual(done.code, code) ? done.returnTo : null;
}

/** Finds and consumes the pending state; any miss is a 400 before any token exchange. */
function takePendingState(ctx: Context): PendingOAuth {
  const state = ctx.query.state;
  if (!isValidState(state)) {
    throw badRequest('Sign-in state is missing. Please sign in again.');
  }
  const session = sessionOf(ctx);
  const all = session.oauth ?? [];
  const match = all.find((p) => safeEqual(p.state, state));
  session.oauth = all.filter((p) => p !== match && p.expiresAt > Date.now());
  if (session.oauth.length === 0) delete session.oauth;
  if (!match) throw badRequest('Sign-in state does not match this browser session. Please sign in again.');
  if (match.expiresAt <= Date.now()) throw badRequest('Sign-in took too long. Please sign in again.');
  return match;
}

/** WeChat answered with an error, garbage or nothing at all (as opposed to a bug of ours). */
function isWechatFailure(err: unknown): err is WechatOAuthError | WechatTransportError {
  return err instanceof WechatOAuthError || err instanceof WechatTransportError;
}

/** Loggable facts of a WeChat failure: the errcode or the transport message, which names the path but never the query. */
function wechatFailureFields(err: WechatOAuthError | WechatTransportError): Record<string, unknown> {
  return err instanceof WechatOAuthError ? { errcode: err.errcode } : { reason: err.message, ...(err.status ? { status: err.status } : {}) };
}

const NO_PROFILE = { nickname: null, avatarUrl: null };

/**
 * Nickname and avatar for a snsapi_userinfo sign-in. The code is already spent, so a failing
 * /sns/userinfo must not cost the shopper the sign-in: they get in by openid, without a profile.
 */
async function fetchProfile(ctx: Context, oauth: OAuthClient, token: WebAccessToken): Promise<{ nickname: string | null; avatarUrl: string | null }> {
  try {
    const info = await oauth.userInfo(token.accessToken, token.openid);
    // A profile of someone else (a confused or tampered answer) must not be shown as this shopper's.
    if (info.openid !== token.openid) {
      ctx.state.log.warn('oauth userinfo is about another openid; signed in without nickname and avatar');
      return NO_PROFILE;
    }
    return { nickname: info.nickname || null, avatarUrl: info.headimgurl || null };
  } catch (err) {
    if (!isWechatFailure(err)) throw err;
    ctx.state.log.warn(wechatFailureFields(err), 'oauth userinfo failed; signed in without nickname and avatar');
    return NO_PROFILE;
  }
}

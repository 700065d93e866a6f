/**
 * The OAuth callback: WeChat sends the shopper back with `code` and `state`. One request per state
 * exchanges the code (callback-claims); a repeat or a concurrent copy answers as that one did.
 */
import type { Context } from 'koa';
import {
  WechatError,
  WechatOAuthError,
  WechatTransportError,
  safeEqual,
  type OAuthClient,
  type WebAccessToken,
} from '@wxpay-shop/wechat';
import { badRequest } from '../http/errors';
import type { Services } from '../services';
import { ownerIdOf, sessionOf, type PendingOAuth } from '../sessions/session';
import { awaitCallbackOutcome, claimCallback, settleCallback, type CallbackOutcome } from './callback-claims';
import { dropPendingState, findPendingState } from './pending-state';
import { withFlag } from './return-to';
import { clearSignInMarks } from './sign-in-marks';
import { claimGuestOrders, upsertShopper } from './shoppers';

const SPENT_CODE = 'This sign-in link has expired or was already used. Please sign in again.';

/** GET /api/auth/callback: signs the shopper in, or sends them back to the shop with a login flag. */
export function callbackHandler(services: Services): (ctx: Context) => Promise<void> {
  const { oauth, db, metrics } = services;

  return async (ctx: Context) => {
    ctx.state.htmlErrors = true;
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    const repeated = repeatedCallback(ctx, code);
    if (repeated) {
      ctx.redirect(repeated);
      return;
    }
    const pending = findPendingState(ctx);
    if (!code) {
      // WeChat sends the shopper back without a code when they decline consent.
      dropPendingState(ctx, pending);
      metrics.signIns.inc({ outcome: 'declined' });
      ctx.redirect(withFlag(pending.returnTo, 'login', 'declined'));
      return;
    }
    if (!(await claimCallback(db, pending.state, code, new Date(pending.expiresAt + REPEAT_WINDOW_MS)))) {
      await answerAsTheWinner(ctx, pending, code);
      return;
    }
    dropPendingState(ctx, pending);
    // If this request dies unexpectedly, a concurrent copy waiting for it sends the shopper back to retry.
    let outcome: CallbackOutcome = { kind: 'redirect', location: withFlag(pending.returnTo, 'login', 'failed') };
    try {
      outcome = await exchangeAndSignIn(ctx, pending, code);
    } finally {
      await settleCallback(db, pending.state, outcome);
    }
    answer(ctx, outcome);
  };

  /** The code exchange and everything after it, for the one callback that claimed the state. */
  async function exchangeAndSignIn(ctx: Context, pending: PendingOAuth, code: string): Promise<CallbackOutcome> {
    let token;
    try {
      token = await oauth.exchangeCode(code);
    } catch (err) {
      if (err instanceof WechatOAuthError && err.isBadCode) {
        ctx.state.log.info({ errcode: err.errcode }, 'oauth code rejected');
        metrics.signIns.inc({ outcome: 'bad_code' });
        return { kind: 'rejected', message: SPENT_CODE };
      }
      if (!isWechatFailure(err)) throw err;
      // The state is spent either way: back to the shop, whose sign-in notice starts a fresh one.
      ctx.state.log.error(wechatFailureFields(err), 'oauth code exchange failed');
      metrics.signIns.inc({ outcome: 'wechat_error' });
      return { kind: 'redirect', location: withFlag(pending.returnTo, 'login', 'failed') };
    }
    if (token.isSnapshotUser) {
      // A snapshot-page virtual account is not a real shopper; never bind it.
      metrics.signIns.inc({ outcome: 'snapshot_user' });
      return { kind: 'redirect', location: withFlag(pending.returnTo, 'login', 'snapshot') };
    }
    const profile = pending.scope === 'snsapi_userinfo' ? await fetchProfile(ctx, oauth, token) : NO_PROFILE;
    const shopper = await upsertShopper(db, { openid: token.openid, ...profile });
    const session = sessionOf(ctx);
    // Another WeChat user signing in on this browser must not inherit the previous user's
    // session-owned orders: they start with a fresh owner id.
    if (session.openid && session.openid !== token.openid) delete session.ownerId;
    const ownerId = ownerIdOf(ctx);
    await claimGuestOrders(db, ownerId, token.openid);
    const outcome: CallbackOutcome = {
      kind: 'signedIn',
      returnTo: pending.returnTo,
      openid: token.openid,
      ownerId,
      nickname: shopper.nickname,
      avatarUrl: shopper.avatar_url,
    };
    await startSignedInSession(ctx, pending, code, outcome);
    metrics.signIns.inc({ outcome: 'signed_in' });
    return outcome;
  }

  /**
   * A copy of a callback that another request (the same browser, loading it twice at once) is
   * completing: waits for that one and answers the same way. It never saves the pre-login session
   * as it was (the winner deleted that row on rotation; saving it would bring it back, and its
   * cookie could sign the shopper out): it either leaves the session untouched or, when the winner
   * signed in, rotates it into a signed-in session of its own, as a sequential reload would find.
   */
  async function answerAsTheWinner(ctx: Context, pending: PendingOAuth, code: string): Promise<void> {
    const outcome = await awaitCallbackOutcome(db, pending.state, code, CONCURRENT_CALLBACK_WAIT_MS);
    if (outcome === 'OTHER_CODE') throw badRequest(SPENT_CODE);
    if (!outcome) {
      ctx.state.log.warn('concurrent oauth callback: the first one did not finish in time');
      ctx.redirect(withFlag(pending.returnTo, 'login', 'failed'));
      return;
    }
    if (outcome.kind === 'signedIn') {
      const session = sessionOf(ctx);
      dropPendingState(ctx, pending);
      session.ownerId = outcome.ownerId;
      await startSignedInSession(ctx, pending, code, outcome);
    }
    answer(ctx, outcome);
  }
}

/** How long a completed callback may be loaded again (WeChat's client sometimes loads it twice). */
const REPEAT_WINDOW_MS = 5 * 60_000;
/** How long a concurrent copy of a callback waits for the first: a code exchange plus userinfo, each with its timeout. */
const CONCURRENT_CALLBACK_WAIT_MS = 12_000;

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

/** Marks the session signed in and gives it a new id (privilege change: a planted pre-login cookie is worthless). */
async function startSignedInSession(
  ctx: Context,
  pending: PendingOAuth,
  code: string,
  shopper: Extract<CallbackOutcome, { kind: 'signedIn' }>,
): Promise<void> {
  const session = sessionOf(ctx);
  session.openid = shopper.openid;
  session.nickname = shopper.nickname;
  session.avatarUrl = shopper.avatarUrl;
  clearSignInMarks(ctx);
  session.completedOAuth = {
    state: pending.state,
    code,
    returnTo: pending.returnTo,
    expiresAt: Date.now() + REPEAT_WINDOW_MS,
  };
  await session.regenerate();
}

function answer(ctx: Context, outcome: CallbackOutcome): void {
  if (outcome.kind === 'rejected') throw badRequest(outcome.message);
  ctx.redirect(outcome.kind === 'signedIn' ? outcome.returnTo : outcome.location);
}

/** WeChat answered with an error, garbage or nothing at all (as opposed to a bug of ours). */
function isWechatFailure(err: unknown): err is WechatError {
  return err instanceof WechatError && err.source === 'upstream';
}

/** Loggable facts of a WeChat failure: the errcode or the transport message, which names the path but never the query. */
function wechatFailureFields(err: WechatError): Record<string, unknown> {
  if (err instanceof WechatOAuthError) return { errcode: err.errcode };
  return { reason: err.message, ...(err instanceof WechatTransportError && err.status ? { status: err.status } : {}) };
}

const NO_PROFILE = { nickname: null, avatarUrl: null };

/**
 * Nickname and avatar for a snsapi_userinfo sign-in. The code is already spent, so a failing
 * /sns/userinfo must not cost the shopper the sign-in: they get in by openid, without a profile.
 */
async function fetchProfile(
  ctx: Context,
  oauth: OAuthClient,
  token: WebAccessToken,
): Promise<{ nickname: string | null; avatarUrl: string | null }> {
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

/**
 * Pending sign-ins kept in the session: each login mints a single-use, 10-minute `state` (the
 * CSRF token WeChat echoes back to the callback); a few may be live at once, one per tab.
 */
import type { Context } from 'koa';
import { isValidState, randomString, safeEqual, type OAuthScope } from '@wxpay-shop/wechat';
import { badRequest } from '../http/errors';
import { sessionOf, type PendingOAuth } from '../sessions/session';

const STATE_TTL_MS = 10 * 60_000;
const MAX_PENDING_STATES = 5;

/** Starts a sign-in: a fresh state in the session, which the callback must bring back. */
export function addPendingState(ctx: Context, scope: OAuthScope, returnTo: string): PendingOAuth {
  const session = sessionOf(ctx);
  const pending: PendingOAuth = { state: randomString(32), returnTo, scope, expiresAt: Date.now() + STATE_TTL_MS };
  // Several tabs may sign in at once; keep a few live states, newest last.
  session.oauth = [...(session.oauth ?? []).filter((p) => p.expiresAt > Date.now()), pending].slice(
    -MAX_PENDING_STATES,
  );
  return pending;
}

/** Finds the live pending state without consuming it; any miss is a 400 before any token exchange. */
export function findPendingState(ctx: Context): PendingOAuth {
  const state = ctx.query.state;
  if (!isValidState(state)) {
    throw badRequest('Sign-in state is missing. Please sign in again.');
  }
  const match = (sessionOf(ctx).oauth ?? []).find((p) => safeEqual(p.state, state));
  if (!match) throw badRequest('Sign-in state does not match this browser session. Please sign in again.');
  if (match.expiresAt <= Date.now()) {
    dropPendingState(ctx, match);
    throw badRequest('Sign-in took too long. Please sign in again.');
  }
  return match;
}

/** Removes the state (spent) and any expired ones from the session. */
export function dropPendingState(ctx: Context, pending: PendingOAuth): void {
  const session = sessionOf(ctx);
  session.oauth = (session.oauth ?? []).filter((p) => p !== pending && p.expiresAt > Date.now());
  if (session.oauth.length === 0) delete session.oauth;
}

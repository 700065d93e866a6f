/**
 * Cookies that tell the BFF, before the SPA boots, not to send a WeChat shopper to the silent sign-in:
 * they signed out (until they sign in again), or a sign-in was just tried (a short loop guard).
 * Neither is a credential: forging one only keeps its owner signed out.
 */
import type { Context } from 'koa';

/** Set by 退出登录, for the browser's session: no silent sign-in until the shopper asks for one. */
export const SIGNED_OUT_COOKIE = 'wxshop.signed-out';
/** Set when the BFF itself starts a silent sign-in for a page. */
export const SIGN_IN_ATTEMPT_COOKIE = 'wxshop.signin-attempt';
/** As the storefront's own guard: a sign-in that did not come back signed in is not retried for 2 minutes. */
const SIGN_IN_ATTEMPT_MAX_AGE_MS = 2 * 60_000;

const options = { httpOnly: true, sameSite: 'lax', signed: false, overwrite: true } as const;

export function markSignedOut(ctx: Context): void {
  ctx.cookies.set(SIGNED_OUT_COOKIE, '1', options);
}

export function markSignInAttempt(ctx: Context): void {
  ctx.cookies.set(SIGN_IN_ATTEMPT_COOKIE, '1', { ...options, maxAge: SIGN_IN_ATTEMPT_MAX_AGE_MS });
}

/** Signed in: both marks are spent. */
export function clearSignInMarks(ctx: Context): void {
  if (ctx.cookies.get(SIGNED_OUT_COOKIE)) ctx.cookies.set(SIGNED_OUT_COOKIE, null, options);
  if (ctx.cookies.get(SIGN_IN_ATTEMPT_COOKIE)) ctx.cookies.set(SIGN_IN_ATTEMPT_COOKIE, null, options);
}

/** Whether the shopper signed out or a sign-in was just tried: then the page loads as it is. */
export function holdsSignInMark(ctx: Context): boolean {
  return Boolean(ctx.cookies.get(SIGNED_OUT_COOKIE) || ctx.cookies.get(SIGN_IN_ATTEMPT_COOKIE));
}

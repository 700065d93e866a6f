/**
 * Inside WeChat, a page request without a signed-in session goes straight to the silent snsapi_base
 * sign-in, before the SPA boots: otherwise the SPA would boot, ask /api/me, leave for the sign-in,
 * come back and boot again (seconds on a phone). Only GET navigations to pages, never API calls or
 * assets; never after a sign-in came back without success (`?login=`), after 退出登录, or while a
 * sign-in the BFF started is recent (sign-in-marks): the SPA then shows its notice as before.
 */
import type { Context, Middleware, Next } from 'koa';
import { isAdminConsolePath } from '../http/admin-console';
import { isApiPath } from '../http/paths';
import type { Services } from '../services';
import { sessionOf } from '../sessions/session';
import { safeReturnTo } from './return-to';
import { holdsSignInMark, markSignInAttempt } from './sign-in-marks';
import { startSignIn } from './start-sign-in';

/** WeChat's in-app browser always names itself in its user agent (as the storefront checks). */
const isWeChatBrowser = (userAgent: string) => /MicroMessenger/i.test(userAgent);

/** A top-level navigation to one of the SPA's pages (not a file, not /assets/, not the API, not the operator console). */
export function isPageNavigation(ctx: Context): boolean {
  if (ctx.method !== 'GET' || isApiPath(ctx.path) || isAdminConsolePath(ctx.path)) return false;
  if (ctx.path.startsWith('/assets/') || /\.[A-Za-z0-9]+$/.test(ctx.path)) return false;
  const dest = ctx.get('Sec-Fetch-Dest');
  // Browsers that send Fetch Metadata say exactly what the request is for; older ones ask for HTML by name.
  if (dest) return dest === 'document';
  return /\btext\/html\b/i.test(ctx.get('Accept'));
}

/**
 * `sessions` is the session middleware, opened here only for the requests this may redirect (it
 * skips itself further down the same request); `next` serves the page as usual.
 */
export function signInFirst(services: Pick<Services, 'oauth' | 'urls'>, sessions: Middleware): Middleware {
  return async (ctx: Context, next: Next) => {
    const candidate =
      isPageNavigation(ctx) &&
      isWeChatBrowser(ctx.get('User-Agent')) &&
      ctx.query.login === undefined &&
      !holdsSignInMark(ctx);
    if (!candidate) return next();
    await sessions(ctx, async () => {
      if (sessionOf(ctx).openid) return next();
      const authorizeUrl = startSignIn(ctx, services, 'snsapi_base', safeReturnTo(ctx.url));
      markSignInAttempt(ctx);
      // The answer depends on cookies and the user agent: no cache may keep it.
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(authorizeUrl);
    });
  };
}

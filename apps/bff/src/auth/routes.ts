/**
 * WeChat web authorization (OAuth2): login → WeChat authorize page → callback, plus logout and /api/me.
 * The `state` is a single-use, 10-minute CSRF token bound to the session (pending-state); single use
 * is enforced in the database (callback-claims), so even concurrent callbacks exchange the code once.
 */
import Router from '@koa/router';
import { MeSchema, type Me } from '@wxpay-shop/contract';
import { badRequest } from '../http/errors';
import type { Services } from '../services';
import { destroySession, sessionOf } from '../sessions/session';
import { callbackHandler } from './callback';
import { safeReturnTo } from './return-to';
import { markSignedOut } from './sign-in-marks';
import { startSignIn } from './start-sign-in';

export function authRoutes(services: Services): Router {
  const router = new Router();

  router.get('/api/auth/login', async (ctx) => {
    const scopeParam = ctx.query.scope ?? 'snsapi_base';
    if (scopeParam !== 'snsapi_base' && scopeParam !== 'snsapi_userinfo') {
      throw badRequest('scope must be snsapi_base or snsapi_userinfo');
    }
    ctx.redirect(startSignIn(ctx, services, scopeParam, safeReturnTo(ctx.query.returnTo)));
  });

  router.get('/api/auth/callback', callbackHandler(services));

  router.post('/api/auth/logout', async (ctx) => {
    destroySession(ctx);
    // Signed out means signed out: the next page inside WeChat is not silently signed in again.
    markSignedOut(ctx);
    ctx.status = 204;
  });

  router.get('/api/me', async (ctx) => {
    const session = sessionOf(ctx);
    const me: Me = session.openid
      ? {
          signedIn: true,
          openid: session.openid,
          nickname: session.nickname ?? null,
          avatarUrl: session.avatarUrl ?? null,
        }
      : { signedIn: false };
    ctx.body = MeSchema.parse(me);
  });

  return router;
}

/** The Koa application shared by the HTTP and HTTPS servers. */
import Koa from 'koa';
import { bridgeRouter } from './bridge/routes';
import { controlRouter } from './console/control';
import { consolePage, consoleScript } from './console/page';
import type { Deps } from './deps';
import { isSafeMethod, rebindingProblem, siteOf, type SiteVerdict } from './http/origin';
import { jssdkPageRouter } from './jssdk/page-routes';
import { jssdkRouter } from './jssdk/routes';
import { oauthRouter } from './oauth/routes';
import { payRouter } from './pay/routes';
import { v3Router } from './pay/v3/routes';
import { h5Router } from './h5/routes';

export function createApp(deps: Deps, reset: () => void): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      // Any request may have changed the state; the state file only rewrites when it did.
      deps.changed();
    }
  });
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const status =
        typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
      deps.log(`${ctx.method} ${ctx.path} failed: ${err instanceof Error ? err.message : String(err)}`);
      ctx.status = status;
      ctx.type = 'text/plain';
      ctx.body = status === 500 ? 'internal error' : (err as Error).message;
    }
  });
  app.use(sameOriginWrites(deps));
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && (ctx.path === '/console' || ctx.path === '/')) {
      if (ctx.path === '/') return ctx.redirect('/console');
      ctx.type = 'text/html; charset=utf-8';
      // Images from anywhere: the share-card previews show the shop's pictures.
      ctx.set(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' http: https:",
      );
      ctx.body = consolePage();
      return;
    }
    if (ctx.method === 'GET' && ctx.path === '/console.js') {
      ctx.type = 'application/javascript; charset=utf-8';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = consoleScript;
      return;
    }
    await next();
  });
  const routers = [oauthRouter(deps), jssdkRouter(deps), payRouter(deps), v3Router(deps, deps.v3), h5Router(deps)];
  for (const router of [...routers, bridgeRouter(deps), jssdkPageRouter(deps), controlRouter(deps, reset)]) {
    app.use(router.routes());
  }
  return app;
}

/** Paths only the emulator's own pages post to: the console, the consent form, the NATIVE scan and H5 pages. */
const OWN_PAGE_PATHS = /^\/(__emulator|native|h5)\//;

/**
 * Refuses cross-site writes there, so a page elsewhere cannot pay, reset, pick the OAuth user or
 * inject faults. Non-browser clients (tests, curl) send no Origin and pass. A browser reaching the
 * console or control API by a name that is not the emulator's (DNS rebinding) may not even read.
 */
function sameOriginWrites(deps: Deps): Koa.Middleware {
  const noOtherOrigins = new Set<string>();
  return async (ctx, next) => {
    if (!OWN_PAGE_PATHS.test(ctx.path) && ctx.path !== '/console') return next();
    const reason = isSafeMethod(ctx.method)
      ? rebindingProblem(ctx, deps.publicUrl())
      : verdictReason(siteOf(ctx, noOtherOrigins, deps.publicUrl()));
    if (!reason) return next();
    deps.log(`${ctx.method} ${ctx.path} refused: ${reason}`);
    ctx.status = 403;
    ctx.body = { error: `cross-site request refused: ${reason}` };
  };
}

const verdictReason = (verdict: SiteVerdict) => (verdict.ok ? null : verdict.reason);

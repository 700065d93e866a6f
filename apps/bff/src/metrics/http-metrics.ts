/** Times every HTTP request under its route template (`/api/orders/:outTradeNo`), never the raw path. */
import type { Context, Next } from 'koa';
import type { Metrics } from './metrics';

/** Paths answered before any router, by app.ts itself. */
const FIXED_ROUTES = new Set(['/healthz', '/readyz']);
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The label for a request: the router's template, a fixed path, or one bucket for everything else. */
export function routeOf(ctx: Context): string {
  const matched: unknown = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  if (FIXED_ROUTES.has(ctx.path)) return ctx.path;
  // Storefront pages and files, 404s and probes: their paths are the client's choice, so one label.
  return 'other';
}

/** Mount outside the error middleware, so the status recorded is the one sent. */
export function httpMetrics(metrics: Metrics) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const stopTimer = metrics.httpSeconds.startTimer();
    try {
      await next();
    } finally {
      stopTimer({
        method: KNOWN_METHODS.has(ctx.method) ? ctx.method : 'OTHER',
        route: routeOf(ctx),
        status: String(ctx.status),
      });
    }
  };
}

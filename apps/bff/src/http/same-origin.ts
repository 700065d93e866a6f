/**
 * Writes with the shopper's session must come from the shop's own pages. SameSite=Lax cookies
 * already stay off other sites' POSTs in current browsers, but not from a sibling subdomain (same
 * site) nor in older in-app WebViews, and a bodiless POST (logout, pay) needs no JSON Content-Type.
 * Browsers name a request's source in Sec-Fetch-Site, or at least in Origin; clients that send
 * neither are not browsers and carry no one else's cookie.
 */
import type { Context, Next } from 'koa';
import { HttpError } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function fromElsewhere(ctx: Context, shopOrigin: () => string): boolean {
  const site = ctx.get('Sec-Fetch-Site');
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = ctx.get('Origin');
  if (!origin) return false;
  let host;
  try {
    host = new URL(origin).host;
  } catch {
    return true; // "null" (sandboxed frames, privacy redirects) or garbage
  }
  // The page came from the host it posts to (a dev proxy keeps Host), or from PUBLIC_BASE_URL.
  return host !== ctx.get('Host') && origin !== shopOrigin();
}

export function sameOriginWrites(shopOrigin: () => string) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!SAFE_METHODS.has(ctx.method) && fromElsewhere(ctx, shopOrigin)) {
      throw new HttpError(403, 'FORBIDDEN', 'Cross-site request refused');
    }
    await next();
  };
}

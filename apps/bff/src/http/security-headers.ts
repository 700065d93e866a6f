/** Baseline response headers; the SPA is same-origin so nothing needs to be framed or sniffed. */
import type { Context, Next } from 'koa';
import { isApiPath } from './paths';

export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.set('X-Frame-Options', 'DENY');
  // API answers are personal (orders, sign-in, errors naming them) unless a route says otherwise.
  if (isApiPath(ctx.path)) ctx.set('Cache-Control', 'no-store');
  await next();
}

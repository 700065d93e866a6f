/**
 * Baseline response headers; the SPA is same-origin so nothing needs to be framed or sniffed.
 * Every answer starts with the nothing-loads CSP; the storefront's HTML pages swap in the page
 * policy once they are known to be HTML, so a JSON error, a script file or an XML reply never
 * carries a policy that lets anything run.
 */
import type { Context, Next } from 'koa';
import { HSTS, NO_CONTENT_POLICY } from './content-security-policy';
import { isApiPath } from './paths';

export interface SecurityHeaderOptions {
  /** The Content-Security-Policy for the storefront's HTML. */
  pagePolicy: string;
  /** Send Strict-Transport-Security (production only: it is https there, see config.ts). */
  hsts: boolean;
}

export function securityHeaders({ pagePolicy, hsts }: SecurityHeaderOptions) {
  return async (ctx: Context, next: Next): Promise<void> => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Content-Security-Policy', NO_CONTENT_POLICY);
    if (hsts) ctx.set('Strict-Transport-Security', HSTS);
    // API answers are personal (orders, sign-in, errors naming them) unless a route says otherwise.
    if (isApiPath(ctx.path)) ctx.set('Cache-Control', 'no-store');
    await next();
    // A page may carry its own (the operator console's, see admin-console.ts).
    const policy = typeof ctx.state.pagePolicy === 'string' ? ctx.state.pagePolicy : pagePolicy;
    if (!isApiPath(ctx.path) && ctx.response.is('html')) ctx.set('Content-Security-Policy', policy);
  };
}

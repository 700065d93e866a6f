/**
 * Serves the built operator console (apps/admin) under /admin, as the storefront is served at /. Naive UI
 * writes its styles into <style> elements at run time, so the console's pages allow inline styles; scripts
 * stay 'self' only.
 */
import type { Context, Next } from 'koa';
import { storefront } from './storefront';

const PREFIX = '/admin';

/** The operator console's pages and files, under /admin. */
export const isAdminConsolePath = (path: string) => path === PREFIX || path.startsWith(`${PREFIX}/`);

export function adminConsole(dist: string, basePolicy: string) {
  const spa = storefront(dist);
  const policy = basePolicy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!isAdminConsolePath(ctx.path)) return next();
    if (ctx.path === PREFIX) return ctx.redirect(`${PREFIX}/`);
    const original = ctx.path;
    ctx.state.pagePolicy = policy;
    ctx.path = ctx.path.slice(PREFIX.length);
    try {
      // Nothing after the console: a file it lacks is a 404 here, not the storefront's page.
      await spa(ctx, async () => undefined);
    } finally {
      ctx.path = original;
    }
  };
}

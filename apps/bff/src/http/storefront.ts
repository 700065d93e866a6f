/** Serves the built SPA; unknown non-API GETs get index.html so client-side routes work on reload. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Next } from 'koa';
import serve from 'koa-static';

export function storefront(dist: string) {
  const assets = serve(dist, { index: 'index.html', maxage: 0 });
  const indexFile = path.join(dist, 'index.html');
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.path.startsWith('/api/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    await assets(ctx, next);
    if (ctx.status === 404 && ctx.body === undefined && ctx.accepts('html')) {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = await readFile(indexFile);
      ctx.status = 200;
    }
  };
}

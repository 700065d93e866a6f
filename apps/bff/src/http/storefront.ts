/**
 * Serves the built SPA. Vite content-hashes everything under /assets/, so those are cached for
 * a year; anything else (index.html above all) is revalidated so a deploy is picked up at once.
 * Unknown page paths get index.html so client-side routes survive a reload, but a missing file
 * (an old page asking for last deploy's chunk) is a plain 404, not HTML served as JavaScript.
 * The build emits brotli and gzip siblings (`app.js.br`, `app.js.gz`), which koa-send picks by
 * Accept-Encoding; `Vary` tells caches between us and the phone that the body depends on it.
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { Context, Next } from 'koa';
import serve from 'koa-static';
import { isApiPath } from './paths';

const HASHED_ASSETS = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Client routes look like /orders/123; files have an extension or live under /assets/. */
const isPageRoute = (p: string) => !p.startsWith(HASHED_ASSETS) && !/\.[A-Za-z0-9]+$/.test(p);

export function storefront(dist: string) {
  // koa-send hands setHeaders the resolved absolute path.
  const assetsDir = path.resolve(dist, 'assets') + path.sep;
  const assets = serve(dist, {
    index: 'index.html',
    setHeaders: (res: ServerResponse, file: string) => {
      res.setHeader('Cache-Control', file.startsWith(assetsDir) ? IMMUTABLE : 'no-cache');
      res.setHeader('Vary', 'Accept-Encoding');
    },
  });
  const indexFile = path.join(dist, 'index.html');
  return async (ctx: Context, next: Next): Promise<void> => {
    if (isApiPath(ctx.path) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    await assets(ctx, next);
    if (ctx.status === 404 && ctx.body === undefined && isPageRoute(ctx.path) && ctx.accepts('html')) {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = await readFile(indexFile);
      ctx.status = 200;
    }
  };
}

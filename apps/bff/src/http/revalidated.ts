/**
 * JSON that browsers may keep but must revalidate on every use (Cache-Control: no-cache + ETag):
 * an unchanged answer costs a 304, a changed one (stock after an order) is seen as soon as the server has it.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'koa';

/**
 * RFC 9110 weak comparison against If-None-Match. Koa's ctx.fresh is not used: it gives up on
 * any request carrying Cache-Control: no-cache, which fetch() adds to every conditional request.
 */
function matches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** The request's If-None-Match names `etag`: the client's copy is current (answer 304). */
export function isCurrentCopy(ctx: Context, etag: string): boolean {
  const ifNoneMatch = ctx.get('If-None-Match');
  return ifNoneMatch !== '' && matches(ifNoneMatch, etag);
}

/** The validator for a JSON answer: a short sha256 (base64url), quoted. */
export function etagOf(json: string): string {
  return `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

export function sendRevalidated(ctx: Context, body: unknown): void {
  const json = JSON.stringify(body);
  sendRevalidatedJson(ctx, json, etagOf(json));
}

/** sendRevalidated for an answer already serialised, with its `etagOf` (kept by a cache). */
export function sendRevalidatedJson(ctx: Context, json: string, etag: string): void {
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('ETag', etag);
  if (isCurrentCopy(ctx, etag)) {
    ctx.status = 304;
    return;
  }
  ctx.type = 'application/json';
  ctx.body = json;
}

/** Refuses a URL carrying an encoded NUL (%00): PostgreSQL text cannot hold U+0000 (JSON bodies: body.ts). */
import type { Context, Next } from 'koa';
import { badRequest } from './errors';
import { NUL_MESSAGE } from './body';

/** Path and query together, before any route decodes a parameter into a query. */
export async function refuseNulInUrl(ctx: Context, next: Next): Promise<void> {
  // Node's parser already refuses a raw NUL in the request line; only the escape can get this far.
  if (/%00/i.test(ctx.url)) throw badRequest(NUL_MESSAGE);
  await next();
}

/** Request body readers with hard size caps (the JSON API and the XML notification endpoints). */
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import type * as zc from 'zod/v4/core';
import { MAX_XML_BYTES } from '@wxpay-shop/wechat';
import { HttpError, badRequest } from './errors';

const JSON_LIMIT_BYTES = 16 * 1024;
export const NUL_MESSAGE = 'Text must not contain the NUL character (U+0000)';
/** Notification bodies: the same cap the XML parser applies. */
export const NOTIFY_LIMIT_BYTES = MAX_XML_BYTES;

export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.get('Content-Length') || undefined });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') {
      // raw-body stops reading mid-body; drop the rest (as Node does for any unread body), else it
      // stays in the socket and the client's next request on this keep-alive connection hangs.
      ctx.req.resume();
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Request body too large');
    }
    throw badRequest('Could not read the request body');
  }
}

/**
 * Where a parsed JSON value holds U+0000 (in a string or an object key), as a dotted path like zod's
 * issue paths ('' for the value itself), or null. Iterative: 16 KB nests deep.
 */
export function nulPath(value: unknown): string | null {
  const pending: [unknown, string[]][] = [[value, []]];
  while (pending.length > 0) {
    const [next, path] = pending.pop()!;
    if (typeof next === 'string') {
      if (next.includes('\u0000')) return path.join('.');
    } else if (Array.isArray(next)) {
      next.forEach((item: unknown, i) => pending.push([item, [...path, String(i)]]));
    } else if (typeof next === 'object' && next !== null) {
      for (const [k, v] of Object.entries(next)) {
        if (k.includes('\u0000')) return path.join('.');
        pending.push([v, [...path, k]]);
      }
    }
  }
  return null;
}

/** Whether any string in a parsed JSON value (object keys included) holds U+0000. */
export function holdsNul(value: unknown): boolean {
  return nulPath(value) !== null;
}

/**
 * Parses a JSON body (empty → {}) against a strict zod schema. Requiring application/json
 * also means a cross-site HTML form can never reach these handlers without a CORS preflight.
 * PostgreSQL text (and jsonb) cannot hold U+0000, so a string carrying it is refused here, for
 * every JSON route at once, before it can reach a query.
 */
export async function readJson<S extends zc.$ZodType>(ctx: Context, schema: S): Promise<zc.output<S>> {
  const raw = await readRawBody(ctx, JSON_LIMIT_BYTES);
  let value: unknown = {};
  if (raw.length > 0) {
    if (!ctx.is('application/json')) throw badRequest('Content-Type must be application/json');
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      throw badRequest('Malformed JSON');
    }
    const at = nulPath(value);
    if (at !== null) throw new HttpError(400, 'BAD_REQUEST', NUL_MESSAGE, [{ path: at, message: NUL_MESSAGE }]);
  }
  // zod classic's parse, whichever flavour the schema is (the contract's are zod/mini): throws a ZodError.
  return z.parse(schema, value);
}

/** Raw request bodies, bounded: the emulator never trusts a client to send a sane size. */
import type { Context } from 'koa';
import getRawBody from 'raw-body';

const MAX_BODY_BYTES = 256 * 1024;

const tooLarge = (err: unknown) => (err as { type?: unknown }).type === 'entity.too.large';

/**
 * The body, or raw-body's 413 error when it is over `limit`. The unread rest of an oversized body
 * is discarded (as Node does for any unread body) rather than left in the socket, so a keep-alive
 * client is neither stalled nor reset.
 */
export async function readRawBody(ctx: Context, limit = MAX_BODY_BYTES): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit });
  } catch (err) {
    if (tooLarge(err)) ctx.req.resume();
    throw err;
  }
}

/** Like readRawBody, but a body over the limit yields null, so a caller can answer in its own protocol. */
export async function readRawBodyOrNull(ctx: Context, limit = MAX_BODY_BYTES): Promise<Buffer | null> {
  try {
    return await readRawBody(ctx, limit);
  } catch (err) {
    if (!tooLarge(err)) throw err;
    return null;
  }
}

/**
 * JSON or form body of a request to the emulator's own endpoints; `{}` when empty. Throws on bad JSON.
 * Forms serve its own pages (consent, scan); the control API and bridge admit JSON only (http/origin.ts).
 */
export async function readJsonBody(ctx: Context): Promise<Record<string, unknown>> {
  const raw = (await readRawBody(ctx, 64 * 1024)).toString('utf8');
  if (raw.trim() === '') return {};
  const type = ctx.get('content-type');
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  const parsed: unknown = JSON.parse(raw);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new SyntaxError('body must be a JSON object');
  return parsed as Record<string, unknown>;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

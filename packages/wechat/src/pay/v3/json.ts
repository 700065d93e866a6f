/** Bounded, strict JSON body parsing and typed field readers for v3 answers and notifications. Pure. */
import { WechatJsonError, type V3Source } from './errors';

export const DEFAULT_MAX_JSON_BYTES = 64 * 1024;

export type JsonObject = Record<string, unknown>;

/** Size is checked on bytes before parsing; a top-level non-object is refused. */
export function parseJsonObject(
  body: string | Buffer,
  maxBytes = DEFAULT_MAX_JSON_BYTES,
  source: V3Source = 'inbound',
): JsonObject {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  if (bytes === 0) throw new WechatJsonError('empty JSON body', 'EMPTY', source);
  if (bytes > maxBytes) throw new WechatJsonError(`JSON body exceeds ${maxBytes} bytes`, 'TOO_LARGE', source);
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new WechatJsonError('body is not JSON', 'MALFORMED', source);
  }
  if (!isObject(value)) throw new WechatJsonError('JSON body is not an object', 'NOT_OBJECT', source);
  return value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string field, or undefined. */
export function stringField(obj: JsonObject | undefined, name: string): string | undefined {
  const value = obj?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A non-negative safe JSON integer (amounts in fen are integers, never strings or decimals), or undefined. */
export function intField(obj: JsonObject | undefined, name: string): number | undefined {
  const value = obj?.[name];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function objectField(obj: JsonObject | undefined, name: string): JsonObject | undefined {
  const value = obj?.[name];
  return isObject(value) ? value : undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 with an offset (v3 times), or undefined when absent or not a valid instant. */
export function timeField(obj: JsonObject | undefined, name: string): Date | undefined {
  const value = stringField(obj, name);
  if (value === undefined || !RFC3339.test(value)) return undefined;
  const date = new Date(value);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

/**
 * WeChat Pay v2 signature ("安全规范"): pure functions, no I/O.
 *
 * stringSignTemp = sorted `k=v` pairs (ASCII order, `sign` and empty values skipped) + `&key=` + API key;
 * MD5 → upper hex; HMAC-SHA256 keyed with the API key over the same string → upper hex.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SignType = 'MD5' | 'HMAC-SHA256';
export const SIGN_TYPES: readonly SignType[] = ['MD5', 'HMAC-SHA256'];

export type SignableParams = Readonly<Record<string, string | number | undefined | null>>;

export function isSignType(value: unknown): value is SignType {
  return value === 'MD5' || value === 'HMAC-SHA256';
}

/** The exact string that is hashed. Exposed for tests and debugging; never log it (it holds the key). */
export function signString(params: SignableParams, key: string): string {
  const pairs = Object.keys(params)
    .filter(
      (name) => name !== 'sign' && params[name] !== undefined && params[name] !== null && String(params[name]) !== '',
    )
    // Default sort compares UTF-16 code units: ASCII order for ASCII names, as WeChat requires.
    .sort()
    .map((name) => `${name}=${params[name]}`);
  return `${pairs.join('&')}&key=${key}`;
}

export function sign(params: SignableParams, key: string, signType: SignType = 'MD5'): string {
  // Checked at run time too: an unchecked string such as 'md5' must not silently get an MD5 sign
  // that the message then labels with another type.
  if (!isSignType(signType)) throw new Error('signType must be MD5 or HMAC-SHA256');
  const message = signString(params, key);
  const digest =
    signType === 'HMAC-SHA256'
      ? createHmac('sha256', key).update(message, 'utf8').digest('hex')
      : createHash('md5').update(message, 'utf8').digest('hex');
  return digest.toUpperCase();
}

/** Constant-time comparison of two signatures (or any two strings). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The sign type a received message claims: its `sign_type` field if present,
 * otherwise MD5 (the documented default). Returns null for an unsupported value
 * such as lower-case `md5`, which WeChat rejects as well.
 */
export function signTypeOf(params: SignableParams): SignType | null {
  const declared = params.sign_type;
  if (declared === undefined || declared === null || declared === '') return 'MD5';
  return isSignType(declared) ? declared : null;
}

/**
 * Verifies `params.sign` over every other field received (unknown fields included,
 * as the docs require). The sign type comes from the message unless `expected` pins it;
 * a message whose declared type differs from `expected` fails.
 */
export function verify(params: SignableParams, key: string, expected?: SignType): boolean {
  const received = params.sign;
  if (typeof received !== 'string' || received === '') return false;
  const declared = signTypeOf(params);
  if (declared === null) return false;
  if (expected && params.sign_type !== undefined && params.sign_type !== '' && declared !== expected) return false;
  const signType = expected ?? declared;
  return safeEqual(sign(params, key, signType), received);
}

/** Field format rules of the v2 API (参数规定), as pure predicates. */
import { isIP } from 'node:net';
import { parseBeijingTime, parseNonNegativeInt } from '@wxpay-shop/wechat';

export const OUT_TRADE_NO = /^[0-9a-zA-Z_\-|*]{1,32}$/;
export const OUT_REFUND_NO = /^[0-9a-zA-Z_\-|*@]{1,64}$/;
/** Amounts are integer fen; WeChat caps a single payment well below 2^31. */
export function positiveFen(value: string | undefined): number | null {
  // Digits only, no leading zeros (so '' and '0' → null); the cap also bounds it to 10 digits.
  const n = parseNonNegativeInt(value);
  return n !== null && n > 0 && n <= 2_147_483_647 ? n : null;
}

/**
 * Over a String(max) limit. v2 lengths count UTF-8 bytes (a CJK character is 3): a `body` of exactly
 * 128 bytes has been refused with "body过长", so '汉'×43 (129 bytes) is over String(127).
 */
export function tooLong(value: string | undefined, max: number): boolean {
  return value !== undefined && Buffer.byteLength(value, 'utf8') > max;
}

/** Absolute http(s) URL with no query string (WeChat appends nothing and rejects params). */
export function notifyUrlProblem(value: string): string | null {
  if (tooLong(value, 256)) return 'notify_url长度不能超过256';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'notify_url必须是完整的http(s)地址';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'notify_url必须是完整的http(s)地址';
  if (value.includes('?')) return 'notify_url不能携带参数';
  if (url.hash) return 'notify_url不能包含#';
  return null;
}

export function validIp(value: string): boolean {
  return isIP(value) !== 0;
}

export function validBeijingTime(value: string): boolean {
  return parseBeijingTime(value) !== null;
}

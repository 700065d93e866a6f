/** Identifier formats modelled on what WeChat hands out. */
import { randomBytes, randomInt } from 'node:crypto';
import { beijingTime, randomString } from '@wxpay-shop/wechat';

function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(10));
  return out;
}

/** `wx` + 34 alphanumerics (observed: `wx` + yyyyMMddHHmmss + hex); 36 chars. */
export function newPrepayId(now = new Date()): string {
  return `wx${beijingTime(now).slice(2)}${randomString(22)}`;
}

export function newCodeUrl(): string {
  return `weixin://wxpay/bizpayurl?pr=${randomString(7)}`;
}

/**
 * The emulator's stand-in for `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=…&package=…`;
 * the shop may append `&redirect_url=` (URL-encoded).
 */
export function newH5Url(publicUrl: string, prepayId: string): string {
  return `${publicUrl}/h5/checkmweb?prepay_id=${prepayId}&package=${digits(10)}`;
}

/** 28 digits starting 4200 (the prefix WeChat uses for balance/card payments). */
export function newTransactionId(now = new Date()): string {
  return `4200${digits(6)}${beijingTime(now).slice(0, 8)}${digits(10)}`;
}

/** 29 digits starting 50, like v2 refund ids. */
export function newRefundId(): string {
  return `50${digits(27)}`;
}

/** `rid: 6a3f…-…-…` suffix for OAuth errmsg (clients must branch on errcode, not text). */
export function newRid(): string {
  const hex = randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}`;
}

export function newOauthCode(): string {
  return randomString(32);
}

/** Web access tokens are long opaque strings; 89 chars is close to what WeChat issues. */
export function newAccessToken(): string {
  return randomBytes(66).toString('base64url').slice(0, 89);
}

/** Merchant order numbers: Beijing-time date prefix + random, ≤ 32 chars of [0-9A-Za-z]. */
import { beijingTime, randomString } from '@wxpay-shop/wechat';

export function newOutTradeNo(now: Date = new Date()): string {
  return `${beijingTime(now)}${randomString(14)}`; // 14 + 14 = 28 chars
}

export const OUT_TRADE_NO = /^[0-9A-Za-z]{1,32}$/;

/** Argument checks and wire formats shared by the v3 API calls (`method: rule` messages). Pure. */

/** 参数规定: out_trade_no 6-32 of [0-9A-Za-z_-|*] (v3); out_refund_no ≤ 64 of the same plus @. */
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

export function checkOutTradeNo(method: string, value: string): void {
  if (typeof value !== 'string' || !OUT_TRADE_NO.test(value)) {
    throw new Error(`${method}: outTradeNo must be 6-32 characters of [0-9A-Za-z_-|*]`);
  }
}

export function checkOutRefundNo(method: string, value: string): void {
  if (typeof value !== 'string' || !OUT_REFUND_NO.test(value)) {
    throw new Error(`${method}: outRefundNo must be 1-64 characters of [0-9A-Za-z_-|*@]`);
  }
}

export function checkFen(method: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${method}: ${name} must be a positive integer (fen)`);
  }
}

/** WeChat requires an absolute http(s) URL without a query string (notifications are POSTed to it as is). */
export function checkNotifyUrl(method: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${method}: notifyUrl must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${method}: notifyUrl must be http(s)`);
  if (value.includes('?') || value.includes('#')) {
    throw new Error(`${method}: notifyUrl must not carry a query string or fragment`);
  }
}

/** RFC 3339 in Beijing time (`2018-06-08T10:34:56+08:00`), v3's time format. */
export function rfc3339Beijing(date: Date): string {
  if (!Number.isFinite(date.getTime())) throw new Error('time must be a valid Date');
  return `${new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

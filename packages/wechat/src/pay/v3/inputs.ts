/** Argument checks and wire formats shared by the v3 API calls (`method: rule` messages). Pure. */

export { checkNotifyUrl, checkOutRefundNo } from '../input-rules';

/** 参数规定: out_trade_no 6-32 of [0-9A-Za-z_-|*] (v3). */
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;

export function checkOutTradeNo(method: string, value: string): void {
  if (typeof value !== 'string' || !OUT_TRADE_NO.test(value)) {
    throw new Error(`${method}: outTradeNo must be 6-32 characters of [0-9A-Za-z_-|*]`);
  }
}

export function checkFen(method: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${method}: ${name} must be a positive integer (fen)`);
  }
}

/** RFC 3339 in Beijing time (`2018-06-08T10:34:56+08:00`), v3's time format. */
export function rfc3339Beijing(date: Date): string {
  if (!Number.isFinite(date.getTime())) throw new Error('time must be a valid Date');
  return `${new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

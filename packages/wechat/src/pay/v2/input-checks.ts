/**
 * Argument checks run before anything is signed or sent. Each throws a plain `Error` of the form
 * `method: rule`, because a bad argument is the caller's bug, not a WeChat failure. Pure.
 */
import {
  BILL_TYPES,
  type DownloadBillInput,
  type OrderQueryBy,
  type RefundInput,
  type RefundQueryBy,
  type UnifiedOrderInput,
} from './types';
import { checkNotifyUrl, checkOutRefundNo } from '../input-rules';

function isPositiveFen(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

/** 参数规定: out_trade_no ≤ 32 of [0-9A-Za-z_-|*] (v2; out_refund_no's rule is in ../input-rules). */
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{1,32}$/;

export function checkOutTradeNo(method: string, value: string): void {
  if (typeof value !== 'string' || !OUT_TRADE_NO.test(value)) {
    throw new Error(`${method}: outTradeNo must be 1-32 characters of [0-9A-Za-z_-|*]`);
  }
}

export function checkUnifiedOrderInput(input: UnifiedOrderInput): void {
  if (!['JSAPI', 'NATIVE', 'MWEB'].includes(input.tradeType)) {
    throw new Error('tradeType must be JSAPI, NATIVE or MWEB');
  }
  if (input.tradeType === 'JSAPI' && !input.openid) throw new Error('unifiedOrder: JSAPI requires openid');
  if (input.tradeType === 'NATIVE' && !input.productId) throw new Error('unifiedOrder: NATIVE requires productId');
  if (input.tradeType === 'MWEB') checkH5Info(input.h5Info);
  if (!isPositiveFen(input.totalFee)) throw new Error('unifiedOrder: totalFee must be a positive integer (fen)');
  if (!input.outTradeNo || !input.body || !input.spbillCreateIp || !input.notifyUrl) {
    throw new Error('unifiedOrder: outTradeNo, body, spbillCreateIp and notifyUrl are required');
  }
  checkOutTradeNo('unifiedOrder', input.outTradeNo);
  checkNotifyUrl('unifiedOrder', input.notifyUrl);
  const { timeExpire } = input;
  if (timeExpire !== undefined && !(timeExpire instanceof Date && Number.isFinite(timeExpire.getTime()))) {
    throw new Error('unifiedOrder: timeExpire must be a valid Date');
  }
}

/** scene_info is String(256): the JSON must fit in 256 UTF-8 bytes. */
function checkH5Info(h5Info: UnifiedOrderInput['h5Info']): void {
  if (!h5Info || h5Info.type !== 'Wap' || !h5Info.wapUrl || !h5Info.wapName) {
    throw new Error('unifiedOrder: MWEB requires h5Info { type: "Wap", wapUrl, wapName }');
  }
  if (!/^https?:\/\//.test(h5Info.wapUrl)) throw new Error('unifiedOrder: h5Info.wapUrl must be an http(s) URL');
  if (Buffer.byteLength(sceneInfoJson(h5Info), 'utf8') > 256) {
    throw new Error('unifiedOrder: scene_info exceeds 256 bytes (shorten wapUrl or wapName)');
  }
}

/** The wire form of MWEB's scene_info. */
export function sceneInfoJson(h5Info: NonNullable<UnifiedOrderInput['h5Info']>): string {
  return JSON.stringify({ h5_info: { type: h5Info.type, wap_url: h5Info.wapUrl, wap_name: h5Info.wapName } });
}

export function checkOrderQueryBy(by: OrderQueryBy): void {
  if ('transactionId' in by) {
    if (!by.transactionId) throw new Error('orderQuery: transactionId must not be empty');
  } else checkOutTradeNo('orderQuery', by.outTradeNo);
}

export function checkRefundInput(input: RefundInput): void {
  checkOutTradeNo('refund', input.outTradeNo);
  checkOutRefundNo('refund', input.outRefundNo);
  if (input.notifyUrl !== undefined) checkNotifyUrl('refund', input.notifyUrl);
  if (!isPositiveFen(input.totalFee) || !isPositiveFen(input.refundFee)) {
    throw new Error('refund: totalFee and refundFee must be positive integers (fen)');
  }
  if (input.refundFee > input.totalFee) throw new Error('refund: refundFee exceeds totalFee');
}

export function checkRefundQueryBy(by: RefundQueryBy): void {
  if ('outRefundNo' in by) checkOutRefundNo('refundQuery', by.outRefundNo);
  else checkOutTradeNo('refundQuery', by.outTradeNo);
}

/** A real calendar day, yyyyMMdd; WeChat keeps bills for three months, which it checks itself. */
export function checkDownloadBillInput(input: DownloadBillInput): void {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(input.billDate);
  const [year, month, day] = match ? match.slice(1).map(Number) : [];
  const date = match ? new Date(Date.UTC(year!, month! - 1, day!)) : undefined;
  if (!date || date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day) {
    throw new Error('downloadBill: billDate must be a real day, yyyyMMdd');
  }
  if (input.billType !== undefined && !BILL_TYPES.includes(input.billType)) {
    throw new Error(`downloadBill: billType must be one of ${BILL_TYPES.join(', ')}`);
  }
}

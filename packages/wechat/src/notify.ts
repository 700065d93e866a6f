/**
 * Pay v2 notifications (WeChat → merchant): payment result (signed) and refund result
 * (unsigned; `req_info` is AES-encrypted with a key derived from the API key). Pure.
 * Error messages are fixed strings: safe to log and to echo in a FAIL reply.
 */
import { WechatNotifyError, WechatSignatureError, WechatXmlError } from './errors';
import { optionalField, parseNonNegativeInt } from './fields';
import { decryptReqInfo } from './refund-crypto';
import { isSignType, verify, type SignType } from './sign';
import { buildXml, parseXml, type FlatXml } from './xml';

export interface NotifyOptions {
  appId: string;
  mchId: string;
  apiKey: string;
  maxBytes?: number;
}

export interface PayNotify {
  appId: string;
  mchId: string;
  outTradeNo: string;
  transactionId: string;
  /** Order amount in fen: compare THIS (not cashFee) with the order. */
  totalFee: number;
  cashFee: number;
  openid: string;
  tradeType: string;
  resultCode: 'SUCCESS' | 'FAIL';
  /** yyyyMMddHHmmss, Beijing time. */
  timeEnd: string;
  attach?: string;
  raw: Record<string, string>;
}

const REFUND_STATUSES = ['SUCCESS', 'CHANGE', 'REFUNDCLOSE'] as const;
export type RefundNotifyStatus = (typeof REFUND_STATUSES)[number];

export interface RefundNotify {
  outTradeNo: string;
  transactionId: string;
  outRefundNo: string;
  refundId: string;
  totalFee: number;
  refundFee: number;
  /**
   * 'UNKNOWN' when WeChat sends a status this parser does not know (verbatim in `rawStatus`):
   * the notification is still authentic, so acknowledge it, but treat the refund as still
   * processing and let refundquery settle it.
   */
  refundStatus: RefundNotifyStatus | 'UNKNOWN';
  /** The verbatim refund_status, set only when `refundStatus` is 'UNKNOWN'. */
  rawStatus?: string;
  /** `yyyy-MM-dd HH:mm:ss`, Beijing time. */
  successTime?: string;
  /** The decrypted `<root>` fields. */
  raw: Record<string, string>;
}

/**
 * The algorithm a notification was signed with. A declared `sign_type` wins (and must be
 * exact: lower-case `md5` is refused); without one, the sign's length decides, because
 * HMAC-SHA256 merchants have been seen receiving MD5-signed notifications.
 */
function notifySignType(fields: FlatXml): SignType {
  const declared = fields.sign_type;
  if (declared !== undefined && declared !== '') {
    if (!isSignType(declared)) throw new WechatSignatureError('unsupported sign_type', 'inbound');
    return declared;
  }
  const length = fields.sign?.length;
  if (length === 32) return 'MD5';
  if (length === 64) return 'HMAC-SHA256';
  throw new WechatSignatureError('sign has an unexpected length', 'inbound');
}

function requireField(fields: FlatXml, name: string): string {
  const value = optionalField(fields, name);
  if (value === undefined) throw new WechatNotifyError(`missing ${name}`);
  return value;
}

function requireAmount(fields: FlatXml, name: string): number {
  const value = parseNonNegativeInt(fields[name]);
  if (value === null) throw new WechatNotifyError(`${name} is not a non-negative integer`);
  return value;
}

function checkMerchant(fields: FlatXml, options: NotifyOptions): void {
  if (fields.appid !== options.appId) throw new WechatNotifyError('appid does not match');
  if (fields.mch_id !== options.mchId) throw new WechatNotifyError('mch_id does not match');
}

export async function parsePayNotify(body: string | Buffer, options: NotifyOptions): Promise<PayNotify> {
  const fields = await parseXml(body, { maxBytes: options.maxBytes });
  if (fields.return_code !== 'SUCCESS') throw new WechatNotifyError('return_code is not SUCCESS');
  if (!fields.sign) throw new WechatSignatureError('missing sign', 'inbound');
  // Authenticity first: nothing else in an unverified message is worth reading.
  if (!verify(fields, options.apiKey, notifySignType(fields))) {
    throw new WechatSignatureError('sign does not verify', 'inbound');
  }
  checkMerchant(fields, options);

  const resultCode = fields.result_code;
  if (resultCode !== 'SUCCESS' && resultCode !== 'FAIL')
    throw new WechatNotifyError('result_code is not SUCCESS or FAIL');
  const timeEnd = requireField(fields, 'time_end');
  if (!/^\d{14}$/.test(timeEnd)) throw new WechatNotifyError('time_end is not yyyyMMddHHmmss');

  const notify: PayNotify = {
    appId: options.appId,
    mchId: options.mchId,
    outTradeNo: requireField(fields, 'out_trade_no'),
    transactionId: requireField(fields, 'transaction_id'),
    totalFee: requireAmount(fields, 'total_fee'),
    cashFee: requireAmount(fields, 'cash_fee'),
    openid: requireField(fields, 'openid'),
    tradeType: requireField(fields, 'trade_type'),
    resultCode,
    timeEnd,
    raw: fields,
  };
  const attach = optionalField(fields, 'attach');
  if (attach !== undefined) notify.attach = attach;
  return notify;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export async function parseRefundNotify(body: string | Buffer, options: NotifyOptions): Promise<RefundNotify> {
  const outer = await parseXml(body, { maxBytes: options.maxBytes });
  if (outer.return_code !== 'SUCCESS') throw new WechatNotifyError('return_code is not SUCCESS');
  const reqInfo = outer.req_info;
  if (!reqInfo) throw new WechatSignatureError('missing req_info', 'inbound');

  // There is no sign: decrypting to well-formed XML with our key is the authentication.
  let fields: FlatXml;
  try {
    if (!BASE64.test(reqInfo) || reqInfo.length % 4 !== 0) throw new Error('not base64');
    fields = await parseXml(decryptReqInfo(reqInfo, options.apiKey), { root: 'root', maxBytes: options.maxBytes });
  } catch (err) {
    if (err instanceof WechatXmlError && err.reason === 'TOO_LARGE') throw err;
    throw new WechatSignatureError('req_info could not be decrypted with our API key', 'inbound');
  }
  checkMerchant(outer, options);

  const refundStatusField = requireField(fields, 'refund_status');
  const refundStatus = REFUND_STATUSES.find((s) => s === refundStatusField);
  const notify: RefundNotify = {
    outTradeNo: requireField(fields, 'out_trade_no'),
    transactionId: requireField(fields, 'transaction_id'),
    outRefundNo: requireField(fields, 'out_refund_no'),
    refundId: requireField(fields, 'refund_id'),
    totalFee: requireAmount(fields, 'total_fee'),
    refundFee: requireAmount(fields, 'refund_fee'),
    // Rejecting an unknown status would make WeChat re-send an authentic message for hours.
    ...(refundStatus === undefined
      ? { refundStatus: 'UNKNOWN' as const, rawStatus: refundStatusField }
      : { refundStatus }),
    raw: fields,
  };
  const successTime = optionalField(fields, 'success_time');
  if (successTime !== undefined) notify.successTime = successTime;
  return notify;
}

/** The XML reply WeChat expects; anything but SUCCESS makes it retry the notification. */
export function notifyReply(ok: true): string;
export function notifyReply(ok: false, reason: string): string;
export function notifyReply(ok: boolean, reason?: string): string {
  return ok
    ? buildXml({ return_code: 'SUCCESS', return_msg: 'OK' })
    : buildXml({ return_code: 'FAIL', return_msg: reason || 'FAIL' });
}

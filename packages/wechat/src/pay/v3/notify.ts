/**
 * v3 payment and refund notifications: size cap, header signature over the raw body, JSON envelope,
 * AEAD_AES_256_GCM resource, then our appid/mchid and the amounts (协议 §10.5). Pure: the caller supplies
 * the key ring (and refreshes certificates). Error messages are fixed text, safe to log and to reply.
 */
import { WechatNotifyError } from '../../errors';
import type { GatewayNotification, GatewayRefundState, NotificationReply } from '../gateway';
import { decryptResource, type EncryptedResource } from './aead';
import { WechatJsonError } from './errors';
import { intField, objectField, parseJsonObject, stringField, timeField, type JsonObject } from './json';
import type { WechatpayKeyRing } from './keyring';
import { readWechatpayHeaders, verifyWechatpaySignature, type HeaderBag, type VerifyOptions } from './signature';

export const DEFAULT_MAX_NOTIFY_BYTES = 64 * 1024;

export interface NotifyV3Options extends VerifyOptions {
  appId: string;
  mchId: string;
  apiV3Key: string | Buffer;
  keys: WechatpayKeyRing;
  maxBytes?: number;
}

export interface NotifyV3Envelope {
  id: string;
  eventType: string;
  createTime?: Date;
}

/** The decoded notification plus its envelope (id, event_type). */
export type NotifyV3 = GatewayNotification & { envelope: NotifyV3Envelope };

const REFUND_STATUSES: Record<string, GatewayRefundState> = {
  SUCCESS: 'SUCCESS',
  CLOSED: 'CLOSED',
  ABNORMAL: 'ABNORMAL',
  PROCESSING: 'PROCESSING',
};

/**
 * Throws WechatJsonError (size, shape), WechatV3SignatureError (any authenticity failure; UNKNOWN_SERIAL
 * lets the caller refresh certificates once and retry) or WechatNotifyError (authentic but not acceptable).
 */
export function parseNotifyV3(headers: HeaderBag, body: string | Buffer, options: NotifyV3Options): NotifyV3 {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_NOTIFY_BYTES;
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  // Size first, then authenticity: nothing oversized or unsigned reaches the JSON parser.
  if (raw.length > maxBytes) {
    throw new WechatJsonError(`notification exceeds ${maxBytes} bytes`, 'TOO_LARGE', 'inbound');
  }
  verifyWechatpaySignature(readWechatpayHeaders(headers), raw, options.keys, { ...options, source: 'inbound' });
  const envelope = parseJsonObject(raw, maxBytes);

  const id = stringField(envelope, 'id');
  const eventType = stringField(envelope, 'event_type');
  const resource = objectField(envelope, 'resource');
  if (!id || !eventType || !resource) throw new WechatNotifyError('notification lacks id, event_type or resource');
  const meta: NotifyV3Envelope = { id, eventType, createTime: timeField(envelope, 'create_time') };
  const plain = parseJsonObject(decryptResource(resource as unknown as EncryptedResource, options.apiV3Key), maxBytes);

  if (eventType.startsWith('TRANSACTION.')) {
    if (stringField(resource, 'original_type') !== 'transaction') {
      throw new WechatNotifyError('resource is not a transaction');
    }
    return { ...paymentOf(plain, options), envelope: meta };
  }
  if (eventType.startsWith('REFUND.')) {
    if (stringField(resource, 'original_type') !== 'refund') throw new WechatNotifyError('resource is not a refund');
    return { ...refundOf(plain, options), envelope: meta };
  }
  throw new WechatNotifyError('unsupported event_type');
}

function paymentOf(t: JsonObject, options: NotifyV3Options): GatewayNotification {
  if (stringField(t, 'mchid') !== options.mchId || stringField(t, 'appid') !== options.appId) {
    throw new WechatNotifyError('notification is for another appid/mchid');
  }
  const amount = objectField(t, 'amount');
  const outTradeNo = stringField(t, 'out_trade_no');
  const transactionId = stringField(t, 'transaction_id');
  const tradeState = stringField(t, 'trade_state');
  const totalFen = intField(amount, 'total');
  if (!outTradeNo || !transactionId || !tradeState || totalFen === undefined) {
    throw new WechatNotifyError('transaction lacks out_trade_no, transaction_id, trade_state or amount.total');
  }
  const payerTotal = intField(amount, 'payer_total');
  return {
    kind: 'payment',
    outTradeNo,
    transactionId,
    totalFen,
    payerTotalFen: payerTotal ?? totalFen,
    openid: stringField(objectField(t, 'payer'), 'openid'),
    tradeType: stringField(t, 'trade_type') ?? '',
    currency: stringField(amount, 'currency'),
    paid: tradeState === 'SUCCESS',
    paidAt: timeField(t, 'success_time'),
    attach: stringField(t, 'attach'),
  };
}

function refundOf(r: JsonObject, options: NotifyV3Options): GatewayNotification {
  if (stringField(r, 'mchid') !== options.mchId) throw new WechatNotifyError('notification is for another mchid');
  const amount = objectField(r, 'amount');
  const fields = {
    outTradeNo: stringField(r, 'out_trade_no'),
    transactionId: stringField(r, 'transaction_id'),
    outRefundNo: stringField(r, 'out_refund_no'),
    refundId: stringField(r, 'refund_id'),
    rawStatus: stringField(r, 'refund_status'),
    totalFen: intField(amount, 'total'),
    refundFen: intField(amount, 'refund'),
  };
  const { outTradeNo, transactionId, outRefundNo, refundId, rawStatus, totalFen, refundFen } = fields;
  if (!outTradeNo || !transactionId || !outRefundNo || !refundId || !rawStatus) {
    throw new WechatNotifyError('refund lacks ids, refund_status or amounts');
  }
  if (totalFen === undefined || refundFen === undefined) {
    throw new WechatNotifyError('refund lacks ids, refund_status or amounts');
  }
  if (refundFen > totalFen) throw new WechatNotifyError('refund amount exceeds the order total');
  const status = REFUND_STATUSES[rawStatus];
  return {
    kind: 'refund',
    outTradeNo,
    transactionId,
    outRefundNo,
    refundId,
    totalFen,
    refundFen,
    // An unknown status is still authentic: acknowledge it, change nothing, let the query settle it.
    ...(status ? { status } : { status: 'UNKNOWN' as const, rawStatus }),
    refundedAt: timeField(r, 'success_time'),
  };
}

/** WeChat judges by status alone: 204 on success; 4xx/5xx with `{"code":"FAIL"}` to have it retry. */
export function notifyReplyV3(ok: true): NotificationReply;
export function notifyReplyV3(ok: false, reason: string, status?: number): NotificationReply;
export function notifyReplyV3(ok: boolean, reason = '', status = 400): NotificationReply {
  if (ok) return { status: 204, body: '' };
  if (status < 400 || status > 599) throw new Error('notifyReplyV3: a failure status must be 4xx or 5xx');
  const body = JSON.stringify({ code: 'FAIL', message: reason || '失败' });
  return { status, contentType: 'application/json', body };
}

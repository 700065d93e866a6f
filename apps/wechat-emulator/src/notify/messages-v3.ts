/**
 * v3 notification envelopes (协议 §10.5): the transaction or refund, AEAD_AES_256_GCM-encrypted with
 * the merchant's APIv3 key. The Wechatpay-* signature is added per attempt (notifier), so a retry a
 * day later still carries a fresh timestamp.
 */
import { randomUUID } from 'node:crypto';
import { AEAD_ALGORITHM, encryptResource, randomString } from '@wxpay-shop/wechat';
import type { MerchantConfig } from '../config';
import { refundJson, rfc3339, transactionJson, V3_REFUND_STATUS } from '../pay/v3/resources';
import type { Order } from '../pay/order';
import type { Refund } from '../pay/refund-record';

function envelope(
  eventType: string,
  summary: string,
  originalType: string,
  plain: object,
  merchant: MerchantConfig,
): string {
  const nonce = randomString(12);
  return JSON.stringify({
    id: randomUUID(),
    create_time: rfc3339(Date.now()),
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary,
    resource: {
      original_type: originalType,
      algorithm: AEAD_ALGORITHM,
      ciphertext: encryptResource(JSON.stringify(plain), merchant.apiV3Key!, nonce, originalType),
      associated_data: originalType,
      nonce,
    },
  });
}

export function payNotifyJson(order: Order, merchant: MerchantConfig): string {
  return envelope('TRANSACTION.SUCCESS', '支付成功', 'transaction', transactionJson(order), merchant);
}

const REFUND_EVENTS: Record<string, [string, string]> = {
  SUCCESS: ['REFUND.SUCCESS', '退款成功'],
  ABNORMAL: ['REFUND.ABNORMAL', '退款异常'],
  CLOSED: ['REFUND.CLOSED', '退款关闭'],
};

export function refundNotifyJson(refund: Refund, merchant: MerchantConfig): string {
  const status = V3_REFUND_STATUS[refund.status];
  const [eventType, summary] = REFUND_EVENTS[status] ?? ['REFUND.SUCCESS', '退款成功'];
  const r = refundJson(refund);
  const plain = {
    mchid: refund.mchId,
    out_trade_no: refund.outTradeNo,
    transaction_id: refund.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: status,
    ...(r.success_time ? { success_time: r.success_time } : {}),
    user_received_account: '支付用户零钱',
    amount: {
      total: refund.totalFee,
      refund: refund.refundFee,
      payer_total: refund.totalFee,
      payer_refund: refund.refundFee,
    },
  };
  return envelope(eventType, summary, 'refund', plain, merchant);
}

/** Signed but not an envelope (cut in half), for the `malformed` fault. */
export function malformJson(json: string): string {
  return json.slice(0, Math.floor(json.length / 2));
}

/**
 * The v3 resource objects the emulator answers with and encrypts into notifications: a transaction and a
 * refund as WeChat writes them. Pure, so the notifier and the routes can both use them without a circle.
 */
import { beijingTime } from '@wxpay-shop/wechat';
import { isPaid, type Order, type TradeState } from '../order';
import type { Refund, RefundStatus } from '../refund-record';

export type Json = Record<string, unknown>;

/** Milliseconds → v3's `yyyy-MM-DDTHH:mm:ss+08:00` in Beijing time. */
export function rfc3339(ms: number): string {
  const t = beijingTime(new Date(ms));
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}+08:00`;
}

const STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '订单未支付',
  USERPAYING: '用户支付中',
  PAYERROR: '支付失败',
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  CLOSED: '已关闭',
};

/** The transaction object of a query (and, encrypted, of a payment notification). */
export function transactionJson(order: Order): Json {
  const paid = isPaid(order);
  return {
    appid: order.appId,
    mchid: order.mchId,
    out_trade_no: order.outTradeNo,
    ...(paid ? { transaction_id: order.transactionId, bank_type: 'OTHERS', success_time: rfc3339(order.paidAt!) } : {}),
    trade_type: order.tradeType,
    trade_state: order.state,
    trade_state_desc: STATE_DESC[order.state],
    attach: order.attach ?? '',
    ...(paid ? { payer: { openid: order.openid } } : {}),
    amount: {
      total: order.totalFee,
      currency: 'CNY',
      ...(paid ? { payer_total: order.totalFee, payer_currency: 'CNY' } : {}),
    },
  };
}

/** v2's names → v3's. */
export const V3_REFUND_STATUS: Record<RefundStatus, string> = {
  PROCESSING: 'PROCESSING',
  SUCCESS: 'SUCCESS',
  CHANGE: 'ABNORMAL',
  REFUNDCLOSE: 'CLOSED',
};

export function refundJson(refund: Refund): Json {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    // successTime is v2's `yyyy-MM-dd HH:mm:ss` in Beijing time.
    ...(refund.successTime ? { success_time: `${refund.successTime.replace(' ', 'T')}+08:00` } : {}),
    create_time: rfc3339(refund.createdAt),
    status: V3_REFUND_STATUS[refund.status],
    funds_account: 'UNAVAILABLE',
    amount: {
      total: refund.totalFee,
      refund: refund.refundFee,
      payer_total: refund.totalFee,
      payer_refund: refund.refundFee,
      settlement_total: refund.totalFee,
      settlement_refund: refund.refundFee,
      discount_refund: 0,
      currency: 'CNY',
    },
  };
}

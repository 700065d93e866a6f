/** A refund request against the store, the same for v2 and v3: the rules, and the new refund record. */
import type { Deps } from '../deps';
import { newRefundId } from '../ids';
import { EmulatorState } from '../state';
import { isPaid, type ApiVersion } from './order';
import type { Refund } from './refund-record';

const MAX_REFUNDS_PER_ORDER = 50;

export interface RefundAsk {
  api: ApiVersion;
  mchId: string;
  transactionId?: string;
  outTradeNo?: string;
  outRefundNo: string;
  totalFee: number;
  refundFee: number;
  reason?: string;
  notifyUrl?: string;
}

/**
 * Why WeChat refuses it; each version words these its own way. NOT_PAID: no such order, or unpaid;
 * OTHER_ORDER: the out_refund_no belongs to another order; MISMATCH: amounts unlike the order's or an
 * earlier request's; TOO_MANY: 50 refunds; FULLY_REFUNDED; EXCEEDS: more than is left to refund.
 */
export type RefundRefusal = 'NOT_PAID' | 'OTHER_ORDER' | 'MISMATCH' | 'TOO_MANY' | 'FULLY_REFUNDED' | 'EXCEEDS';

/** The refund (new, or the same one again: out_refund_no is the idempotency key), or why not. */
export function applyRefund(
  ask: RefundAsk,
  deps: Deps,
  now = Date.now(),
): { refund: Refund } | { refusal: RefundRefusal } {
  const order = deps.state.findOrderByIds(ask.mchId, { transactionId: ask.transactionId, outTradeNo: ask.outTradeNo });
  if (!order || !isPaid(order) || !order.transactionId) return { refusal: 'NOT_PAID' };
  const key = EmulatorState.refundKey(ask.mchId, ask.outRefundNo);
  const existing = deps.state.refunds.get(key);
  if (existing) {
    if (existing.outTradeNo !== order.outTradeNo) return { refusal: 'OTHER_ORDER' };
    if (existing.refundFee !== ask.refundFee || existing.totalFee !== ask.totalFee) return { refusal: 'MISMATCH' };
    return { refund: existing };
  }
  if (ask.totalFee !== order.totalFee) return { refusal: 'MISMATCH' };
  const previous = deps.state.refundsOf(order);
  if (previous.length >= MAX_REFUNDS_PER_ORDER) return { refusal: 'TOO_MANY' };
  // A closed refund (REFUNDCLOSE) gave the money back to the merchant: it can be refunded again.
  const refunded = previous.filter((r) => r.status !== 'REFUNDCLOSE').reduce((sum, r) => sum + r.refundFee, 0);
  if (refunded >= order.totalFee) return { refusal: 'FULLY_REFUNDED' };
  if (refunded + ask.refundFee > order.totalFee) return { refusal: 'EXCEEDS' };

  const record: Refund = {
    api: ask.api,
    mchId: ask.mchId,
    appId: order.appId,
    outTradeNo: order.outTradeNo,
    transactionId: order.transactionId,
    outRefundNo: ask.outRefundNo,
    refundId: newRefundId(),
    totalFee: ask.totalFee,
    refundFee: ask.refundFee,
    refundDesc: ask.reason,
    notifyUrl: ask.notifyUrl,
    status: 'PROCESSING',
    endStatus: deps.state.takeRefundOutcome(ask.outRefundNo),
    createdAt: now,
  };
  deps.state.refunds.set(key, record);
  order.state = 'REFUND';
  deps.log(`refund (${ask.api}) ${record.outRefundNo} of ${order.outTradeNo}: ${ask.refundFee} fen (PROCESSING)`);
  deps.timers.after(deps.config.refundDelayMs, () => deps.notifier.completeRefund(record));
  return { refund: record };
}

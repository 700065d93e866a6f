/**
 * Compares one day of WeChat's trade bill with our books for the same day. Pure: the caller
 * loads both sides and acts on the result (orderquery the payments we missed, flag the rest).
 */
import type { TradeBillRow } from '@wxpay-shop/wechat';

/** A payment we recorded as settled on the bill's day. */
export interface BookedPayment {
  outTradeNo: string;
  transactionId: string | null;
  totalFen: number;
}

/** A refund we recorded as succeeded on the bill's day. */
export interface BookedRefund {
  outRefundNo: string;
  outTradeNo: string;
  refundFen: number;
}

export type Discrepancy =
  /** WeChat took the money, our books do not say PAID: the order must be confirmed by orderquery. */
  | { kind: 'PAID_AT_WECHAT_ONLY'; outTradeNo: string; transactionId: string; wechatFen: number }
  /** We say PAID, the bill has no such payment. */
  | { kind: 'PAID_HERE_ONLY'; outTradeNo: string; ourFen: number }
  | { kind: 'PAYMENT_AMOUNT_DIFFERS'; outTradeNo: string; wechatFen: number; ourFen: number }
  | { kind: 'REFUND_AT_WECHAT_ONLY'; outTradeNo: string; outRefundNo: string; wechatFen: number }
  | { kind: 'REFUND_HERE_ONLY'; outTradeNo: string; outRefundNo: string; ourFen: number }
  | { kind: 'REFUND_AMOUNT_DIFFERS'; outTradeNo: string; outRefundNo: string; wechatFen: number; ourFen: number };

export interface BillDiff {
  discrepancies: Discrepancy[];
  matchedPayments: number;
  matchedRefunds: number;
}

/** The bill's refund rows carry the refund in 退款金额; state REFUND. Everything else is a payment row. */
const isRefundRow = (row: TradeBillRow) => row.tradeState === 'REFUND';
/** A payment later revoked (撤销) is no payment: it appears in the bill, but the money went back. */
const isSettledPayment = (row: TradeBillRow) => row.tradeState === 'SUCCESS';

export function diffBill(rows: TradeBillRow[], payments: BookedPayment[], refunds: BookedRefund[]): BillDiff {
  const discrepancies: Discrepancy[] = [];
  let matchedPayments = 0;
  let matchedRefunds = 0;

  // The bill's amount is the order's total (coupons included); 订单金额 where the bill has it.
  const billPayments = new Map(rows.filter(isSettledPayment).map((row) => [row.outTradeNo, row]));
  const ourPayments = new Map(payments.map((p) => [p.outTradeNo, p]));
  for (const [outTradeNo, row] of billPayments) {
    const ours = ourPayments.get(outTradeNo);
    if (!ours)
      discrepancies.push({
        kind: 'PAID_AT_WECHAT_ONLY',
        outTradeNo,
        transactionId: row.transactionId,
        wechatFen: row.totalFen,
      });
    else if (ours.totalFen !== row.totalFen) {
      discrepancies.push({
        kind: 'PAYMENT_AMOUNT_DIFFERS',
        outTradeNo,
        wechatFen: row.totalFen,
        ourFen: ours.totalFen,
      });
    } else matchedPayments += 1;
  }
  for (const [outTradeNo, ours] of ourPayments) {
    if (!billPayments.has(outTradeNo))
      discrepancies.push({ kind: 'PAID_HERE_ONLY', outTradeNo, ourFen: ours.totalFen });
  }

  const billRefunds = new Map(rows.filter(isRefundRow).map((row) => [row.outRefundNo, row]));
  const ourRefunds = new Map(refunds.map((r) => [r.outRefundNo, r]));
  for (const [outRefundNo, row] of billRefunds) {
    const ours = ourRefunds.get(outRefundNo);
    const base = { outTradeNo: row.outTradeNo, outRefundNo };
    if (!ours) discrepancies.push({ kind: 'REFUND_AT_WECHAT_ONLY', ...base, wechatFen: row.refundFen });
    else if (ours.refundFen !== row.refundFen) {
      discrepancies.push({ kind: 'REFUND_AMOUNT_DIFFERS', ...base, wechatFen: row.refundFen, ourFen: ours.refundFen });
    } else matchedRefunds += 1;
  }
  for (const [outRefundNo, ours] of ourRefunds) {
    if (!billRefunds.has(outRefundNo)) {
      discrepancies.push({
        kind: 'REFUND_HERE_ONLY',
        outTradeNo: ours.outTradeNo,
        outRefundNo,
        ourFen: ours.refundFen,
      });
    }
  }
  return { discrepancies, matchedPayments, matchedRefunds };
}

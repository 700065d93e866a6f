/**
 * Reconciles one Beijing day: downloads WeChat's trade bill, diffs it against our books, confirms
 * "paid at WeChat only" orders through orderquery (the settle path), then stores the day whole and flags
 * every discrepancy. Network calls happen before the one storing transaction.
 */
import type { Kysely } from 'kysely';
import { WechatPayBusinessError, parseTradeBill, type PayGateway, type TradeBill } from '@wxpay-shop/wechat';
import type { BillStatus, DB } from '../db/schema';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/metrics';
import { findOrder } from '../orders/repository';
import { syncFromOrderQuery } from '../payments/settle';
import { diffBill, type BillDiff, type Discrepancy } from './bill-diff';
import { wechatBillDate } from './bill-day';
import { bookedPayments, bookedRefunds, storeBillResult, type BillTotals, type NotedDiscrepancy } from './repository';

export interface BillReconcileDeps {
  db: Kysely<DB>;
  pay: PayGateway;
  log: Logger;
  metrics: Metrics;
}

export interface BillDayResult {
  day: string;
  status: BillStatus;
  totals: BillTotals;
  diff: BillDiff;
  noted: NotedDiscrepancy[];
}

const EMPTY_BILL: TradeBill = {
  rows: [],
  summary: { count: 0, settlementTotalFen: 0, refundTotalFen: 0, feeTotalMilliFen: 0 },
};
const PAID_STATES = new Set(['PAID', 'REFUNDING', 'REFUNDED']);
const sumOf = <T>(items: T[], pick: (item: T) => number) => items.reduce((total, item) => total + pick(item), 0);

/**
 * A payment WeChat took that our books do not show as paid on that day. An order we hold PENDING or CLOSED
 * is settled through orderquery (which flags a payment after close); one already paid with the same
 * transaction and amount was only booked on the day next to it (null: not a discrepancy).
 */
async function confirmPaidAtWechat(deps: BillReconcileDeps, d: Extract<Discrepancy, { kind: 'PAID_AT_WECHAT_ONLY' }>) {
  const order = await findOrder(deps.db, d.outTradeNo);
  if (!order) return 'no such order here';
  if (PAID_STATES.has(order.status) && order.transaction_id === d.transactionId && order.total_fen === d.wechatFen)
    return null;
  try {
    const outcome = await syncFromOrderQuery(
      deps.db,
      deps.pay,
      deps.log,
      deps.metrics,
      d.outTradeNo,
      order.total_fen,
      'bill-reconcile',
    );
    const now = await findOrder(deps.db, d.outTradeNo);
    return `orderquery: ${outcome === 'PAID' ? `confirmed paid, order now ${now?.status ?? 'gone'}` : `order stays ${now?.status ?? 'gone'}`}`;
  } catch (err) {
    if (err instanceof WechatPayBusinessError && err.errCode === 'ORDERNOTEXIST') return 'orderquery: ORDERNOTEXIST';
    // The flag stands either way; the reconciler's own orderquery pass will settle the order later.
    deps.log.warn({ err, outTradeNo: d.outTradeNo }, 'bill reconcile: orderquery failed');
    return 'orderquery failed; to be checked';
  }
}

/** A refund WeChat made that we have on another day (booked at the midnight boundary) is no discrepancy. */
async function isRefundBookedElsewhere(db: Kysely<DB>, outRefundNo: string, wechatFen: number): Promise<boolean> {
  const ours = await db
    .selectFrom('refunds')
    .select(['status', 'refund_fen'])
    .where('out_refund_no', '=', outRefundNo)
    .executeTakeFirst();
  return ours?.status === 'SUCCESS' && ours.refund_fen === wechatFen;
}

/** Throws on a download or parse failure (nothing stored); the caller retries later. */
export async function reconcileBillDay(deps: BillReconcileDeps, day: string, source: string): Promise<BillDayResult> {
  // v2 /pay/downloadbill or v3 /v3/bill/tradebill + its download URL (SHA1-checked): the same bill text.
  const download = await deps.pay.downloadTradeBill({ billDate: wechatBillDate(day) });
  const bill = download.exists ? parseTradeBill(download.text) : EMPTY_BILL;
  const [payments, refunds] = await Promise.all([bookedPayments(deps.db, day), bookedRefunds(deps.db, day)]);
  const diff = diffBill(bill.rows, payments, refunds);

  const noted: NotedDiscrepancy[] = [];
  for (const discrepancy of diff.discrepancies) {
    let note: string | null = '';
    if (discrepancy.kind === 'PAID_AT_WECHAT_ONLY') note = await confirmPaidAtWechat(deps, discrepancy);
    if (
      discrepancy.kind === 'REFUND_AT_WECHAT_ONLY' &&
      (await isRefundBookedElsewhere(deps.db, discrepancy.outRefundNo, discrepancy.wechatFen))
    ) {
      note = null;
    }
    if (note === null) diff.matchedPayments += discrepancy.kind === 'PAID_AT_WECHAT_ONLY' ? 1 : 0;
    if (note === null) diff.matchedRefunds += discrepancy.kind === 'REFUND_AT_WECHAT_ONLY' ? 1 : 0;
    else noted.push({ discrepancy, note });
  }

  const totals: BillTotals = {
    wechatCount: bill.summary.count,
    wechatPaidFen: bill.summary.settlementTotalFen,
    wechatRefundFen: bill.summary.refundTotalFen,
    wechatFeeMilliFen: bill.summary.feeTotalMilliFen,
    ourPaymentCount: payments.length,
    ourPaidFen: sumOf(payments, (p) => p.totalFen),
    ourRefundCount: refunds.length,
    ourRefundFen: sumOf(refunds, (r) => r.refundFen),
  };
  const status: BillStatus = noted.length > 0 ? 'DISCREPANCIES' : download.exists ? 'MATCHED' : 'NO_BILL';
  await storeBillResult(deps.db, deps.metrics, day, { status, totals, diff, noted, source });
  if (noted.length > 0) deps.log.warn({ day, discrepancies: noted.length }, 'bill reconciliation found discrepancies');
  else deps.log.info({ day, status }, 'bill reconciled');
  return { day, status, totals, diff, noted };
}

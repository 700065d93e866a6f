/**
 * Bill reconciliation's queries: our books for a Beijing day, the day's run lease, and the stored result,
 * written in one transaction so a day is never half-stored and a re-run replaces it whole.
 */
import { sql, type Kysely } from 'kysely';
import { inTransaction } from '../db/after-commit';
import { fromNow } from '../db/clock';
import type { BillStatus, DB } from '../db/schema';
import type { Metrics } from '../metrics/metrics';
import { markForAttention } from '../orders/repository';
import type { BillDiff, BookedPayment, BookedRefund, Discrepancy } from './bill-diff';
import { beijingDayBounds } from './bill-day';

/** Orders paid on the day (paid_at is WeChat's time_end), whatever happened to them since. */
export async function bookedPayments(db: Kysely<DB>, day: string): Promise<BookedPayment[]> {
  const { start, end } = beijingDayBounds(day);
  const rows = await db
    .selectFrom('orders')
    .select(['out_trade_no', 'transaction_id', 'total_fen'])
    .where('paid_at', '>=', start)
    .where('paid_at', '<', end)
    .execute();
  return rows.map((r) => ({ outTradeNo: r.out_trade_no, transactionId: r.transaction_id, totalFen: r.total_fen }));
}

/** Refunds that succeeded on the day (settled then: updated_at is when SUCCESS was recorded). */
export async function bookedRefunds(db: Kysely<DB>, day: string): Promise<BookedRefund[]> {
  const { start, end } = beijingDayBounds(day);
  const rows = await db
    .selectFrom('refunds')
    .innerJoin('orders', 'orders.id', 'refunds.order_id')
    .select(['refunds.out_refund_no', 'orders.out_trade_no', 'refunds.refund_fen'])
    .where('refunds.status', '=', 'SUCCESS')
    .where('refunds.updated_at', '>=', start)
    .where('refunds.updated_at', '<', end)
    .execute();
  return rows.map((r) => ({ outRefundNo: r.out_refund_no, outTradeNo: r.out_trade_no, refundFen: r.refund_fen }));
}

/**
 * Takes the day's lease unless another instance holds it. `due` (the schedule) also requires that the
 * day has no result yet and that its retry time has come; an operator's re-run needs only the lease.
 */
export async function claimBillRun(db: Kysely<DB>, day: string, leaseMs: number, due: boolean): Promise<boolean> {
  if (due) {
    const done = await db
      .selectFrom('bill_reconciliations')
      .select('bill_date')
      .where('bill_date', '=', day)
      .executeTakeFirst();
    if (done) return false;
  }
  const claimed = await db
    .insertInto('bill_runs')
    .values({ bill_date: day, lease_until: fromNow(leaseMs) })
    .onConflict((oc) =>
      oc
        .column('bill_date')
        .doUpdateSet({ lease_until: fromNow(leaseMs) })
        .where((eb) => {
          const leaseFree = eb('bill_runs.lease_until', '<', sql<Date>`now()`);
          if (!due) return leaseFree;
          const retryDue = eb.or([
            eb('bill_runs.next_attempt_at', 'is', null),
            eb('bill_runs.next_attempt_at', '<=', sql<Date>`now()`),
          ]);
          return eb.and([leaseFree, retryDue]);
        }),
    )
    .returning('bill_date')
    .executeTakeFirst();
  return claimed !== undefined;
}

/**
 * A failed run (ours: we hold the lease): lease released, attempts counted, the next scheduled attempt
 * `retryInMs(attempts)` from now. Returns the attempts so far.
 */
export async function recordBillRunFailure(
  db: Kysely<DB>,
  day: string,
  error: string,
  retryInMs: (attempts: number) => number,
): Promise<number> {
  const run = await db.selectFrom('bill_runs').select('attempts').where('bill_date', '=', day).executeTakeFirst();
  const attempts = (run?.attempts ?? 0) + 1;
  await db
    .updateTable('bill_runs')
    .set({ attempts, last_error: error, next_attempt_at: fromNow(retryInMs(attempts)), lease_until: sql<Date>`now()` })
    .where('bill_date', '=', day)
    .execute();
  return attempts;
}

export interface BillTotals {
  wechatCount: number;
  wechatPaidFen: number;
  wechatRefundFen: number;
  wechatFeeMilliFen: number;
  ourPaidFen: number;
  ourRefundFen: number;
  ourPaymentCount: number;
  ourRefundCount: number;
}

/** What the diff found, with what the run learnt about each discrepancy (e.g. confirmed by orderquery). */
export interface NotedDiscrepancy {
  discrepancy: Discrepancy;
  note: string;
}

const attentionReason = (day: string, { discrepancy, note }: NotedDiscrepancy) =>
  `bill ${day}: ${discrepancy.kind}${note ? ` (${note})` : ''}`;

/**
 * Replaces the day's result in one transaction (the old one stays until this commits), flags every
 * discrepancy's order for attention, and releases the lease.
 */
export async function storeBillResult(
  db: Kysely<DB>,
  metrics: Metrics,
  day: string,
  result: { status: BillStatus; totals: BillTotals; diff: BillDiff; noted: NotedDiscrepancy[]; source: string },
): Promise<void> {
  const { totals, diff, noted } = result;
  await inTransaction(db, async (trx, afterCommit) => {
    await trx.deleteFrom('bill_discrepancies').where('bill_date', '=', day).execute();
    await trx.deleteFrom('bill_reconciliations').where('bill_date', '=', day).execute();
    await trx
      .insertInto('bill_reconciliations')
      .values({
        bill_date: day,
        status: result.status,
        wechat_count: totals.wechatCount,
        wechat_paid_fen: totals.wechatPaidFen,
        wechat_refund_fen: totals.wechatRefundFen,
        wechat_fee_milli_fen: totals.wechatFeeMilliFen,
        our_payment_count: totals.ourPaymentCount,
        our_paid_fen: totals.ourPaidFen,
        our_refund_count: totals.ourRefundCount,
        our_refund_fen: totals.ourRefundFen,
        matched_payments: diff.matchedPayments,
        matched_refunds: diff.matchedRefunds,
        discrepancy_count: noted.length,
        source: result.source,
      })
      .execute();
    for (const item of noted) {
      const d = item.discrepancy;
      const order = await trx
        .selectFrom('orders')
        .select('id')
        .where('out_trade_no', '=', d.outTradeNo)
        .executeTakeFirst();
      await trx
        .insertInto('bill_discrepancies')
        .values({
          bill_date: day,
          kind: d.kind,
          out_trade_no: d.outTradeNo,
          out_refund_no: 'outRefundNo' in d ? d.outRefundNo : null,
          transaction_id: 'transactionId' in d ? d.transactionId : null,
          wechat_fen: 'wechatFen' in d ? d.wechatFen : null,
          our_fen: 'ourFen' in d ? d.ourFen : null,
          order_id: order?.id ?? null,
          note: item.note || null,
        })
        .execute();
      if (order) {
        const counted = { metrics, afterCommit };
        await markForAttention(trx, counted, d.outTradeNo, 'bill_discrepancy', attentionReason(day, item));
      }
    }
    await trx.deleteFrom('bill_runs').where('bill_date', '=', day).execute();
  });
}

export async function findBillResult(db: Kysely<DB>, day: string) {
  const result = await db
    .selectFrom('bill_reconciliations')
    .selectAll()
    .where('bill_date', '=', day)
    .executeTakeFirst();
  if (!result) return undefined;
  const discrepancies = await db
    .selectFrom('bill_discrepancies')
    .selectAll()
    .where('bill_date', '=', day)
    .orderBy('id')
    .execute();
  return { result, discrepancies };
}

export function listBillResults(db: Kysely<DB>, limit: number) {
  return db.selectFrom('bill_reconciliations').selectAll().orderBy('bill_date', 'desc').limit(limit).execute();
}

/** The day's run state (lease, attempts, last error), if a run was ever started and not completed. */
export function findBillRun(db: Kysely<DB>, day: string) {
  return db.selectFrom('bill_runs').selectAll().where('bill_date', '=', day).executeTakeFirst();
}

/** The latest day reconciled and how it ended, for the metrics (undefined before the first run). */
export async function latestBillResult(db: Kysely<DB>): Promise<{ day: string; status: BillStatus } | undefined> {
  return db
    .selectFrom('bill_reconciliations')
    .select(['bill_date as day', 'status'])
    .orderBy('bill_date', 'desc')
    .limit(1)
    .executeTakeFirst();
}

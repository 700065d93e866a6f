/**
 * Catches what notifications miss: WeChat does not guarantee delivery, so PENDING orders with
 * a prepay are checked with orderquery, expired ones are closed with closeorder, and refunds
 * still PROCESSING (or stuck in CHANGE) are checked with refundquery. Shipped orders past their
 * auto_receive_at are received for the shopper.
 *
 * Work is claimed in a short transaction (SELECT … FOR UPDATE SKIP LOCKED + a lease column)
 * and processed outside it: several instances on one PostgreSQL never work on the same order,
 * and PGlite's single connection is not held across WeChat round trips.
 */
import { sql, type Kysely } from 'kysely';
import { payRefusalOf, type PayGateway } from '@wxpay-shop/wechat';
import { purgeExpiredCallbackClaims } from '../auth/callback-claims';
import { ago, fromNow } from '../db/clock';
import type { DB } from '../db/schema';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/metrics';
import { autoReceiveDue } from '../orders/fulfilment';
import { closeLocally, closeLocallyIfUnsent, syncFromOrderQuery } from './settle';
import { settleRefund } from './refunds';
import { purgeExpiredSessions } from '../sessions/store';

/** Prepays younger than this are left to their notification (the default of `minPrepayAgeMs`). */
export const RECONCILE_MIN_PREPAY_AGE_MS = 60_000;

/** How often a refund stuck in CHANGE is asked about again (its notification may be missed too). */
const CHANGE_RECHECK_MS = 10 * 60_000;

export interface ReconcilerOptions {
  db: Kysely<DB>;
  pay: PayGateway;
  log: Logger;
  metrics: Metrics;
  /** Prepays younger than this are left to the notification. */
  minPrepayAgeMs?: number;
  batchSize?: number;
  leaseMs?: number;
}

export interface ReconcileSummary {
  checked: number;
  paid: number;
  closed: number;
  refundsSettled: number;
  /** Shipped orders received automatically (AUTO_RECEIVE_DAYS after shipping). */
  received: number;
  errors: number;
}

export async function reconcileOnce(options: ReconcilerOptions): Promise<ReconcileSummary> {
  const { db, pay, log, metrics } = options;
  const minAge = options.minPrepayAgeMs ?? RECONCILE_MIN_PREPAY_AGE_MS;
  const batch = options.batchSize ?? 20;
  const leaseMs = options.leaseMs ?? 60_000;
  const summary: ReconcileSummary = { checked: 0, paid: 0, closed: 0, refundsSettled: 0, received: 0, errors: 0 };

  const claimed = await db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('orders')
      .select(['id', 'out_trade_no', 'total_fen', 'prepay_id', 'expires_at'])
      .where('status', '=', 'PENDING')
      .where((eb) => eb.or([eb('prepay_created_at', '<', ago(minAge)), eb('expires_at', '<', sql<Date>`now()`)]))
      .where((eb) =>
        eb.or([eb('reconcile_lease_until', 'is', null), eb('reconcile_lease_until', '<', sql<Date>`now()`)]),
      )
      .orderBy('id')
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length > 0) {
      await trx
        .updateTable('orders')
        .set({ reconcile_lease_until: fromNow(leaseMs) })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
    }
    return rows;
  });

  for (const order of claimed) {
    summary.checked += 1;
    try {
      const result = await reconcileOrder(db, pay, log, metrics, order);
      if (result === 'PAID') summary.paid += 1;
      if (result === 'CLOSED') summary.closed += 1;
    } catch (err) {
      summary.errors += 1;
      log.warn({ err, outTradeNo: order.out_trade_no }, 'reconcile order failed');
    }
  }

  const refunds = await db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('refunds')
      .select(['out_refund_no'])
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'PROCESSING'), eb('updated_at', '<', ago(minAge))]),
          // Stuck at the bank until an operator acts in the merchant console: ask now and then.
          eb.and([eb('status', '=', 'CHANGE'), eb('updated_at', '<', ago(Math.max(minAge, CHANGE_RECHECK_MS)))]),
        ]),
      )
      .orderBy('created_at')
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length > 0) {
      // Bumping updated_at is the lease: other instances skip these for another minAge.
      await trx
        .updateTable('refunds')
        .set({ updated_at: new Date() })
        .where(
          'out_refund_no',
          'in',
          rows.map((r) => r.out_refund_no),
        )
        .execute();
    }
    return rows;
  });
  for (const refund of refunds) {
    try {
      if (await reconcileRefund(db, pay, log, metrics, refund.out_refund_no)) summary.refundsSettled += 1;
    } catch (err) {
      summary.errors += 1;
      log.warn({ err, outRefundNo: refund.out_refund_no }, 'reconcile refund failed');
    }
  }
  try {
    summary.received = await autoReceiveDue(db, batch);
  } catch (err) {
    summary.errors += 1;
    log.warn({ err }, 'auto-receive failed');
  }
  if (summary.checked + summary.refundsSettled + summary.received + summary.errors > 0)
    log.info(summary, 'reconcile pass');
  return summary;
}

async function reconcileOrder(
  db: Kysely<DB>,
  pay: PayGateway,
  log: Logger,
  metrics: Metrics,
  order: { out_trade_no: string; total_fen: number; prepay_id: string | null; expires_at: Date },
): Promise<'PAID' | 'CLOSED' | 'UNCHANGED'> {
  const expired = order.expires_at.getTime() < Date.now();
  if (!order.prepay_id) {
    if (!expired) return 'UNCHANGED';
    // Never sent to WeChat when claimed: nothing to query or close remotely, unless a pay request
    // has stored a prepay since; then WeChat holds a live one and it is queried and closed below.
    const closed = await closeLocallyIfUnsent(db, order.out_trade_no, 'reconciler-expired');
    if (closed !== 'SENT') return closed ? 'CLOSED' : 'UNCHANGED';
  }
  let synced;
  try {
    synced = await syncFromOrderQuery(db, pay, log, metrics, order.out_trade_no, order.total_fen, 'reconciler-query');
  } catch (err) {
    if (payRefusalOf(err) !== 'NOT_FOUND') throw err;
    // WeChat has no record of it, so nothing can have been paid: once expired, close it here
    // instead of asking again every pass.
    return expired && (await closeLocally(db, order.out_trade_no, 'reconciler-notexist')) ? 'CLOSED' : 'UNCHANGED';
  }
  if (synced !== 'UNCHANGED' || !expired) return synced;
  try {
    await pay.closeOrder(order.out_trade_no);
  } catch (err) {
    const refusal = payRefusalOf(err);
    if (refusal === 'ORDER_PAID') {
      // Paid in the instant between our query and the close: take the payment.
      return syncFromOrderQuery(
        db,
        pay,
        log,
        metrics,
        order.out_trade_no,
        order.total_fen,
        'reconciler-close-orderpaid',
      );
    }
    if (refusal !== 'ORDER_CLOSED') throw err;
  }
  return (await closeLocally(db, order.out_trade_no, 'reconciler-closeorder')) ? 'CLOSED' : 'UNCHANGED';
}

/** The refunds table's names for the gateway's final refund states. */
const REFUND_STATUS = { SUCCESS: 'SUCCESS', CLOSED: 'REFUNDCLOSE', ABNORMAL: 'CHANGE' } as const;

async function reconcileRefund(
  db: Kysely<DB>,
  pay: PayGateway,
  log: Logger,
  metrics: Metrics,
  outRefundNo: string,
): Promise<boolean> {
  let status;
  let refundId: string | undefined;
  let attention: string | undefined;
  try {
    const found = await pay.queryRefund(outRefundNo);
    if (found.status === 'PROCESSING') return false;
    if (found.status === 'UNKNOWN') {
      // A status newer than our client: only a known final one may move money or the order.
      log.warn(
        { outRefundNo, refundStatus: found.rawStatus },
        'refundquery: unknown refund_status, treated as still processing',
      );
      return false;
    }
    status = REFUND_STATUS[found.status];
    refundId = found.refundId;
  } catch (err) {
    if (payRefusalOf(err) !== 'NOT_FOUND') throw err;
    status = 'FAILED' as const; // WeChat never accepted it (e.g. our request timed out before arriving)
    // The operator was told "outcome unknown"; the order goes back to PAID with nothing refunded, so say so.
    attention = `refund ${outRefundNo} never reached WeChat (refundquery: REFUNDNOTEXIST); nothing was refunded, refund again`;
  }
  const outcome = { outRefundNo, status, refundId, ...(attention ? { attention } : {}) };
  const settled = await settleRefund(db, log, metrics, outcome, 'reconciler-refundquery');
  return settled === 'SETTLED';
}

/** Runs reconcileOnce every intervalMs (never overlapping), plus session and sign-in claim cleanup. */
export function startReconciler(options: ReconcilerOptions & { intervalMs: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = (async () => {
      await reconcileOnce(options);
      await purgeExpiredSessions(options.db);
      await purgeExpiredCallbackClaims(options.db);
    })()
      .catch((err: unknown) => options.log.error({ err }, 'reconcile pass failed'))
      .finally(() => {
        running = null;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

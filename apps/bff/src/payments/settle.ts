/**
 * Applying what WeChat tells us (notification or orderquery) to an order. Every change is a
 * conditional transition inside one transaction, so duplicates and races settle exactly once.
 */
import type { Kysely, Transaction } from 'kysely';
import type { PayGateway } from '@wxpay-shop/wechat';
import { immediately, inTransaction, type AfterCommit } from '../db/after-commit';
import type { DB } from '../db/schema';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/metrics';
import { findOrder, markForAttention, transition } from '../orders/repository';
import { paymentTermsMismatch } from './payment-terms';

export interface ConfirmedPayment {
  outTradeNo: string;
  transactionId: string;
  totalFee: number;
  /** When WeChat says it was paid (v2 time_end, v3 success_time). */
  paidAt?: Date | undefined;
}

export type PaymentOutcome =
  | 'APPLIED'
  | 'DUPLICATE'
  | 'TRANSACTION_ID_REUSED'
  | 'ALREADY_PAID'
  | 'PAID_AFTER_CLOSE'
  | 'CONFLICTING_TRANSACTION'
  | 'UNKNOWN_ORDER';

function paidAtOf(payment: ConfirmedPayment): Date {
  return payment.paidAt ?? new Date();
}

/**
 * Records a verified pay notification and moves PENDING → PAID once. The unique
 * transaction_id makes the second and later copies no-ops even when they arrive concurrently.
 */
export async function recordPayNotification(
  db: Kysely<DB>,
  log: Logger,
  metrics: Metrics,
  payment: ConfirmedPayment,
  raw: object,
): Promise<PaymentOutcome> {
  const outcome = await inTransaction(db, async (trx, afterCommit): Promise<PaymentOutcome> => {
    const inserted = await trx
      .insertInto('payment_notifications')
      .values({
        transaction_id: payment.transactionId,
        out_trade_no: payment.outTradeNo,
        total_fee: payment.totalFee,
        outcome: 'RECEIVED',
        raw: JSON.stringify(raw),
      })
      .onConflict((oc) => oc.column('transaction_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      // A true duplicate names the same order and amount; anything else is not WeChat.
      const first = await trx
        .selectFrom('payment_notifications')
        .select(['out_trade_no', 'total_fee'])
        .where('transaction_id', '=', payment.transactionId)
        .executeTakeFirst();
      return first
        ? duplicateOutcome(log, payment, { outTradeNo: first.out_trade_no, totalFee: first.total_fee })
        : 'DUPLICATE';
    }
    const applied = await applyPayment(trx, afterCommit, log, metrics, payment, 'pay-notify');
    await trx.updateTable('payment_notifications').set({ outcome: applied }).where('id', '=', inserted.id).execute();
    return applied;
  });
  // Counted once committed: a rolled-back transaction settled nothing.
  if (outcome === 'APPLIED') metrics.paymentsSettled.inc({ source: 'notification' });
  return outcome;
}

/** A notification whose transaction_id was recorded before: a true duplicate names the same order and amount. */
export function duplicateOutcome(
  log: Logger,
  payment: ConfirmedPayment,
  first: { outTradeNo: string; totalFee: number },
): 'DUPLICATE' | 'TRANSACTION_ID_REUSED' {
  if (first.outTradeNo === payment.outTradeNo && first.totalFee === payment.totalFee) return 'DUPLICATE';
  log.error(
    { transactionId: payment.transactionId, outTradeNo: payment.outTradeNo },
    'transaction_id reused for another order',
  );
  return 'TRANSACTION_ID_REUSED';
}

/**
 * Records a verified pay notification whose terms do not match the order (payment-terms.ts) and flags the
 * order for an operator; the order is not paid. Duplicates are absorbed by the unique transaction_id.
 */
export async function recordFlaggedPayment(
  db: Kysely<DB>,
  log: Logger,
  metrics: Metrics,
  payment: ConfirmedPayment,
  raw: object,
  mismatch: string,
): Promise<void> {
  await inTransaction(db, async (trx, afterCommit) => {
    await trx
      .insertInto('payment_notifications')
      .values({
        transaction_id: payment.transactionId,
        out_trade_no: payment.outTradeNo,
        total_fee: payment.totalFee,
        outcome: 'TERMS_MISMATCH',
        raw: JSON.stringify(raw),
      })
      .onConflict((oc) => oc.column('transaction_id').doNothing())
      .execute();
    const reason = `payment ${payment.transactionId} not applied: ${mismatch}`;
    await markForAttention(trx, { metrics, afterCommit }, payment.outTradeNo, 'payment_terms_mismatch', reason);
  });
  log.error(
    { outTradeNo: payment.outTradeNo, transactionId: payment.transactionId, mismatch },
    'payment terms differ from the order',
  );
}

/** Applies a payment confirmed by orderquery (no notification row involved). */
async function recordQueriedPayment(
  db: Kysely<DB>,
  log: Logger,
  metrics: Metrics,
  payment: ConfirmedPayment,
  source: string,
) {
  const outcome = await inTransaction(db, (trx, afterCommit) =>
    applyPayment(trx, afterCommit, log, metrics, payment, source),
  );
  if (outcome === 'APPLIED') metrics.paymentsSettled.inc({ source: 'orderquery' });
  return outcome;
}

async function applyPayment(
  trx: Transaction<DB>,
  afterCommit: AfterCommit,
  log: Logger,
  metrics: Metrics,
  payment: ConfirmedPayment,
  source: string,
): Promise<PaymentOutcome> {
  const paid = await transition(trx, payment.outTradeNo, 'PENDING', 'PAID', source, {
    transaction_id: payment.transactionId,
    paid_at: paidAtOf(payment),
  });
  if (paid) {
    log.info({ outTradeNo: payment.outTradeNo, transactionId: payment.transactionId, source }, 'order paid');
    return 'APPLIED';
  }
  const order = await findOrder(trx, payment.outTradeNo);
  if (!order) return 'UNKNOWN_ORDER';
  if (order.transaction_id === payment.transactionId) return 'ALREADY_PAID';
  if (order.status === 'CLOSED' || order.status === 'FAILED') {
    // Money arrived for an order we had given up on: keep the record and get a human to refund or ship.
    await markForAttention(
      trx,
      { metrics, afterCommit },
      payment.outTradeNo,
      'paid_after_close',
      `payment ${payment.transactionId} received after the order was ${order.status}`,
    );
    log.error(
      { outTradeNo: payment.outTradeNo, transactionId: payment.transactionId, status: order.status },
      'payment received for a closed order',
    );
    return 'PAID_AFTER_CLOSE';
  }
  await markForAttention(
    trx,
    { metrics, afterCommit },
    payment.outTradeNo,
    'conflicting_transaction',
    `second transaction ${payment.transactionId} for an order paid by ${order.transaction_id ?? 'unknown'}`,
  );
  log.error(
    { outTradeNo: payment.outTradeNo, transactionId: payment.transactionId },
    'conflicting transaction for a paid order',
  );
  return 'CONFLICTING_TRANSACTION';
}

export async function closeLocally(db: Kysely<DB>, outTradeNo: string, source: string): Promise<boolean> {
  const closed = await db.transaction().execute((trx) => transition(trx, outTradeNo, 'PENDING', 'CLOSED', source));
  return closed !== undefined;
}

/**
 * Closes a PENDING order locally only if it still has no prepay_id; 'SENT' when it has one (a pay
 * request stored it after the caller looked), so WeChat holds it and closeorder must come first.
 * The row lock keeps a pay request from storing its prepay between this check and the close.
 */
export async function closeLocallyIfUnsent(
  db: Kysely<DB>,
  outTradeNo: string,
  source: string,
): Promise<boolean | 'SENT'> {
  return db.transaction().execute(async (trx) => {
    const order = await trx
      .selectFrom('orders')
      .select('prepay_id')
      .where('out_trade_no', '=', outTradeNo)
      .where('status', '=', 'PENDING')
      .forUpdate()
      .executeTakeFirst();
    if (!order) return false;
    if (order.prepay_id) return 'SENT';
    return (await transition(trx, outTradeNo, 'PENDING', 'CLOSED', source)) !== undefined;
  });
}

export type SyncResult = 'PAID' | 'CLOSED' | 'UNCHANGED';

/** orderquery (v2) / query by out_trade_no (v3) → local state. Amount mismatches are flagged, never applied. */
export async function syncFromOrderQuery(
  db: Kysely<DB>,
  pay: PayGateway,
  log: Logger,
  metrics: Metrics,
  outTradeNo: string,
  totalFen: number,
  source: string,
): Promise<SyncResult> {
  const q = await pay.queryOrder(outTradeNo);
  if (q.tradeState === 'SUCCESS' || q.tradeState === 'REFUND') {
    if (!q.transactionId || q.totalFen !== totalFen) {
      await markForAttention(
        db,
        { metrics, afterCommit: immediately },
        outTradeNo,
        'orderquery_amount_mismatch',
        `orderquery reports ${q.tradeState} with total ${String(q.totalFen)} ≠ ${totalFen}`,
      );
      log.error({ outTradeNo, totalFee: q.totalFen, totalFen }, 'orderquery amount mismatch');
      return 'UNCHANGED';
    }
    const order = await findOrder(db, outTradeNo);
    const mismatch = order && paymentTermsMismatch(order, { feeType: q.currency, tradeType: q.tradeType });
    if (mismatch) {
      const reason = `payment ${q.transactionId} not applied: ${mismatch}`;
      await markForAttention(db, { metrics, afterCommit: immediately }, outTradeNo, 'payment_terms_mismatch', reason);
      log.error({ outTradeNo, transactionId: q.transactionId, mismatch }, 'orderquery: payment terms differ');
      return 'UNCHANGED';
    }
    await recordQueriedPayment(
      db,
      log,
      metrics,
      { outTradeNo, transactionId: q.transactionId, totalFee: q.totalFen, paidAt: q.paidAt },
      source,
    );
    return 'PAID';
  }
  if (q.tradeState === 'CLOSED' || q.tradeState === 'REVOKED') {
    return (await closeLocally(db, outTradeNo, source)) ? 'CLOSED' : 'UNCHANGED';
  }
  return 'UNCHANGED';
}

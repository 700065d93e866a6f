/**
 * A verified pay notification in one SQL statement: it reads the order and any earlier notification with this
 * transaction_id and, when the order is PENDING on matching terms and the transaction is new, records the
 * notification, moves the order to PAID and writes the event, all or nothing. Everything else (a duplicate, a
 * flag for an operator, a race) is left to the caller, from what the statement read.
 */
import { sql, type Kysely } from 'kysely';
import type { DB, OrderRow } from '../db/schema';
import { matchingTradeTypes, type PaidTerms } from './payment-terms';
import type { ConfirmedPayment } from './settle';

export interface NotifiedPaymentAttempt {
  /** The order as the statement found it (before its own change), or undefined when there is none. */
  order: OrderRow | undefined;
  /** The notification already recorded with this transaction_id, if any. */
  prior: { outTradeNo: string; totalFee: number } | null;
  /** True when this statement recorded the notification and paid the order. */
  applied: boolean;
}

type AttemptRow = OrderRow & { prior_out_trade_no: string | null; prior_total_fee: number | null; applied: boolean };

export async function tryApplyNotifiedPayment(
  db: Kysely<DB>,
  payment: ConfirmedPayment,
  terms: PaidTerms,
  raw: object,
): Promise<NotifiedPaymentAttempt> {
  const { unclaimed, tradeTypes } = matchingTradeTypes(terms);
  const now = new Date();
  // `payable` locks the order (the newest version, re-checked after any wait) before the transaction_id is
  // inserted: a concurrent copy waits here, then finds the order PAID and changes nothing. The unique
  // transaction_id refuses a payment already recorded for another order; the order then stays as it was.
  const { rows } = await sql<AttemptRow>`
    with found as (select * from orders where out_trade_no = ${payment.outTradeNo}),
    prior as (select out_trade_no, total_fee from payment_notifications where transaction_id = ${payment.transactionId}),
    payable as (
      select id from orders
      where out_trade_no = ${payment.outTradeNo} and status = 'PENDING' and total_fen = ${payment.totalFee}
        and ((trade_type is null and ${unclaimed}) or trade_type = any(${tradeTypes}::text[]))
        and not exists (select 1 from prior)
      for update
    ),
    recorded as (
      insert into payment_notifications (transaction_id, out_trade_no, total_fee, outcome, raw)
      select ${payment.transactionId}, ${payment.outTradeNo}, ${payment.totalFee}, 'APPLIED', ${JSON.stringify(raw)}::jsonb
      from payable
      on conflict (transaction_id) do nothing
      returning id
    ),
    paid as (
      update orders
      set status = 'PAID', transaction_id = ${payment.transactionId}, paid_at = ${payment.paidAt ?? now},
          updated_at = ${now}
      where id = (select id from payable) and status = 'PENDING' and exists (select 1 from recorded)
      returning id
    ),
    event as (
      insert into order_events (order_id, from_status, to_status, source)
      select id, 'PENDING', 'PAID', 'pay-notify' from paid
    )
    select found.*, prior.out_trade_no as prior_out_trade_no, prior.total_fee as prior_total_fee,
      exists (select 1 from paid) as applied
    from found left join prior on true`.execute(db);
  const row = rows[0];
  if (!row) return { order: undefined, prior: null, applied: false };
  const { prior_out_trade_no: priorOutTradeNo, prior_total_fee: priorTotalFee, applied, ...order } = row;
  return {
    order,
    prior: priorOutTradeNo === null ? null : { outTradeNo: priorOutTradeNo, totalFee: Number(priorTotalFee) },
    applied,
  };
}

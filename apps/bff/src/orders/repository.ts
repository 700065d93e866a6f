/** Order persistence and the only place order status changes are written. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Order, OrderStatus } from '@wxpay-shop/contract';
import type { Updateable } from 'kysely';
import { ago } from '../db/clock';
import type { AfterCommit } from '../db/after-commit';
import type { DB, OrderItemRow, OrderRow, OrdersTable } from '../db/schema';
import { notFound } from '../http/errors';
import type { AttentionReason, Metrics } from '../metrics/metrics';
import { OUT_TRADE_NO } from './out-trade-no';
import { timelineOf, toOrderRefund, type OrderHistory } from './timeline';
import { releaseStock } from './stock';

type Db = Kysely<DB> | Transaction<DB>;

export async function findOrder(db: Db, outTradeNo: string): Promise<OrderRow | undefined> {
  return db.selectFrom('orders').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst();
}

/** The order a URL names, or 404 'No such order'; a malformed number never reaches the database. */
export async function findOrderOr404(db: Db, outTradeNo: string | undefined): Promise<OrderRow> {
  if (!outTradeNo || !OUT_TRADE_NO.test(outTradeNo)) throw notFound('No such order');
  const row = await findOrder(db, outTradeNo);
  if (!row) throw notFound('No such order');
  return row;
}

export async function itemsOf(db: Db, orderIds: number[]): Promise<Map<number, OrderItemRow[]>> {
  const byOrder = new Map<number, OrderItemRow[]>();
  if (orderIds.length === 0) return byOrder;
  const rows = await db.selectFrom('order_items').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();
  for (const row of rows) {
    const list = byOrder.get(row.order_id) ?? [];
    list.push(row);
    byOrder.set(row.order_id, list);
  }
  return byOrder;
}

/** Refunds, after-sale requests and closing events of these orders, keyed by order id (three queries). */
export async function historiesOf(db: Db, orderIds: number[]): Promise<Map<number, OrderHistory>> {
  const byOrder = new Map<number, OrderHistory>(
    orderIds.map((id) => [id, { events: [], refunds: [], afterSales: [] }]),
  );
  if (orderIds.length === 0) return byOrder;
  const [events, refunds, afterSales] = await Promise.all([
    db
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', 'in', orderIds)
      .where('to_status', '=', 'CLOSED')
      .orderBy('id')
      .execute(),
    db.selectFrom('refunds').selectAll().where('order_id', 'in', orderIds).orderBy('created_at').execute(),
    db.selectFrom('after_sales').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute(),
  ]);
  for (const e of events) byOrder.get(e.order_id)?.events.push(e);
  for (const r of refunds) byOrder.get(r.order_id)?.refunds.push(r);
  for (const a of afterSales) byOrder.get(a.order_id)?.afterSales.push(a);
  return byOrder;
}

const NO_HISTORY: OrderHistory = { events: [], refunds: [], afterSales: [] };

export function toOrder(row: OrderRow, items: OrderItemRow[], history: OrderHistory = NO_HISTORY): Order {
  const refundsByNo = new Map(history.refunds.map((r) => [r.out_refund_no, r]));
  return {
    outTradeNo: row.out_trade_no,
    status: row.status,
    totalFen: row.total_fen,
    refundedFen: row.refunded_fen,
    items: items.map((i) => ({
      productId: i.product_id,
      name: i.name,
      unitPriceFen: i.unit_price_fen,
      quantity: i.quantity,
    })),
    createdAt: row.created_at.toISOString(),
    paidAt: row.paid_at ? row.paid_at.toISOString() : null,
    transactionId: row.transaction_id,
    expiresAt: row.expires_at.toISOString(),
    deliveryAddress: row.delivery_address,
    fulfilment: row.fulfilment,
    shipment:
      row.shipped_at && row.carrier && row.tracking_no
        ? { carrier: row.carrier, trackingNo: row.tracking_no, shippedAt: row.shipped_at.toISOString() }
        : null,
    receivedAt: row.received_at ? row.received_at.toISOString() : null,
    autoReceiveAt: row.fulfilment === 'SHIPPED' && row.auto_receive_at ? row.auto_receive_at.toISOString() : null,
    refunds: history.refunds.map(toOrderRefund),
    afterSales: history.afterSales.map((a) => {
      const refund = a.out_refund_no ? refundsByNo.get(a.out_refund_no) : undefined;
      return {
        id: a.id,
        kind: a.kind,
        status: a.status,
        amountFen: a.amount_fen,
        reason: a.reason,
        rejectReason: a.reject_reason,
        createdAt: a.created_at.toISOString(),
        decidedAt: a.decided_at ? a.decided_at.toISOString() : null,
        refund: refund ? toOrderRefund(refund) : null,
      };
    }),
    timeline: timelineOf(row, history),
  };
}

/** Rows → API orders, with their items and history (a handful of queries for all of them). */
export async function toOrders(db: Db, rows: OrderRow[]): Promise<Order[]> {
  const ids = rows.map((r) => r.id);
  const [items, histories] = await Promise.all([itemsOf(db, ids), historiesOf(db, ids)]);
  return rows.map((r) => toOrder(r, items.get(r.id) ?? [], histories.get(r.id)));
}

export async function loadOrder(db: Db, outTradeNo: string): Promise<Order | undefined> {
  const row = await findOrder(db, outTradeNo);
  if (!row) return undefined;
  return (await toOrders(db, [row]))[0];
}

/**
 * Conditional status change: applies only while the order is in status `from`, inside the
 * caller's transaction, and records the transition. Returns the updated row or undefined
 * when another writer got there first — this is what makes concurrent duplicates harmless.
 * Closing gives the reserved stock back here, in the same transaction, so every path that
 * closes releases it and a close that loses the race releases nothing.
 */
export async function transition(
  trx: Transaction<DB>,
  outTradeNo: string,
  from: OrderStatus,
  to: OrderStatus,
  source: string,
  changes: Updateable<OrdersTable> = {},
  detail: string | null = null,
): Promise<OrderRow | undefined> {
  const updated = await trx
    .updateTable('orders')
    .set({ ...changes, status: to, updated_at: new Date() })
    .where('out_trade_no', '=', outTradeNo)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst();
  if (!updated) return undefined;
  await trx
    .insertInto('order_events')
    .values({ order_id: updated.id, from_status: from, to_status: to, source, detail })
    .execute();
  if (to === 'CLOSED') await releaseStock(trx, updated.id);
  return updated;
}

/**
 * Flags an order for an operator (money arrived where we did not expect it, refund exception…).
 * Reasons accumulate, one per line, so a later flag never hides an earlier one (a second payment,
 * say); a reason already there (the same check repeated) is not added, or counted, twice.
 * A new flag is counted through `afterCommit`, so a transaction that rolls back (and is retried) counts nothing.
 * True when this flag was new.
 */
export async function markForAttention(
  db: Db,
  { metrics, afterCommit }: { metrics: Metrics; afterCommit: AfterCommit },
  outTradeNo: string,
  kind: AttentionReason,
  reason: string,
): Promise<boolean> {
  const attention = sql<string>`case
    when attention_reason is null or attention_reason = '' then ${reason}
    else attention_reason || ${'\n'} || ${reason} end`;
  const flagged = await db
    .updateTable('orders')
    .set({ needs_attention: true, attention_reason: attention, updated_at: new Date() })
    .where('out_trade_no', '=', outTradeNo)
    .where((eb) =>
      eb.or([
        eb('attention_reason', 'is', null),
        eb('attention_reason', '=', ''),
        sql<boolean>`position(${reason} in attention_reason) = 0`,
      ]),
    )
    .returning('id')
    .executeTakeFirst();
  if (flagged) afterCommit(() => metrics.attentionFlags.inc({ reason: kind }));
  return flagged !== undefined;
}

/** Unpaid orders whose prepay is older than `olderThanMs`: shoppers who started paying and never finished. */
export async function countStaleUnpaidPrepays(db: Db, olderThanMs: number): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'PENDING')
    .where('prepay_created_at', '<', ago(olderThanMs))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Seconds the longest-waiting order due for a reconciler check has waited; 0 when none waits. An order
 * is due (as the reconciler claims them) once its prepay is `minPrepayAgeMs` old or it has expired, and
 * again when the lease of its last check runs out: a growing value means the reconciler is falling behind.
 */
export async function reconcilerLagSeconds(db: Db, minPrepayAgeMs: number): Promise<number> {
  // greatest/least skip NULLs: an order never claimed waits since it became due, a checked one since its lease ended.
  const prepayDue = sql<Date>`prepay_created_at + make_interval(secs => ${minPrepayAgeMs / 1000})`;
  const dueSince = sql<Date>`greatest(reconcile_lease_until, least(${prepayDue}, expires_at))`;
  const row = await db
    .selectFrom('orders')
    .select(sql<string | null>`extract(epoch from now() - min(${dueSince}))`.as('lag'))
    .where('status', '=', 'PENDING')
    .where((eb) => eb.or([eb('prepay_created_at', '<', ago(minPrepayAgeMs)), eb('expires_at', '<', sql<Date>`now()`)]))
    .where((eb) => eb.or([eb('reconcile_lease_until', 'is', null), eb('reconcile_lease_until', '<', sql<Date>`now()`)]))
    .executeTakeFirstOrThrow();
  return row.lag === null ? 0 : Math.max(0, Number(row.lag));
}

/** The attention list's length. */
export async function countAttentionOrders(db: Db): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('needs_attention', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

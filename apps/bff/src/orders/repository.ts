/** Order persistence and the only place order status changes are written. */
import type { Kysely, Transaction } from 'kysely';
import type { Order, OrderStatus } from '@wxpay-shop/contract';
import type { Updateable } from 'kysely';
import type { DB, OrderItemRow, OrderRow, OrdersTable } from '../db/schema';
import { releaseStock } from './stock';

type Db = Kysely<DB> | Transaction<DB>;

export async function findOrder(db: Db, outTradeNo: string): Promise<OrderRow | undefined> {
  return db.selectFrom('orders').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst();
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

export function toOrder(row: OrderRow, items: OrderItemRow[]): Order {
  return {
    outTradeNo: row.out_trade_no,
    status: row.status,
    totalFen: row.total_fen,
    refundedFen: row.refunded_fen,
    items: items.map((i) => ({ productId: i.product_id, name: i.name, unitPriceFen: i.unit_price_fen, quantity: i.quantity })),
    createdAt: row.created_at.toISOString(),
    paidAt: row.paid_at ? row.paid_at.toISOString() : null,
    transactionId: row.transaction_id,
    expiresAt: row.expires_at.toISOString(),
  };
}

export async function loadOrder(db: Db, outTradeNo: string): Promise<Order | undefined> {
  const row = await findOrder(db, outTradeNo);
  if (!row) return undefined;
  return toOrder(row, (await itemsOf(db, [row.id])).get(row.id) ?? []);
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

/** Flags an order for an operator (money arrived where we did not expect it, refund exception…). */
export async function markForAttention(db: Db, outTradeNo: string, reason: string): Promise<void> {
  await db
    .updateTable('orders')
    .set({ needs_attention: true, attention_reason: reason, updated_at: new Date() })
    .where('out_trade_no', '=', outTradeNo)
    .execute();
}

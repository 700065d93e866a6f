/**
 * The fulfilment axis: 待发货 → 已发货 (operator, carrier + tracking number) → 已完成 (shopper's
 * 确认收货, or the reconciler N days after shipping). Each step is one conditional UPDATE, so a
 * repeated or concurrent request changes the order once; payment columns are never written here.
 */
import { sql, type Kysely } from 'kysely';
import type { ShipRequest } from '@wxpay-shop/contract';
import type { DB, OrderRow } from '../db/schema';
import { conflict } from '../http/errors';
import { findOrder } from './repository';

const DAY_MS = 86_400_000;

/**
 * Ships a paid order with no refund request waiting. Shipping it again with the same carrier and
 * number answers as before (a retried request); anything else that is not 待发货 is a 409.
 */
export async function shipOrder(
  db: Kysely<DB>,
  order: OrderRow,
  shipment: ShipRequest,
  autoReceiveDays: number,
): Promise<OrderRow> {
  const now = new Date();
  const shipped = await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('orders')
      .set({
        fulfilment: 'SHIPPED',
        carrier: shipment.carrier,
        tracking_no: shipment.trackingNo,
        shipped_at: now,
        auto_receive_at: new Date(now.getTime() + autoReceiveDays * DAY_MS),
        updated_at: now,
      })
      .where('id', '=', order.id)
      .where('status', '=', 'PAID')
      .where('fulfilment', '=', 'UNSHIPPED')
      // A 仅退款 request may be about to give the money back: the operator decides it first.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('after_sales').select('id').where('order_id', '=', order.id).where('status', '=', 'PENDING'),
          ),
        ),
      )
      .returningAll()
      .executeTakeFirst();
    if (row) {
      await trx
        .insertInto('order_events')
        .values({
          order_id: row.id,
          from_status: 'UNSHIPPED',
          to_status: 'SHIPPED',
          source: 'admin-ship',
          detail: `${shipment.carrier} ${shipment.trackingNo}`,
        })
        .execute();
    }
    return row;
  });
  if (shipped) return shipped;
  const now2 = (await findOrder(db, order.out_trade_no)) ?? order;
  if (now2.fulfilment !== 'UNSHIPPED') {
    if (now2.carrier === shipment.carrier && now2.tracking_no === shipment.trackingNo) return now2;
    throw conflict(`Order is already ${now2.fulfilment}`, { fulfilment: now2.fulfilment });
  }
  if (now2.status !== 'PAID')
    throw conflict(`Order is ${now2.status}; only PAID orders can be shipped`, { status: now2.status });
  throw conflict('A refund request of this order is waiting for a decision; approve or reject it first');
}

/**
 * The shopper's 确认收货 (or the reconciler's, `automatic`). Receiving an order already received
 * answers as before; an order not shipped yet is a 409.
 */
export async function receiveOrder(db: Kysely<DB>, order: OrderRow): Promise<OrderRow> {
  const received = await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('orders')
      .set({ fulfilment: 'RECEIVED', received_at: new Date(), auto_received: false, updated_at: new Date() })
      .where('id', '=', order.id)
      .where('fulfilment', '=', 'SHIPPED')
      .returningAll()
      .executeTakeFirst();
    if (row) {
      await trx
        .insertInto('order_events')
        .values({ order_id: row.id, from_status: 'SHIPPED', to_status: 'RECEIVED', source: 'shopper-receipt' })
        .execute();
    }
    return row;
  });
  if (received) return received;
  const now = (await findOrder(db, order.out_trade_no)) ?? order;
  if (now.fulfilment === 'RECEIVED') return now;
  throw conflict('订单尚未发货，不能确认收货', { fulfilment: now.fulfilment });
}

/**
 * The reconciler's timer: shipped orders past their auto_receive_at become RECEIVED, unless a
 * 退货退款 request is waiting (the shopper is sending the goods back). Returns how many moved.
 */
export async function autoReceiveDue(db: Kysely<DB>, batchSize: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('orders')
      .select('id')
      .where('fulfilment', '=', 'SHIPPED')
      .where('auto_receive_at', '<', sql<Date>`now()`)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('after_sales')
              .select('id')
              .whereRef('order_id', '=', 'orders.id')
              .where('status', '=', 'PENDING'),
          ),
        ),
      )
      .orderBy('auto_receive_at')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return 0;
    const moved = await trx
      .updateTable('orders')
      .set({
        fulfilment: 'RECEIVED',
        received_at: sql<Date>`auto_receive_at`,
        auto_received: true,
        updated_at: new Date(),
      })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .where('fulfilment', '=', 'SHIPPED')
      .returning('id')
      .execute();
    if (moved.length > 0) {
      await trx
        .insertInto('order_events')
        .values(
          moved.map((m) => ({ order_id: m.id, from_status: 'SHIPPED', to_status: 'RECEIVED', source: 'auto-receive' })),
        )
        .execute();
    }
    return moved.length;
  });
}

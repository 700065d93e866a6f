/**
 * The shopper's 申请退款: 仅退款 before shipping, 退货退款 after, for at most what is left. A request
 * waits (one per order, enforced by a unique index) until the operator approves it (a refund, see
 * payments/after-sale-approval.ts) or rejects it with a reason the shopper reads.
 */
import type { Kysely } from 'kysely';
import type { AfterSaleKind, AfterSaleRequest } from '@wxpay-shop/contract';
import type { AfterSaleRow, DB, OrderRow } from '../db/schema';
import { badRequest, conflict, notFound } from '../http/errors';

/** What the order's fulfilment allows: goods not sent yet → 仅退款; sent → 退货退款. */
export function afterSaleKindFor(order: Pick<OrderRow, 'fulfilment'>): AfterSaleKind {
  return order.fulfilment === 'UNSHIPPED' ? 'REFUND_ONLY' : 'RETURN_REFUND';
}

/** ¥12.30 from 1230 fen, for shopper-facing messages. */
const yuan = (fen: number) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** Postgres' unique_violation: another request for this order is already waiting. */
const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === '23505';

export async function requestAfterSale(
  db: Kysely<DB>,
  order: OrderRow,
  request: AfterSaleRequest,
): Promise<AfterSaleRow> {
  if (order.status !== 'PAID') {
    throw conflict(order.status === 'REFUNDING' ? '退款处理中，请稍后再申请' : '该订单不能申请退款', {
      status: order.status,
    });
  }
  const kind = afterSaleKindFor(order);
  if (request.kind && request.kind !== kind) {
    throw conflict(kind === 'REFUND_ONLY' ? '商品尚未发货，请选择仅退款' : '商品已发货，请选择退货退款', { kind });
  }
  const leftFen = order.total_fen - order.refunded_fen;
  if (request.amountFen > leftFen) throw badRequest(`最多可退 ${yuan(leftFen)}`, { leftFen });
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('after_sales')
        .values({ order_id: order.id, kind, status: 'PENDING', amount_fen: request.amountFen, reason: request.reason })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('order_events')
        .values({
          order_id: order.id,
          from_status: 'NONE',
          to_status: 'AFTER_SALE_PENDING',
          source: 'shopper-after-sale',
          detail: String(row.id),
        })
        .execute();
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('已有退款申请在处理中', { orderId: order.out_trade_no });
    throw err;
  }
}

export async function findAfterSaleOr404(
  db: Kysely<DB>,
  id: string | undefined,
): Promise<{ afterSale: AfterSaleRow; order: OrderRow }> {
  if (!id || !/^[1-9]\d{0,9}$/.test(id) || Number(id) > 2_147_483_647) throw notFound('No such after-sale request');
  const afterSale = await db.selectFrom('after_sales').selectAll().where('id', '=', Number(id)).executeTakeFirst();
  const order =
    afterSale && (await db.selectFrom('orders').selectAll().where('id', '=', afterSale.order_id).executeTakeFirst());
  if (!afterSale || !order) throw notFound('No such after-sale request');
  return { afterSale, order };
}

/** PENDING → REJECTED with the reason the shopper sees; rejecting it again with any reason answers as before. */
export async function rejectAfterSale(db: Kysely<DB>, afterSale: AfterSaleRow, reason: string): Promise<void> {
  const rejected = await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('after_sales')
      .set({ status: 'REJECTED', reject_reason: reason, decided_at: new Date() })
      .where('id', '=', afterSale.id)
      .where('status', '=', 'PENDING')
      .returning(['id', 'order_id'])
      .executeTakeFirst();
    if (row) {
      await trx
        .insertInto('order_events')
        .values({
          order_id: row.order_id,
          from_status: 'AFTER_SALE_PENDING',
          to_status: 'AFTER_SALE_REJECTED',
          source: 'admin-reject',
          detail: String(row.id),
        })
        .execute();
    }
    return row;
  });
  if (rejected) return;
  const now = await db
    .selectFrom('after_sales')
    .select('status')
    .where('id', '=', afterSale.id)
    .executeTakeFirstOrThrow();
  if (now.status !== 'REJECTED') throw conflict(`After-sale request is ${now.status}`, { status: now.status });
}

/** The operator's queue: requests with this status, oldest first, with their order numbers. */
export async function afterSalesWithStatus(db: Kysely<DB>, status: AfterSaleRow['status'], limit: number) {
  return db
    .selectFrom('after_sales')
    .innerJoin('orders', 'orders.id', 'after_sales.order_id')
    .selectAll('after_sales')
    .select('orders.out_trade_no')
    .where('after_sales.status', '=', status)
    .orderBy('after_sales.id')
    .limit(limit)
    .execute();
}

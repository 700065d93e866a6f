/**
 * The operator console's order queries: a filtered list with keyset paging (created_at desc, id desc, so a
 * page costs the same at a million orders), and one order with everything known about it.
 */
import { sql, type Kysely } from 'kysely';
import { OrderStatusSchema } from '@wxpay-shop/contract';
import { beijingDayBounds, parseBillDay } from '../bills/bill-day';
import type { DB, OrderRow } from '../db/schema';
import { badRequest } from '../http/errors';
import { toOrders } from './repository';

export interface OrderFilter {
  status?: string;
  attention?: boolean;
  /** Beijing days, inclusive. */
  from?: string;
  to?: string;
  /** out_trade_no, transaction_id or openid, exact. */
  q?: string;
  cursor?: string;
  limit: number;
}

/** `createdAtISO|id`, base64url: opaque to the client, exact for the next page. */
const encodeCursor = (row: OrderRow) => Buffer.from(`${row.created_at.toISOString()}|${row.id}`).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: number } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!Number.isFinite(createdAt.getTime()) || !Number.isInteger(Number(id)))
    throw badRequest('cursor is not one this API gave');
  return { createdAt, id: Number(id) };
}

/** Query parameters → filter; every bad one is a 400 naming it. */
export function parseOrderFilter(query: Record<string, unknown>): OrderFilter {
  const text = (name: string) =>
    typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined;
  const filter: OrderFilter = { limit: 50 };
  const status = text('status');
  if (status !== undefined) {
    if (!OrderStatusSchema.safeParse(status).success)
      throw badRequest(`status must be one of ${OrderStatusSchema.options.join(', ')}`);
    filter.status = status;
  }
  if (text('attention') !== undefined) filter.attention = text('attention') === '1';
  for (const name of ['from', 'to'] as const) {
    const day = text(name);
    if (day === undefined) continue;
    if (!parseBillDay(day)) throw badRequest(`${name} must be a day, yyyy-MM-dd (Beijing)`);
    filter[name] = day;
  }
  const q = text('q');
  if (q !== undefined) filter.q = q.trim();
  const cursor = text('cursor');
  if (cursor !== undefined) filter.cursor = cursor;
  const limit = text('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 200) throw badRequest('limit must be 1-200');
    filter.limit = n;
  }
  return filter;
}

function filtered(db: Kysely<DB>, f: OrderFilter) {
  let query = db.selectFrom('orders').selectAll();
  if (f.status) query = query.where('status', '=', f.status as OrderRow['status']);
  if (f.attention !== undefined) query = query.where('needs_attention', '=', f.attention);
  if (f.from) query = query.where('created_at', '>=', beijingDayBounds(f.from).start);
  if (f.to) query = query.where('created_at', '<', beijingDayBounds(f.to).end);
  if (f.q) {
    const q = f.q;
    query = query.where((eb) =>
      eb.or([eb('out_trade_no', '=', q), eb('transaction_id', '=', q), eb('openid', '=', q)]),
    );
  }
  return query;
}

/** One page's query (limit + 1 rows, to know whether another page follows); exported for bench/explain-order-list. */
export function explainableOrderQuery(db: Kysely<DB>, f: OrderFilter) {
  let query = filtered(db, f);
  if (f.cursor) {
    const { createdAt, id } = decodeCursor(f.cursor);
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}, ${id})`);
  }
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
}

export async function listOrdersPage(db: Kysely<DB>, f: OrderFilter) {
  const rows = await explainableOrderQuery(db, f).execute();
  const page = rows.slice(0, f.limit);
  const orders = await toOrders(db, page);
  return {
    orders: orders.map((o, i) => ({
      ...o,
      attention: page[i]!.attention_reason,
      transactionId: page[i]!.transaction_id,
    })),
    nextCursor: rows.length > f.limit ? encodeCursor(page.at(-1)!) : null,
  };
}

/** Every row of a filtered list, oldest first, for CSV export (bounded by `max`). */
export function exportOrders(db: Kysely<DB>, f: OrderFilter, max: number) {
  return filtered(db, f).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(max).execute();
}

/** The latest calls an order page lists (a reconciler may query one order many times). */
const WECHAT_CALLS_SHOWN = 200;

/** The order page: the order, its timeline, every notification, every WeChat call made for it, and refunds. */
export async function orderDetail(db: Kysely<DB>, row: OrderRow) {
  const [order] = await toOrders(db, [row]);
  const [events, notifications, wechatCalls, refunds] = await Promise.all([
    db.selectFrom('order_events').selectAll().where('order_id', '=', row.id).orderBy('id').execute(),
    db
      .selectFrom('payment_notifications')
      .select(['transaction_id', 'total_fee', 'outcome', 'received_at'])
      .where('out_trade_no', '=', row.out_trade_no)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('wechat_calls')
      .select(['call', 'endpoint', 'out_refund_no', 'result', 'code', 'duration_ms', 'called_at'])
      .where('out_trade_no', '=', row.out_trade_no)
      .orderBy('id', 'desc')
      .limit(WECHAT_CALLS_SHOWN)
      .execute(),
    db
      .selectFrom('refunds')
      .select(['out_refund_no', 'refund_id', 'refund_fen', 'reason', 'status', 'created_at', 'updated_at'])
      .where('order_id', '=', row.id)
      .orderBy('created_at')
      .execute(),
  ]);
  return {
    order: {
      ...order!,
      attention: row.attention_reason,
      transactionId: row.transaction_id,
      openid: row.openid,
      paidAt: row.paid_at,
    },
    timeline: events.map((e) => ({
      from: e.from_status,
      to: e.to_status,
      source: e.source,
      detail: e.detail,
      at: e.created_at,
    })),
    notifications,
    wechatCalls: wechatCalls.reverse(),
    refunds,
  };
}

/** The fields of an order an audit entry records before and after a change. */
export const auditView = (row: OrderRow) => ({
  status: row.status,
  refundedFen: row.refunded_fen,
  needsAttention: row.needs_attention,
  attentionReason: row.attention_reason,
});

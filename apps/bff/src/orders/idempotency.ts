/**
 * Idempotency-Key on POST /api/orders: a checkout retried after its answer was lost (mobile networks)
 * gets the order the first request created, instead of a second PENDING order holding stock.
 * A key belongs to the owner id that used it (unique index on (owner_id, idempotency_key)) and is
 * kept as long as its order row, i.e. for good.
 */
import type { Context } from 'koa';
import type { Kysely } from 'kysely';
import { IDEMPOTENCY_KEY_HEADER, IdempotencyKeySchema, type Order } from '@wxpay-shop/contract';
import type { DB } from '../db/schema';
import { badRequest, conflict } from '../http/errors';
import { itemsOf, toOrder } from './repository';

/** The request's key, or null without the header; a header that is present but malformed is a 400. */
export function idempotencyKeyOf(ctx: Context): string | null {
  const raw = ctx.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (raw === undefined) return null;
  const parsed = IdempotencyKeySchema.safeParse(raw);
  if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? 'Invalid Idempotency-Key');
  return parsed.data;
}

/**
 * The order this owner already created with this key, as it is now (maybe paid or closed by then),
 * or undefined when the key is new. The same key with other items is a client bug, not a retry: 409.
 * Items are compared by product id and summed quantity, as the order stores them; prices may have
 * changed since and do not matter.
 */
export async function orderForKey(
  db: Kysely<DB>,
  ownerId: string,
  key: string,
  quantities: ReadonlyMap<string, number>,
): Promise<Order | undefined> {
  const row = await db
    .selectFrom('orders')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  const items = (await itemsOf(db, [row.id])).get(row.id) ?? [];
  const ordered = new Map<string, number>();
  for (const item of items) ordered.set(item.product_id, (ordered.get(item.product_id) ?? 0) + item.quantity);
  const same = ordered.size === quantities.size && [...quantities].every(([id, q]) => ordered.get(id) === q);
  if (!same) {
    throw conflict('This Idempotency-Key was used for an order with other items; use a new key for a new order', {
      outTradeNo: row.out_trade_no,
    });
  }
  return toOrder(row, items);
}

/**
 * Stock is reserved when an order is created and given back when it closes. Both are
 * conditional single-statement updates inside the caller's transaction, so concurrent
 * orders can never take more than is there (the row lock serialises them) and a rollback
 * undoes the reservation together with the order.
 */
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema';
import { conflict } from '../http/errors';

export interface StockLine {
  productId: string;
  name: string;
  quantity: number;
}

/** Takes every line or throws 409 (the caller's transaction then rolls back what was taken). */
export async function reserveStock(trx: Transaction<DB>, lines: StockLine[]): Promise<void> {
  // A fixed lock order keeps two orders for {A, B} and {B, A} from deadlocking on PostgreSQL.
  const ordered = [...lines].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  for (const line of ordered) {
    const taken = await trx
      .updateTable('products')
      .set({ stock: sql<number>`stock - ${line.quantity}` })
      .where('id', '=', line.productId)
      .where('stock', '>=', line.quantity)
      .returning('id')
      .executeTakeFirst();
    if (!taken) throw conflict(`「${line.name}」库存不足`, { productIds: [line.productId] });
  }
}

/** Gives an order's quantities back; call only from the transition that closes the order. */
export async function releaseStock(trx: Transaction<DB>, orderId: number): Promise<void> {
  const items = await trx
    .selectFrom('order_items')
    .select(['product_id'])
    .select((eb) => eb.fn.sum<number>('quantity').as('quantity'))
    .where('order_id', '=', orderId)
    .groupBy('product_id')
    .orderBy('product_id')
    .execute();
  for (const item of items) {
    await trx
      .updateTable('products')
      .set({ stock: sql<number>`stock + ${Number(item.quantity)}` })
      .where('id', '=', item.product_id)
      .execute();
  }
}

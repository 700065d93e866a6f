/**
 * Stock is reserved when an order is created (in the place_order function: a conditional UPDATE
 * per product, rows locked in id order, so concurrent orders never take more than is there) and
 * given back here when it closes, inside the closing transaction.
 */
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema';

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

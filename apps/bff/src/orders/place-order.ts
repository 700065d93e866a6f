/**
 * Creates an order with its items and takes its stock in one database call (the place_order function,
 * migration 016): one round trip per checkout, the hot product rows locked only inside it, in product id
 * order. Refusals come back as HTTP errors; nothing is written unless the whole order is.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Order } from '@wxpay-shop/contract';
import type { DB, OrderItemRow, OrderRow } from '../db/schema';
import { badRequest, conflict } from '../http/errors';
import type { Shopper } from '../sessions/session';
import { pendingCapRefusal } from './order-limits';
import { outTradeNoPrefix, SEQUENCE_DIGITS } from './out-trade-no';
import { toOrder } from './repository';

export interface PlaceOrderInput {
  shopper: Shopper;
  idempotencyKey: string | null;
  /** Product id → quantity, each product once. */
  quantities: ReadonlyMap<string, number>;
  deliveryAddress: unknown;
  signType: OrderRow['sign_type'];
  now: Date;
  expiresAt: Date;
  /** Production sells no test-only product. */
  onSaleOnly: boolean;
  /** Unexpired unpaid orders the shopper may hold with this one (0 = no cap). */
  maxPendingOrders: number;
}

/** The order as created, or undefined when this owner already created one with this idempotency key. */
export async function placeOrder(db: Kysely<DB> | Transaction<DB>, input: PlaceOrderInput): Promise<Order | undefined> {
  const ids = [...input.quantities.keys()];
  const address = input.deliveryAddress === undefined || input.deliveryAddress === null ? null : input.deliveryAddress;
  try {
    const { rows } = await sql<OrderRow & { items: OrderItemRow[] }>`
      select (r.placed).*, r.items from place_order(
        ${outTradeNoPrefix(input.now)}, ${SEQUENCE_DIGITS}, ${input.shopper.ownerId}, ${input.shopper.openid},
        ${input.idempotencyKey}, ${address === null ? null : JSON.stringify(address)}::jsonb, ${input.signType},
        ${input.expiresAt}, ${input.now}, ${ids}::text[], ${ids.map((id) => input.quantities.get(id)!)}::integer[],
        ${input.onSaleOnly}, ${input.maxPendingOrders}) r`.execute(db);
    const row = rows[0];
    if (!row) return undefined;
    const { items, ...order } = row;
    return toOrder(order, items);
  } catch (err) {
    throw refusalOf(err, input.maxPendingOrders) ?? err;
  }
}

/** The HTTP error for a refusal place_order raised, or null for any other failure. */
function refusalOf(err: unknown, maxPendingOrders: number): Error | null {
  const { code, detail } = (err ?? {}) as { code?: unknown; detail?: unknown };
  if (typeof detail !== 'string') return null;
  if (code === 'WXP01') return badRequest('Unknown product', { productIds: JSON.parse(detail) as string[] });
  if (code === 'WXP02') {
    const short = JSON.parse(detail) as { productId: string; name: string };
    return conflict(`「${short.name}」库存不足`, { productIds: [short.productId] });
  }
  if (code === 'WXP03') return pendingCapRefusal(maxPendingOrders, Number(detail));
  return null;
}

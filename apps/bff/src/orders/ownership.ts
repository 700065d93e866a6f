/** An order belongs to the session that created it and, once signed in, to that WeChat user. */
import type { OrderRow } from '../db/schema';
import type { Shopper } from '../sessions/session';

export function ownsOrder(shopper: Shopper, order: OrderRow): boolean {
  return order.owner_id === shopper.ownerId || (shopper.openid !== null && order.openid === shopper.openid);
}

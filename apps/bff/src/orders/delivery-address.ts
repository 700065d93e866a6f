/** Whether an order needs a delivery address: any physical good does; an order of virtual goods only does not. */
import type { DeliveryAddress } from '@wxpay-shop/contract';
import type { Kysely } from 'kysely';
import { productsOnSale } from '../catalog/repository';
import type { Config } from '../config';
import type { DB } from '../db/schema';
import { HttpError } from '../http/errors';

/** Refused before anything is stored or reserved: the shopper fills in an address and submits again. */
export const DELIVERY_ADDRESS_REQUIRED_MESSAGE = '请填写收货地址';

/** 400 DELIVERY_ADDRESS_REQUIRED naming the products that ship, unless none of them does. */
export function refuseShippingWithoutAddress(products: readonly { id: string; ships: boolean }[]): void {
  const shipping = products.filter((p) => p.ships).map((p) => p.id);
  if (shipping.length === 0) return;
  throw new HttpError(400, 'DELIVERY_ADDRESS_REQUIRED', DELIVERY_ADDRESS_REQUIRED_MESSAGE, { productIds: shipping });
}

/**
 * Refuses an order without an address when any of its products ships. The products are read only then, so an
 * order with an address (every storefront order) stays the one statement of placeOrder. Unknown product ids
 * are left to placeOrder's own refusal.
 */
export async function requireDeliveryAddress(
  db: Kysely<DB>,
  config: Config,
  productIds: readonly string[],
  address: DeliveryAddress | undefined,
): Promise<void> {
  if (address) return;
  const products = await productsOnSale(db, config).where('id', 'in', productIds).execute();
  refuseShippingWithoutAddress(products);
}

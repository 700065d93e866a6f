/** One delivery address for every test order: POST /api/orders requires one for physical goods. */
import type { CreateOrderRequestInput, DeliveryAddress } from '@wxpay-shop/contract';
import { SAMPLE_DELIVERY_ADDRESS } from '@wxpay-shop/contract/fixtures';

export const DELIVERY_ADDRESS: DeliveryAddress = SAMPLE_DELIVERY_ADDRESS;

/** A POST /api/orders body: these items, shipped to DELIVERY_ADDRESS. */
export function orderBody(items: CreateOrderRequestInput['items']): CreateOrderRequestInput {
  return { items, deliveryAddress: DELIVERY_ADDRESS };
}

/** One delivery address for every test order: POST /api/orders requires one for physical goods. */
import type { CreateOrderRequestInput, DeliveryAddress } from '@wxpay-shop/contract';

export const DELIVERY_ADDRESS: DeliveryAddress = {
  name: '张三',
  mobile: '13800138000',
  province: '广东省',
  city: '广州市',
  district: '天河区',
  detail: '天河路 385 号 太古汇 1 座 2001 室',
  postalCode: '510620',
};

/** A POST /api/orders body: these items, shipped to DELIVERY_ADDRESS. */
export function orderBody(items: CreateOrderRequestInput['items']): CreateOrderRequestInput {
  return { items, deliveryAddress: DELIVERY_ADDRESS };
}

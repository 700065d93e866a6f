/** Sample data for tests, benches and e2e (`@wxpay-shop/contract/fixtures`); app code never imports it. */
import type { DeliveryAddress } from './delivery-address';

/** A valid delivery address: POST /api/orders requires one when any item ships. */
export const SAMPLE_DELIVERY_ADDRESS: DeliveryAddress = {
  name: '张三',
  mobile: '13800138000',
  province: '广东省',
  city: '广州市',
  district: '天河区',
  detail: '天河路 385 号',
  postalCode: '',
};

/** The address orders placed straight through the API carry: the BFF refuses physical goods without one. */
import type { DeliveryAddress } from '@wxpay-shop/contract';

export const DELIVERY_ADDRESS: DeliveryAddress = {
  name: '张三',
  mobile: '13800138000',
  province: '广东省',
  city: '广州市',
  district: '天河区',
  detail: '天河路 385 号',
  postalCode: '',
};

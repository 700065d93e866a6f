/** How a delivery address reads on the page: the mobile masked (138****8000), the region and the detail in one line. */
import type { DeliveryAddress } from '@wxpay-shop/contract';

export function maskMobile(mobile: string): string {
  return /^\d{11}$/.test(mobile) ? `${mobile.slice(0, 3)}****${mobile.slice(7)}` : mobile;
}

/** 北京市 北京市 东城区 reads 北京市东城区: a city named like its province is said once. */
export function addressLine(a: DeliveryAddress): string {
  const city = a.city === a.province ? '' : a.city;
  return `${a.province}${city}${a.district}${a.detail}`;
}

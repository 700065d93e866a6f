/** The product page's service notes: 运费, 发货时间 and whether 七天无理由退货 applies. Pure. */
import type { Product } from '@wxpay-shop/contract';

export interface ServiceNote {
  label: string;
  text: string;
  /** A limit rather than a promise (不支持…): shown plainly, not as a benefit. */
  limited: boolean;
}

/** Orders are charged their goods only: the BFF adds no 运费, and order pages show 运费 ¥0.00. */
export const SHIPPING_NOTE = '全场包邮';
export const DISPATCH_NOTE = '付款后 48 小时内发货';

export function serviceNotes(product: Pick<Product, 'sevenDayReturns'>): ServiceNote[] {
  return [
    { label: '运费', text: SHIPPING_NOTE, limited: false },
    { label: '发货', text: DISPATCH_NOTE, limited: false },
    product.sevenDayReturns
      ? { label: '退货', text: '支持七天无理由退货', limited: false }
      : { label: '退货', text: '不支持七天无理由退货', limited: true },
  ];
}

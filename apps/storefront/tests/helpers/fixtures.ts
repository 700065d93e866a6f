import type { JsapiPayParams, Order, OrderStatus, Product } from '@wxpay-shop/contract';

export const product: Product = {
  id: 'p-tea',
  name: '明前龙井',
  description: '杭州西湖产区',
  priceFen: 12_800,
  imageUrl: '/images/tea.jpg',
  stock: 10,
  gallery: ['/images/tea.jpg', '/images/tea-cup.jpg'],
  details: [
    { label: '规格', value: '50 克/罐' },
    { label: '产地', value: '浙江杭州' },
  ],
  sevenDayReturns: false,
};

export function order(status: OrderStatus, outTradeNo = 'T20261126000001'): Order {
  return {
    outTradeNo,
    status,
    totalFen: 25_600,
    refundedFen: 0,
    items: [{ productId: product.id, name: product.name, unitPriceFen: product.priceFen, quantity: 2 }],
    createdAt: '2026-11-26T10:00:00.000Z',
    paidAt: status === 'PAID' ? '2026-11-26T10:01:00.000Z' : null,
    transactionId: status === 'PAID' ? '4200000000202611260000000001' : null,
    expiresAt: '2026-11-26T12:00:00.000Z',
    deliveryAddress: null,
    fulfilment: 'UNSHIPPED',
    shipment: null,
    receivedAt: null,
    autoReceiveAt: null,
    refunds: [],
    afterSales: [],
    timeline: [
      { type: 'CREATED', at: '2026-11-26T10:00:00.000Z' },
      ...(status === 'PAID' ? [{ type: 'PAID' as const, at: '2026-11-26T10:01:00.000Z', amountFen: 25_600 }] : []),
    ],
  };
}

export const payParams: JsapiPayParams = {
  appId: 'wxd930ea5d5a258f4f',
  timeStamp: '1764151200',
  nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  package: 'prepay_id=wx201410272009395522657a690389285100',
  signType: 'MD5',
  paySign: 'C380BEC2BFD727A4B6845133519F3AD6',
};

/** Routes, in one place so neither side hard-codes paths differently. */
export const routes = {
  me: '/api/me',
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  products: '/api/products',
  product: (id: string) => `/api/products/${encodeURIComponent(id)}`,
  /** The product's picture at a fetchable URL (for share cards); inline pictures are decoded. */
  productImage: (id: string) => `/api/products/${encodeURIComponent(id)}/image`,
  /** The main picture as a PNG, for WeChat's share card (which shows SVG unreliably). */
  productShareImage: (id: string) => `/api/products/${encodeURIComponent(id)}/share.png`,
  orders: '/api/orders',
  order: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}`,
  pay: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}/pay`,
  jsConfig: (pageUrl: string) => `/api/wechat/js-config?url=${encodeURIComponent(pageUrl)}`,
  cancel: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}/cancel`,
  confirmReceipt: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}/confirm-receipt`,
  afterSales: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}/after-sales`,
  shop: '/api/shop',
  refund: (outTradeNo: string) => `/api/admin/orders/${encodeURIComponent(outTradeNo)}/refund`,
  bills: '/api/admin/bills',
  bill: (day: string) => `/api/admin/bills/${encodeURIComponent(day)}`,
  reconcileBill: (day: string) => `/api/admin/bills/${encodeURIComponent(day)}/reconcile`,
  ship: (outTradeNo: string) => `/api/admin/orders/${encodeURIComponent(outTradeNo)}/ship`,
  adminAfterSales: '/api/admin/after-sales',
  approveAfterSale: (id: number) => `/api/admin/after-sales/${id}/approve`,
  rejectAfterSale: (id: number) => `/api/admin/after-sales/${id}/reject`,
} as const;

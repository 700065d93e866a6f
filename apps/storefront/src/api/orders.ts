import {
  IDEMPOTENCY_KEY_HEADER,
  OrderListSchema,
  OrderSchema,
  PayResponseSchema,
  routes,
  type AfterSaleRequest,
  type CreateOrderRequest,
  type Order,
  type PayRequest,
  type PayResponse,
} from '@wxpay-shop/contract';
import { apiRequest } from './http';

/**
 * Product ids and quantities (the BFF prices the order itself) and the delivery address. With an idempotency key, a retry
 * of a request whose answer was lost gets the order that request created (see checkout/attempt-key).
 */
export function createOrder(request: CreateOrderRequest, idempotencyKey?: string): Promise<Order> {
  const body: CreateOrderRequest = {
    items: request.items.map(({ productId, quantity }) => ({ productId, quantity })),
    ...(request.deliveryAddress ? { deliveryAddress: request.deliveryAddress } : {}),
  };
  const headers = idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } : undefined;
  return apiRequest(routes.orders, OrderSchema, { method: 'POST', body, headers });
}

/** The authoritative order status (the BFF reconciles with WeChat Pay). */
export function fetchOrder(outTradeNo: string, signal?: AbortSignal, timeoutMs?: number): Promise<Order> {
  return apiRequest(routes.order(outTradeNo), OrderSchema, { signal, timeoutMs });
}

export async function fetchOrders(signal?: AbortSignal): Promise<Order[]> {
  const { orders } = await apiRequest(routes.orders, OrderListSchema, { signal });
  return orders;
}

export function requestPayment(
  outTradeNo: string,
  tradeType: NonNullable<PayRequest['tradeType']>,
  signal?: AbortSignal,
): Promise<PayResponse> {
  const body: PayRequest = { tradeType };
  return apiRequest(routes.pay(outTradeNo), PayResponseSchema, { method: 'POST', body, signal });
}

/** 取消订单: the BFF closes it at WeChat first; a 409 CONFLICT means it turned out to be paid. */
export function cancelOrder(outTradeNo: string): Promise<Order> {
  return apiRequest(routes.cancel(outTradeNo), OrderSchema, { method: 'POST', body: {} });
}

/** 确认收货 of a shipped order. */
export function confirmReceipt(outTradeNo: string): Promise<Order> {
  return apiRequest(routes.confirmReceipt(outTradeNo), OrderSchema, { method: 'POST', body: {} });
}

/** 申请退款: waits for the shop's decision; the answer is the order with the request in `afterSales`. */
export function requestAfterSale(outTradeNo: string, request: AfterSaleRequest): Promise<Order> {
  return apiRequest(routes.afterSales(outTradeNo), OrderSchema, { method: 'POST', body: request });
}

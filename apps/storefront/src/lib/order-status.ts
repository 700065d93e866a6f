import type { OrderStatus } from '@wxpay-shop/contract';
import { ApiRequestError } from '../api/errors';

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  PENDING: '待支付',
  PAID: '已支付',
  CLOSED: '已关闭',
  REFUNDING: '退款中',
  REFUNDED: '已退款',
  FAILED: '支付失败',
};

/** Closed (expired or cancelled) or failed: such an order can never be paid, only replaced by a new one. */
export function isUnpayable(status: OrderStatus): boolean {
  return status === 'CLOSED' || status === 'FAILED';
}

/** The order does not exist or is not this shopper's: retrying cannot help, other ways out can. */
export function isUnknownOrder(error: unknown): boolean {
  return error instanceof ApiRequestError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN');
}

/**
 * What a shopper reads about an order's progress: one label from its two axes (payment and
 * fulfilment), the 我的订单 tab it belongs to, timeline wording and the unpaid countdown. Pure.
 */
import type { AfterSale, Order, TimelineEvent } from '@wxpay-shop/contract';
import { formatFen } from './money';

export type OrderTab = 'all' | 'unpaid' | 'to-ship' | 'to-receive' | 'after-sale';

export const ORDER_TABS: { name: OrderTab; title: string }[] = [
  { name: 'all', title: '全部' },
  { name: 'unpaid', title: '待付款' },
  { name: 'to-ship', title: '待发货' },
  { name: 'to-receive', title: '待收货' },
  { name: 'after-sale', title: '退款/售后' },
];

/** An after-sale request still waiting for the operator. */
export const pendingAfterSale = (order: Order): AfterSale | undefined =>
  order.afterSales.find((a) => a.status === 'PENDING');

/** Money has gone (or is going) back: a refund started, a request waits, or the order was refunded. */
export function inAfterSale(order: Order): boolean {
  return (
    order.status === 'REFUNDING' || order.status === 'REFUNDED' || order.refundedFen > 0 || !!pendingAfterSale(order)
  );
}

export function belongsToTab(order: Order, tab: OrderTab): boolean {
  if (tab === 'all') return true;
  if (tab === 'unpaid') return order.status === 'PENDING';
  if (tab === 'after-sale') return inAfterSale(order);
  const paid = order.status === 'PAID' || order.status === 'REFUNDING';
  if (tab === 'to-ship') return paid && order.fulfilment === 'UNSHIPPED';
  return paid && order.fulfilment === 'SHIPPED';
}

/** The one word at the top of an order: payment first, then where the goods are. */
export function progressLabel(order: Order): string {
  if (order.status === 'PENDING') return '待付款';
  if (order.status === 'CLOSED') return '已关闭';
  if (order.status === 'FAILED') return '支付失败';
  if (order.status === 'REFUNDED') return '已退款';
  if (order.status === 'REFUNDING') return '退款中';
  if (pendingAfterSale(order)) return '退款申请中';
  if (order.fulfilment === 'SHIPPED') return '已发货';
  if (order.fulfilment === 'RECEIVED') return '已完成';
  return '待发货';
}

export const AFTER_SALE_KIND_LABELS: Record<AfterSale['kind'], string> = {
  REFUND_ONLY: '仅退款',
  RETURN_REFUND: '退货退款',
};

/** A request's progress as the shopper follows it, ending in 退款成功 with the amount. */
export function afterSaleLabel(afterSale: AfterSale): string {
  if (afterSale.status === 'PENDING') return '等待商家处理';
  if (afterSale.status === 'REJECTED') return '商家已拒绝';
  const refund = afterSale.refund;
  if (refund?.status === 'SUCCESS') return '退款成功';
  if (refund?.status === 'FAILED') return '退款失败，商家将重新处理';
  return '商家已同意，退款中';
}

/** Timeline wording, e.g. 「发货 顺丰速运 SF1234567890」, 「退款成功 ¥10.00」. */
export function timelineText(event: TimelineEvent): string {
  const amount = event.amountFen === undefined ? '' : ` ${formatFen(event.amountFen)}`;
  switch (event.type) {
    case 'CREATED':
      return '提交订单';
    case 'PAID':
      return `支付成功${amount}`;
    case 'CANCELLED':
      return '已取消订单';
    case 'CLOSED':
      return '订单超时关闭';
    case 'SHIPPED':
      return event.detail ? `商家已发货 ${event.detail}` : '商家已发货';
    case 'RECEIVED':
      return event.automatic ? '超时自动确认收货' : '已确认收货';
    case 'AFTER_SALE_REQUESTED':
      return `申请退款${amount}${event.detail ? `（${event.detail}）` : ''}`;
    case 'AFTER_SALE_APPROVED':
      return `商家同意退款${amount}`;
    case 'AFTER_SALE_REJECTED':
      return `商家拒绝退款${event.detail ? `：${event.detail}` : ''}`;
    case 'REFUND_STARTED':
      return `退款处理中${amount}`;
    case 'REFUND_SUCCEEDED':
      return `退款成功${amount}`;
    case 'REFUND_FAILED':
      return `退款失败${amount}`;
  }
}

/** mm:ss left until `deadlineIso` (00:00 once past), for 剩余 mm:ss 自动关闭. */
export function formatRemaining(deadlineIso: string, nowMs: number): string {
  const left = Math.max(0, Math.floor((Date.parse(deadlineIso) - nowMs) / 1000));
  const minutes = Math.floor(left / 60);
  return `${String(minutes).padStart(2, '0')}:${String(left % 60).padStart(2, '0')}`;
}

/** What the shopper may still ask back: the total less what was refunded. */
export const refundableFen = (order: Order): number => order.totalFen - order.refundedFen;

/** ¥ text → integer fen, or undefined for anything that is not an amount with at most 2 decimals. */
export function parseYuan(text: string): number | undefined {
  const match = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

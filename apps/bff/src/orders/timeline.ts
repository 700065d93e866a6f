/** An order's timeline for the shopper, assembled from its rows (pure: no I/O). */
import type { OrderRefund, RefundProgress, TimelineEvent } from '@wxpay-shop/contract';
import type { AfterSaleRow, OrderEventRow, OrderRow, RefundRow } from '../db/schema';

/** WeChat's refund statuses as the shopper follows them: money either arrived, did not, or is on its way. */
export function refundProgressOf(status: RefundRow['status']): RefundProgress {
  if (status === 'SUCCESS') return 'SUCCESS';
  if (status === 'FAILED' || status === 'REFUNDCLOSE') return 'FAILED';
  return 'PROCESSING'; // PROCESSING, or CHANGE: stuck at WeChat until the operator acts
}

export function toOrderRefund(refund: RefundRow): OrderRefund {
  const progress = refundProgressOf(refund.status);
  return {
    amountFen: refund.refund_fen,
    status: progress,
    reason: refund.reason,
    createdAt: refund.created_at.toISOString(),
    settledAt: progress === 'PROCESSING' ? null : refund.updated_at.toISOString(),
  };
}

export interface OrderHistory {
  events: OrderEventRow[];
  refunds: RefundRow[];
  afterSales: AfterSaleRow[];
}

/**
 * Oldest first: 下单, 支付 or 关闭, 发货, 收货, and each after-sale and refund step. Payment and
 * fulfilment come from separate columns, so a refund never hides that the order was shipped.
 */
export function timelineOf(order: OrderRow, history: OrderHistory): TimelineEvent[] {
  // Each event sorts no earlier than the one it follows from: clocks differ (WeChat's time_end has
  // whole seconds, the database's now() is its transaction's start), but 支付 never reads before 下单.
  const entries: { event: TimelineEvent; key: number }[] = [];
  const add = (event: TimelineEvent, after?: number): number => {
    const key = Math.max(Date.parse(event.at), after === undefined ? -Infinity : entries[after]!.key);
    entries.push({ event, key });
    return entries.length - 1;
  };
  const created = add({ type: 'CREATED', at: order.created_at.toISOString() });
  const paid = order.paid_at
    ? add({ type: 'PAID', at: order.paid_at.toISOString(), amountFen: order.total_fen }, created)
    : created;
  for (const e of history.events) {
    if (e.to_status !== 'CLOSED' || e.from_status !== 'PENDING') continue;
    add({ type: e.source === 'shopper-cancel' ? 'CANCELLED' : 'CLOSED', at: e.created_at.toISOString() }, created);
  }
  if (order.shipped_at) {
    const detail = [order.carrier, order.tracking_no].filter(Boolean).join(' ');
    const shipped = add({ type: 'SHIPPED', at: order.shipped_at.toISOString(), ...(detail ? { detail } : {}) }, paid);
    if (order.received_at) {
      add({ type: 'RECEIVED', at: order.received_at.toISOString(), automatic: order.auto_received }, shipped);
    }
  }
  const approvals = new Map<string, number>();
  for (const a of history.afterSales) {
    const requested = add(
      { type: 'AFTER_SALE_REQUESTED', at: a.created_at.toISOString(), amountFen: a.amount_fen, detail: a.reason },
      paid,
    );
    if (a.decided_at && a.status === 'APPROVED') {
      const approved = add(
        { type: 'AFTER_SALE_APPROVED', at: a.decided_at.toISOString(), amountFen: a.amount_fen },
        requested,
      );
      if (a.out_refund_no) approvals.set(a.out_refund_no, approved);
    }
    if (a.decided_at && a.status === 'REJECTED') {
      add({ type: 'AFTER_SALE_REJECTED', at: a.decided_at.toISOString(), detail: a.reject_reason ?? '' }, requested);
    }
  }
  for (const r of history.refunds) {
    const started = add(
      { type: 'REFUND_STARTED', at: r.created_at.toISOString(), amountFen: r.refund_fen },
      approvals.get(r.out_refund_no) ?? paid,
    );
    const progress = refundProgressOf(r.status);
    if (progress !== 'PROCESSING') {
      const type = progress === 'SUCCESS' ? 'REFUND_SUCCEEDED' : 'REFUND_FAILED';
      add({ type, at: r.updated_at.toISOString(), amountFen: r.refund_fen }, started);
    }
  }
  // Stable: equal keys keep the order above.
  return entries
    .map((entry, index) => ({ ...entry, index }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map(({ event }) => event);
}

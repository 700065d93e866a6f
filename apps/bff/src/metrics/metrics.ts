/**
 * The BFF's Prometheus metrics: one registry per app (two BFFs in one process never mix their
 * counts) and every metric the BFF records (the gauges read from the database: database-gauges.ts).
 * Labels are fixed enumerations only: never an openid, an order or refund number, a request path or
 * anything a caller chose.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Where a payment was learnt from: WeChat's notification, or our orderquery (reads, pay retries, reconciler). */
export type SettledSource = 'notification' | 'orderquery';

export type NotificationType = 'pay' | 'refund';
/**
 * What became of a notification. `rejected` (FAIL, WeChat retries) carries a reason; `flagged` was
 * taken but needs a human (money on a closed order, a refund we did not make); `error` is ours (500).
 */
export type NotificationOutcome =
  'applied' | 'duplicate' | 'payment_failed' | 'flagged' | 'deferred' | 'rejected' | 'error';
export type NotificationRejection =
  | 'body_too_large'
  | 'unreadable'
  | 'malformed'
  | 'sign'
  | 'invalid'
  | 'unknown_order'
  | 'amount'
  | 'transaction_reused'
  | 'unknown_refund'
  | 'refund_mismatch'
  | 'method';

/** The answer to our refund request: WeChat took it, definitely refused it, or we do not know. */
export type RefundRequestResult = 'accepted' | 'refused' | 'unknown';
export type AttentionReason =
  | 'paid_after_close'
  | 'conflicting_transaction'
  | 'orderquery_amount_mismatch'
  | 'refund_contradicted'
  | 'refund_change'
  | 'refund_not_ours'
  | 'refund_never_sent'
  | 'payment_terms_mismatch'
  | 'bill_discrepancy';
export type SignInOutcome = 'signed_in' | 'declined' | 'bad_code' | 'snapshot_user' | 'wechat_error';
/**
 * How a WeChat call ended: `business_refusal` = WeChat definitely said no (outcome 'refused');
 * `upstream_error` = the outcome is unknown (an HTTP error, SYSTEMERROR, an unverifiable or unusable reply);
 * `timeout`; `local_error` = refused before sending.
 */
export type WechatCallResult = 'success' | 'business_refusal' | 'upstream_error' | 'timeout' | 'local_error';

export const PREFIX = 'wxpay_';
/** Seconds; HTTP answers are mostly milliseconds, WeChat's up to its 10 s client timeout. */
const HTTP_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const WECHAT_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15];

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const metrics = {
    registry,
    ordersCreated: new Counter({
      name: `${PREFIX}orders_created_total`,
      help: 'Orders created (replayed retries not counted).',
      registers,
    }),
    paymentsSettled: new Counter<'source'>({
      name: `${PREFIX}payments_settled_total`,
      help: 'Orders moved from PENDING to PAID, by where the payment was learnt from.',
      labelNames: ['source'],
      registers,
    }),
    notifications: new Counter<'type' | 'outcome' | 'reason'>({
      name: `${PREFIX}notifications_total`,
      help: 'WeChat notifications received, by type, outcome and (for rejections) reason.',
      labelNames: ['type', 'outcome', 'reason'],
      registers,
    }),
    refundRequests: new Counter<'result'>({
      name: `${PREFIX}refund_requests_total`,
      help: 'Refund requests sent to WeChat, by what WeChat answered.',
      labelNames: ['result'],
      registers,
    }),
    refundsSettled: new Counter<'status'>({
      name: `${PREFIX}refunds_settled_total`,
      help: 'Refunds that reached a final status (success, refundclose, change, failed).',
      labelNames: ['status'],
      registers,
    }),
    attentionFlags: new Counter<'reason'>({
      name: `${PREFIX}attention_flags_total`,
      help: 'Orders flagged for an operator, by reason (a reason already on the order is not counted again).',
      labelNames: ['reason'],
      registers,
    }),
    signIns: new Counter<'outcome'>({
      name: `${PREFIX}oauth_sign_ins_total`,
      help: 'WeChat OAuth callbacks that exchanged a code (or were declined), by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    wechatCalls: new Counter<'endpoint' | 'result'>({
      name: `${PREFIX}wechat_calls_total`,
      help: 'Calls to WeChat APIs (retries included in one call), by endpoint and result.',
      labelNames: ['endpoint', 'result'],
      registers,
    }),
    wechatCallSeconds: new Histogram<'endpoint'>({
      name: `${PREFIX}wechat_call_duration_seconds`,
      help: 'Duration of WeChat API calls, retries included, by endpoint.',
      labelNames: ['endpoint'],
      buckets: WECHAT_BUCKETS_S,
      registers,
    }),
    httpSeconds: new Histogram<'method' | 'route' | 'status'>({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'HTTP request duration by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS_S,
      registers,
    }),
  };

  // Series that exist from the start, at 0: rate() and increase() see the first event, and an alert on
  // "none in the last hour" has something to compare instead of an absent series.
  const sources: SettledSource[] = ['notification', 'orderquery'];
  for (const source of sources) metrics.paymentsSettled.inc({ source }, 0);
  const types: NotificationType[] = ['pay', 'refund'];
  const outcomes: NotificationOutcome[] = ['applied', 'duplicate'];
  for (const type of types) for (const outcome of outcomes) metrics.notifications.inc({ type, outcome, reason: '' }, 0);
  const results: RefundRequestResult[] = ['accepted', 'refused', 'unknown'];
  for (const result of results) metrics.refundRequests.inc({ result }, 0);
  metrics.ordersCreated.inc(0);
  return metrics;
}

/** One notification's delivery record: its body, status and every attempt made. */
import type { ApiVersion } from '../pay/order';

export interface DeliveryAttempt {
  at: number;
  durationMs: number;
  httpStatus?: number;
  /** First 512 characters of the reply body, or the network error. */
  reply: string;
  outcome: 'success' | 'fail';
  /** Why it failed (non-200, FAIL reply, timeout, …). */
  reason?: string;
  /** The attempt was a replay or a deliberate duplicate, not a scheduled retry. */
  manual?: 'replay' | 'duplicate';
}

type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dropped';

export interface NotifyDelivery {
  id: string;
  /** v3: `body` is the JSON envelope, signed afresh at each attempt; success is judged by HTTP status. */
  api?: ApiVersion;
  kind: 'pay' | 'refund';
  mchId: string;
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  body: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  /** Index into the retry schedule of the next scheduled retry. */
  retryIndex: number;
  nextAttemptAt?: number;
  createdAt: number;
}

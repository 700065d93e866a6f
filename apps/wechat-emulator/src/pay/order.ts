/** A pay order as the emulator keeps it, its trade states, and the paid / unpaid predicates. */
import type { SignType } from '@wxpay-shop/wechat';

export const TRADE_STATES = ['NOTPAY', 'USERPAYING', 'PAYERROR', 'SUCCESS', 'REFUND', 'CLOSED'] as const;
export type TradeState = (typeof TRADE_STATES)[number];
/** Unpaid states a test may put an order into (POST /__emulator/trade-state); all still payable. */
export const UNPAID_STATES = ['NOTPAY', 'USERPAYING', 'PAYERROR'] as const;

/** Which API created an order or refund: its queries, replies and notifications speak that version. */
export type ApiVersion = 'v2' | 'v3';
/** v2 trade_type; v3 reports the same names (an H5 order is MWEB in both). */
export type OrderTradeType = 'JSAPI' | 'NATIVE' | 'MWEB';

export interface Order {
  mchId: string;
  appId: string;
  outTradeNo: string;
  /** Absent in state files written before v3: v2. */
  api?: ApiVersion;
  tradeType: OrderTradeType;
  body: string;
  attach?: string;
  detail?: string;
  deviceInfo?: string;
  totalFee: number;
  feeType: string;
  openid?: string;
  productId?: string;
  notifyUrl: string;
  spbillCreateIp: string;
  timeExpire?: string;
  /** Sign type of the latest unifiedorder (RSA for v3); the page's paySign must use the same. */
  signType: SignType | 'RSA';
  /** Business parameters compared on re-entry (§3.5). */
  fingerprint: string;
  /** The latest prepay_id; its issue time is in `EmulatorState.prepays`. */
  prepayId: string;
  codeUrl?: string;
  /** H5 (MWEB): the page the shop sends the phone browser to; valid 5 minutes after the prepay. */
  h5Url?: string;
  state: TradeState;
  createdAt: number;
  transactionId?: string;
  timeEnd?: string;
  paidAt?: number;
  closedAt?: number;
}

/** Paid at some point: SUCCESS, or REFUND after a refund. */
export function isPaid(order: Order): boolean {
  return order.state === 'SUCCESS' || order.state === 'REFUND';
}

/** Not paid yet and still payable (unless expired): NOTPAY, or USERPAYING/PAYERROR set by a test. */
export function isUnpaid(order: Order): boolean {
  return (UNPAID_STATES as readonly string[]).includes(order.state);
}

/** In-memory world of the emulator. Plain data plus lookups; behaviour lives in the route modules. */
import type { OAuthScope, SignType, TradeType } from '@wxpay-shop/wechat';
import { TEST_USERS } from './users';

export const TRADE_STATES = ['NOTPAY', 'USERPAYING', 'PAYERROR', 'SUCCESS', 'REFUND', 'CLOSED'] as const;
export type TradeState = (typeof TRADE_STATES)[number];
/** Unpaid states a test may put an order into (POST /__emulator/trade-state); all still payable. */
export const UNPAID_STATES = ['NOTPAY', 'USERPAYING', 'PAYERROR'] as const;

export interface Order {
  mchId: string;
  appId: string;
  outTradeNo: string;
  tradeType: TradeType;
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
  /** Sign type of the latest unifiedorder; the page's paySign must use the same. */
  signType: SignType;
  /** Business parameters compared on re-entry (§3.5). */
  fingerprint: string;
  /** The latest prepay_id; its issue time is in `EmulatorState.prepays`. */
  prepayId: string;
  codeUrl?: string;
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

export const REFUND_ENDS = ['SUCCESS', 'CHANGE', 'REFUNDCLOSE'] as const;
/** How a refund ends: SUCCESS, CHANGE (退款异常, funds stuck) or REFUNDCLOSE (closed, money back to the merchant). */
export type RefundEnd = (typeof REFUND_ENDS)[number];
export type RefundStatus = 'PROCESSING' | RefundEnd;

export interface Refund {
  mchId: string;
  appId: string;
  outTradeNo: string;
  transactionId: string;
  outRefundNo: string;
  refundId: string;
  totalFee: number;
  refundFee: number;
  refundDesc?: string;
  notifyUrl?: string;
  status: RefundStatus;
  /** How it will end, when a test arranged it (POST /__emulator/refund-outcome); SUCCESS when absent. */
  endStatus?: RefundEnd;
  createdAt: number;
  successTime?: string;
}

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

export interface OauthCode {
  code: string;
  appId: string;
  userId: string;
  scope: OAuthScope;
  issuedAt: number;
  used: boolean;
}

/** An issued web-authorization token; access and refresh tokens differ only in lifetime. */
export interface IssuedToken {
  token: string;
  appId: string;
  userId: string;
  openid: string;
  scope: OAuthScope;
  expiresAt: number;
}
export type AccessToken = IssuedToken;
export type RefreshToken = IssuedToken;

/** A snsapi_userinfo request waiting for the user's 允许/拒绝. */
export interface ConsentRequest {
  id: string;
  appId: string;
  redirectUri: string;
  scope: OAuthScope;
  state: string;
  createdAt: number;
}

export const FAULT_TARGETS = [
  'unifiedorder',
  'orderquery',
  'closeorder',
  'refund',
  'refundquery',
  'oauth_token',
  'oauth_refresh',
  'oauth_userinfo',
  'oauth_auth',
  'notify',
] as const;
export const FAULT_KINDS = ['delay', 'http500', 'timeout', 'systemerror', 'bizerror', 'malformed', 'badsign', 'drop'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  id: number;
  target: FaultTarget;
  kind: FaultKind;
  /** How many more requests it affects. */
  remaining: number;
  delayMs?: number;
  /** `bizerror`: the err_code (and optional err_code_des) of the signed business failure. */
  errCode?: string;
  errCodeDes?: string;
  createdAt: number;
}

/** An open pay sheet in some browser, so the control API can pay or cancel it remotely. */
export interface PayTicket {
  id: string;
  prepayId: string;
  status: 'open' | 'paid' | 'cancelled';
  createdAt: number;
}

/** A test's choice of how the next refunds (of one out_refund_no, or any) end. */
export interface RefundOutcome {
  id: number;
  status: RefundEnd;
  /** Only a refund with this out_refund_no; any refund when absent. */
  outRefundNo?: string;
  /** How many more refunds it decides. */
  remaining: number;
  createdAt: number;
}

export class EmulatorState {
  /** Keyed by `${mchId}:${outTradeNo}`. */
  readonly orders = new Map<string, Order>();
  /** Every prepay_id ever issued → order key (an old one stays valid for 2 h after re-entry). */
  readonly prepays = new Map<string, { orderKey: string; issuedAt: number }>();
  /** Keyed by `${mchId}:${outRefundNo}`. */
  readonly refunds = new Map<string, Refund>();
  readonly deliveries = new Map<string, NotifyDelivery>();
  readonly codes = new Map<string, OauthCode>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly consents = new Map<string, ConsentRequest>();
  readonly tickets = new Map<string, PayTicket>();
  faults: Fault[] = [];
  refundOutcomes: RefundOutcome[] = [];
  /** prepay_ids whose next pay sheet answers cancel (POST /__emulator/cancel before it opened). */
  readonly cancelNextSheet = new Set<string>();
  currentUserId: string = TEST_USERS[0]!.id;
  private seq = 0;

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${this.seq}`;
  }

  /** The last number nextId() handed out; persisted so ids stay unique across restarts. */
  get sequence(): number {
    return this.seq;
  }

  set sequence(value: number) {
    this.seq = value;
  }

  static orderKey(mchId: string, outTradeNo: string): string {
    return `${mchId}:${outTradeNo}`;
  }

  static refundKey(mchId: string, outRefundNo: string): string {
    return `${mchId}:${outRefundNo}`;
  }

  findOrder(mchId: string, outTradeNo: string): Order | undefined {
    return this.orders.get(EmulatorState.orderKey(mchId, outTradeNo));
  }

  findOrderByTransactionId(mchId: string, transactionId: string): Order | undefined {
    for (const o of this.orders.values()) if (o.mchId === mchId && o.transactionId === transactionId) return o;
    return undefined;
  }

  /** transaction_id wins when both are given (doc); neither given → undefined. */
  findOrderByIds(mchId: string, ids: { transactionId?: string; outTradeNo?: string }): Order | undefined {
    if (ids.transactionId) return this.findOrderByTransactionId(mchId, ids.transactionId);
    return ids.outTradeNo ? this.findOrder(mchId, ids.outTradeNo) : undefined;
  }

  findOrderByPrepayId(prepayId: string): Order | undefined {
    const entry = this.prepays.get(prepayId);
    return entry ? this.orders.get(entry.orderKey) : undefined;
  }

  findOrderByCodeUrl(codeUrl: string): Order | undefined {
    for (const o of this.orders.values()) if (o.codeUrl === codeUrl) return o;
    return undefined;
  }

  /** Marks every open pay sheet of this order (any of its prepay_ids) as paid or cancelled. */
  settleOpenTickets(order: Order, status: 'paid' | 'cancelled'): void {
    for (const ticket of this.tickets.values()) {
      if (ticket.status === 'open' && this.findOrderByPrepayId(ticket.prepayId) === order) ticket.status = status;
    }
  }

  refundsOf(order: Order): Refund[] {
    return [...this.refunds.values()]
      .filter((r) => r.mchId === order.mchId && r.outTradeNo === order.outTradeNo)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Takes one use of the target's oldest fault, but only if `applies` accepts its kind: faults of
   * one target act strictly in the order they were injected, and a request that does not qualify
   * for the oldest one leaves it (and those behind it) for a later request.
   */
  takeFault(target: FaultTarget, applies: (kind: FaultKind) => boolean): Fault | undefined {
    const fault = this.faults.find((f) => f.target === target && f.remaining > 0);
    if (!fault || !applies(fault.kind)) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return { ...fault };
  }

  /** Takes one use of the oldest arranged outcome that fits a new refund with this out_refund_no. */
  takeRefundOutcome(outRefundNo: string): RefundEnd | undefined {
    const outcome = this.refundOutcomes.find((o) => o.outRefundNo === undefined || o.outRefundNo === outRefundNo);
    if (!outcome) return undefined;
    outcome.remaining -= 1;
    this.refundOutcomes = this.refundOutcomes.filter((o) => o.remaining > 0);
    return outcome.status;
  }

  reset(): void {
    for (const map of [this.orders, this.prepays, this.refunds, this.deliveries, this.codes, this.accessTokens, this.refreshTokens, this.consents, this.tickets, this.cancelNextSheet]) {
      map.clear();
    }
    this.faults = [];
    this.refundOutcomes = [];
    this.currentUserId = TEST_USERS[0]!.id;
  }
}

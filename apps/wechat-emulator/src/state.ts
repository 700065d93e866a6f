/** In-memory world of the emulator: the store and its lookups. Each record's type lives with its feature. */
import type { PayTicket } from './bridge/pay-ticket';
import type { Fault, FaultKind, FaultTarget } from './faults';
import { JssdkState } from './jssdk/state';
import type { NotifyDelivery } from './notify/delivery';
import type { AccessToken, ConsentRequest, OauthCode, RefreshToken } from './oauth/grants';
import type { BillDiscrepancy } from './pay/bill-discrepancy';
import type { Order } from './pay/order';
import type { Refund, RefundEnd, RefundOutcome } from './pay/refund-record';
import { TEST_USERS } from './users';

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
  /** Injected by a test (POST /__emulator/bill-discrepancy); like faults, not kept in the state file. */
  billDiscrepancies: BillDiscrepancy[] = [];
  /** prepay_ids whose next pay sheet answers cancel (POST /__emulator/cancel before it opened). */
  readonly cancelNextSheet = new Set<string>();
  currentUserId: string = TEST_USERS[0]!.id;
  /** Global access_tokens, jsapi_tickets and /cgi-bin counters. */
  readonly jssdk = new JssdkState();
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

  findOrderByH5Url(prepayId: string): Order | undefined {
    const order = this.findOrderByPrepayId(prepayId);
    return order?.tradeType === 'MWEB' ? order : undefined;
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
    for (const map of [
      this.orders,
      this.prepays,
      this.refunds,
      this.deliveries,
      this.codes,
      this.accessTokens,
      this.refreshTokens,
      this.consents,
      this.tickets,
      this.cancelNextSheet,
    ]) {
      map.clear();
    }
    this.faults = [];
    this.refundOutcomes = [];
    this.jssdk.reset();
    this.billDiscrepancies = [];
    this.currentUserId = TEST_USERS[0]!.id;
  }
}

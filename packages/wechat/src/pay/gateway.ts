/**
 * The pay gateway: what the shop's order, notify, refund and reconciler logic needs from WeChat Pay,
 * the same for API v2 and v3. Each version implements it; the BFF picks one by configuration.
 */
import type { DownloadBillInput, DownloadBillResult } from './v2/types';
import type { GatewayTradeState } from './trade-states';
import type { HeaderBag } from './v3/signature';

export type PayApiVersion = 'v2' | 'v3';

/** JSAPI inside WeChat, NATIVE (QR) on a desktop, H5 in a phone browser outside WeChat (v2: MWEB). */
export type GatewayTradeType = 'JSAPI' | 'NATIVE' | 'H5';

export interface PrepayInput {
  tradeType: GatewayTradeType;
  outTradeNo: string;
  /** What the payer sees (v2 `body`, v3 `description`). */
  description: string;
  /** Positive integer, fen. */
  totalFen: number;
  notifyUrl: string;
  /** The payer's IP; H5 requires the phone's real IP (WeChat compares it when the page opens). */
  clientIp: string;
  /** JSAPI only, required there. */
  openid?: string;
  /** NATIVE: v2 requires it (defaults to outTradeNo). */
  productId?: string;
  attach?: string;
  timeExpire?: Date;
  /** H5 only: `h5_info` (type Wap for a mobile site). */
  h5?: { type: 'Wap' | 'iOS' | 'Android'; appName?: string; appUrl?: string };
}

export type Prepay =
  | { tradeType: 'JSAPI'; prepayId: string }
  | { tradeType: 'NATIVE'; codeUrl: string }
  /** v2 `mweb_url` / v3 `h5_url`: valid 5 minutes; the page may append `&redirect_url=` (URL-encoded). */
  | { tradeType: 'H5'; h5Url: string };

export { GATEWAY_TRADE_STATES, type GatewayTradeState } from './trade-states';

export interface OrderStatus {
  /** 'UNKNOWN' = a state this code does not know (verbatim in `rawState`): not settled, never paid. */
  tradeState: GatewayTradeState | 'UNKNOWN';
  rawState: string;
  tradeStateDesc: string;
  outTradeNo: string;
  transactionId?: string;
  totalFen?: number;
  /** What the payer paid after discounts (v2 cash_fee, v3 amount.payer_total). */
  payerTotalFen?: number;
  openid?: string;
  /** As WeChat names it (v2 MWEB is our H5); compared with what the order was prepaid as. */
  tradeType?: string;
  /** v2 fee_type, v3 amount.currency; CNY when WeChat leaves it out. */
  currency?: string;
  paidAt?: Date;
}

export interface GatewayRefundInput {
  outTradeNo: string;
  outRefundNo: string;
  totalFen: number;
  refundFen: number;
  reason?: string;
  notifyUrl?: string;
}

/** SUCCESS, PROCESSING, CLOSED (v2 REFUNDCLOSE), ABNORMAL (v2 CHANGE), or UNKNOWN (verbatim in rawStatus). */
export type GatewayRefundState = 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL' | 'UNKNOWN';

export interface GatewayRefund {
  outRefundNo: string;
  refundId: string;
  refundFen: number;
  /** 'UNKNOWN': treat as still processing, never as refunded. */
  status: GatewayRefundState;
  rawStatus?: string;
}

export interface PaymentNotification {
  kind: 'payment';
  outTradeNo: string;
  transactionId: string;
  /** Compare THIS with the order amount. */
  totalFen: number;
  payerTotalFen: number;
  openid?: string;
  tradeType: string;
  /** v2 fee_type, v3 amount.currency; CNY when WeChat leaves it out. */
  currency?: string;
  /** Only SUCCESS is a payment; anything else changes nothing. */
  paid: boolean;
  paidAt?: Date;
  attach?: string;
}

export interface RefundNotification {
  kind: 'refund';
  outTradeNo: string;
  transactionId: string;
  outRefundNo: string;
  refundId: string;
  totalFen: number;
  refundFen: number;
  status: GatewayRefundState;
  rawStatus?: string;
  refundedAt?: Date;
}

export type GatewayNotification = PaymentNotification | RefundNotification;

/** What came over HTTP: the headers (v3 signature) and the raw body bytes. */
export interface NotificationRequest {
  headers: HeaderBag;
  body: string | Buffer;
}

/** What to answer WeChat: v2 always 200 with XML; v3 2xx or 4xx/5xx with `{"code":"FAIL",…}`. */
export interface NotificationReply {
  status: number;
  contentType?: string;
  body: string;
}

/** The page's `getBrandWCPayRequest` object; signType RSA for v3. */
export interface PagePayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'MD5' | 'HMAC-SHA256' | 'RSA';
  paySign: string;
}

/**
 * Errors follow one family: a refusal (WeChat definitely did not do it) is kept apart from an unknown
 * outcome (no answer, 5xx, an unverifiable or unusable answer). Money moves only on a known outcome.
 */
export interface PayGateway {
  readonly apiVersion: PayApiVersion;
  createPrepay(input: PrepayInput): Promise<Prepay>;
  queryOrder(outTradeNo: string): Promise<OrderStatus>;
  /** WeChat's refusals (an order already paid, say) surface as errors; the caller re-queries. */
  closeOrder(outTradeNo: string): Promise<void>;
  refund(input: GatewayRefundInput): Promise<GatewayRefund>;
  queryRefund(outRefundNo: string): Promise<GatewayRefund>;
  /** Verifies and decodes; throws a typed error on anything not authentic or not ours (change nothing then). */
  parseNotification(request: NotificationRequest): Promise<GatewayNotification>;
  /** `reason` must be safe to send back (fixed text, no secrets). */
  notificationReply(ok: true): NotificationReply;
  notificationReply(ok: false, reason: string): NotificationReply;
  /**
   * One Beijing day's trade bill (对账单), as text for `parseTradeBill`; `{ exists: false }` on a day without
   * trades (v2 `No Bill Exist`, v3 `NO_STATEMENT_EXIST`). Any other failure throws and nothing was read:
   * ask again later. Bills for a day exist from about 09:00 the next day.
   */
  downloadTradeBill(input: DownloadBillInput): Promise<DownloadBillResult>;
  /** JSAPI pay params for a prepay_id, signed for the page. */
  pagePayParams(prepayId: string): PagePayParams;
  /** Releases kept-alive connections (v2's pooled agents); a no-op where there are none. */
  close?(): void;
}

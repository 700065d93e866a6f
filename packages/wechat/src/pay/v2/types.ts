/** Pay API v2 client options and the typed inputs and results of each call. Types and their value lists only. */
import type { SignType } from '../../sign';
import type { GatewayTradeState as TradeState } from '../trade-states';
import type { ClientTls } from './xml-transport';

export interface PayClientOptions {
  appId: string;
  mchId: string;
  apiKey: string;
  signType: SignType;
  /** e.g. https://api.mch.weixin.qq.com or http://127.0.0.1:4000 */
  payBaseUrl: string;
  /** Base URL for /secapi/* (refund); defaults to payBaseUrl. */
  secapiBaseUrl?: string;
  /** Merchant client certificate (PEM) presented on /secapi/*, and an extra CA trusted for every HTTPS call. */
  tls?: ClientTls;
  timeoutMs?: number;
  /** Extra attempts after the first, for retryable failures only. */
  retries?: number;
  /** First backoff delay; doubles per retry. */
  retryDelayMs?: number;
  /** Response size cap. */
  maxResponseBytes?: number;
  /** Size cap of a downloaded bill, compressed and uncompressed (64 MiB by default). */
  maxBillBytes?: number;
}

/** JSAPI inside WeChat, NATIVE (QR), MWEB (H5 pay in a phone browser outside WeChat). */
export type TradeType = 'JSAPI' | 'NATIVE' | 'MWEB';

/** MWEB `scene_info.h5_info` (sent as JSON in CDATA): the mobile site the payment starts from. */
export interface H5Info {
  type: 'Wap';
  /** The site's URL (its domain must be the H5 domain registered with WeChat Pay). */
  wapUrl: string;
  wapName: string;
}

export interface UnifiedOrderInput {
  outTradeNo: string;
  body: string;
  /** Fen, positive integer. */
  totalFee: number;
  spbillCreateIp: string;
  notifyUrl: string;
  tradeType: TradeType;
  /** Required for JSAPI. */
  openid?: string;
  /** Required for NATIVE. */
  productId?: string;
  /** Required for MWEB; spbillCreateIp must then be the phone's real IP. */
  h5Info?: H5Info;
  attach?: string;
  timeExpire?: Date;
}

export interface UnifiedOrderResult {
  prepayId: string;
  codeUrl?: string;
  /** MWEB: valid 5 minutes; append `&redirect_url=` + the URL-encoded return page. */
  mwebUrl?: string;
  tradeType: string;
  raw: Record<string, string>;
}

/** The documented trade_state values (ACCEPT, received and awaiting debit, appears in some doc revisions). */
export { GATEWAY_TRADE_STATES as TRADE_STATES } from '../trade-states';
export type { GatewayTradeState as TradeState } from '../trade-states';

export type OrderQueryBy = { outTradeNo: string } | { transactionId: string };

export interface OrderQueryResult {
  /**
   * 'UNKNOWN' when WeChat sends a state this client does not know (the verbatim value is
   * in `raw.trade_state`): a valid answer, to be treated as "not settled yet", never as paid.
   */
  tradeState: TradeState | 'UNKNOWN';
  tradeStateDesc: string;
  outTradeNo: string;
  transactionId?: string;
  totalFee?: number;
  cashFee?: number;
  openid?: string;
  timeEnd?: string;
  raw: Record<string, string>;
}

export interface RefundInput {
  outTradeNo: string;
  outRefundNo: string;
  totalFee: number;
  refundFee: number;
  refundDesc?: string;
  notifyUrl?: string;
}

export interface RefundResult {
  refundId: string;
  outRefundNo: string;
  refundFee: number;
  raw: Record<string, string>;
}

export const REFUND_STATUSES = ['SUCCESS', 'REFUNDCLOSE', 'PROCESSING', 'CHANGE'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export type RefundQueryBy = { outRefundNo: string } | { outTradeNo: string };

export interface RefundQueryItem {
  outRefundNo: string;
  refundId: string;
  refundFee: number;
  /**
   * 'UNKNOWN' when WeChat sends a status this client does not know (verbatim in `rawStatus`):
   * a valid answer, to be treated as "still processing", never as refunded.
   */
  status: RefundStatus | 'UNKNOWN';
  /** The verbatim refund_status_$n, set only when `status` is 'UNKNOWN'. */
  rawStatus?: string;
}

export interface RefundQueryResult {
  refunds: RefundQueryItem[];
  raw: Record<string, string>;
}

export const BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND', 'RECHARGE_REFUND'] as const;
export type BillType = (typeof BILL_TYPES)[number];

export interface DownloadBillInput {
  /** The bill's day in Beijing time, `yyyyMMdd`. */
  billDate: string;
  /** ALL when absent. */
  billType?: BillType;
}

/** `exists: false` is WeChat's `No Bill Exist`: no trade that day, a normal outcome. */
export type DownloadBillResult = { exists: true; text: string } | { exists: false };

/** Kysely table types; they mirror src/db/migrations.ts. */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type {
  AfterSaleKind,
  AfterSaleStatus,
  DeliveryAddress,
  FulfilmentStatus,
  OrderStatus,
  ProductDetail,
} from '@wxpay-shop/contract';
import type { GatewayTradeType, RefundStatus as WechatRefundStatus, SignType } from '@wxpay-shop/wechat';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface ProductsTable {
  id: string;
  name: string;
  description: string;
  price_fen: number;
  image_url: string;
  stock: number;
  sort_order: number;
  /** Dev and test only (the ¥0.01 sticker): hidden from production's catalog and orders. */
  test_only: Generated<boolean>;
  /** The product page's pictures, the main one (image_url) first; empty means image_url alone. */
  gallery: ColumnType<string[], string | undefined, string>;
  /** Lines of 规格, 产地, … shown on the product page. */
  details: ColumnType<ProductDetail[], string | undefined, string>;
  /** 七天无理由退货 applies. */
  seven_day_returns: Generated<boolean>;
  /** A physical good, shipped to the order's delivery address (required then); false for a virtual good. */
  ships: Generated<boolean>;
}

export interface ShoppersTable {
  openid: string;
  nickname: string | null;
  avatar_url: string | null;
  created_at: CreatedAt;
  last_login_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  data: ColumnType<unknown, string, string>;
  expires_at: Timestamp;
}

/** A claimed OAuth callback (state): who exchanges the code, and what came of it. */
export interface OAuthCallbacksTable {
  state: string;
  /** sha256 of the code, so only a callback with the same code may share the outcome. */
  code_hash: string;
  /** Null while the winning callback is still talking to WeChat. */
  outcome: ColumnType<unknown, string | undefined, string>;
  expires_at: Timestamp;
}

export interface OrdersTable {
  id: Generated<number>;
  out_trade_no: string;
  status: ColumnType<OrderStatus, OrderStatus, OrderStatus>;
  total_fen: number;
  refunded_fen: Generated<number>;
  owner_id: string;
  openid: string | null;
  trade_type: GatewayTradeType | null;
  prepay_id: string | null;
  code_url: string | null;
  prepay_created_at: Timestamp | null;
  prepay_expires_at: Timestamp | null;
  /** time_expire sent with unifiedorder (the order's expiry); re-sent unchanged so re-entry matches. */
  wx_time_expire: Timestamp | null;
  transaction_id: string | null;
  /** The page's paySign type: the v2 sign type of its unifiedorder, or RSA for an order paid through v3. */
  sign_type: SignType | 'RSA';
  expires_at: Timestamp;
  paid_at: Timestamp | null;
  last_queried_at: Timestamp | null;
  reconcile_lease_until: Timestamp | null;
  needs_attention: Generated<boolean>;
  attention_reason: string | null;
  /** The storefront's Idempotency-Key, if the creating request had one; unique per owner_id. */
  idempotency_key: string | null;
  /** DeliveryAddress (contract) as JSON, given at checkout; null for orders placed without one. */
  delivery_address: ColumnType<DeliveryAddress | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  /** The fulfilment axis; payment changes (refunds included) never write it. */
  fulfilment: ColumnType<FulfilmentStatus, FulfilmentStatus | undefined, FulfilmentStatus>;
  carrier: string | null;
  tracking_no: string | null;
  shipped_at: Timestamp | null;
  /** While SHIPPED: when the reconciler receives it for the shopper (shipped_at + AUTO_RECEIVE_DAYS). */
  auto_receive_at: Timestamp | null;
  received_at: Timestamp | null;
  /** Received by the reconciler's timer, not the shopper's 确认收货. */
  auto_received: Generated<boolean>;
}

/** A shopper's 申请退款, waiting for (or decided by) the operator. */
export interface AfterSalesTable {
  id: Generated<number>;
  order_id: number;
  kind: AfterSaleKind;
  status: AfterSaleStatus;
  amount_fen: number;
  reason: string;
  reject_reason: string | null;
  /** The refund an approval started. */
  out_refund_no: string | null;
  created_at: CreatedAt;
  decided_at: Timestamp | null;
}

export interface OrderItemsTable {
  id: Generated<number>;
  order_id: number;
  product_id: string;
  name: string;
  unit_price_fen: number;
  quantity: number;
}

export interface OrderEventsTable {
  id: Generated<number>;
  order_id: number;
  from_status: string;
  to_status: string;
  source: string;
  detail: string | null;
  created_at: CreatedAt;
}

export interface PaymentNotificationsTable {
  id: Generated<number>;
  transaction_id: string;
  out_trade_no: string;
  total_fee: number;
  outcome: string;
  raw: ColumnType<unknown, string, string>;
  received_at: CreatedAt;
}

/** One Pay call made for an order: which, how it ended and how long it took; never a body, key or signature. */
export interface WechatCallsTable {
  id: Generated<string>;
  /** Null for a refund query whose refund we do not hold. */
  out_trade_no: string | null;
  out_refund_no: string | null;
  /** The gateway method (createPrepay, queryOrder, closeOrder, refund, queryRefund). */
  call: string;
  /** WeChat's path, as the metrics label it. */
  endpoint: string;
  /** success | business_refusal | upstream_error | timeout | local_error (as the metrics count it). */
  result: string;
  /** What WeChat said: a trade/refund state on success, its error code otherwise. */
  code: string | null;
  duration_ms: number;
  called_at: CreatedAt;
}

/** WeChat's refund statuses, plus FAILED for a refund WeChat refused or never received. */
export type RefundStatus = WechatRefundStatus | 'FAILED';

export interface RefundsTable {
  out_refund_no: string;
  order_id: number;
  refund_id: string | null;
  refund_fen: number;
  reason: string | null;
  /** The operator's Idempotency-Key, if the request had one. */
  idempotency_key: string | null;
  status: RefundStatus;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** A shared WeChat credential (global access_token, jsapi_ticket) of one appid; see jssdk/credentials.ts. */
export interface WechatCredentialsTable {
  app_id: string;
  name: 'access_token' | 'jsapi_ticket';
  value: string;
  expires_at: Timestamp;
  /** Fetched again from this time on, ahead of expires_at. */
  refresh_at: Timestamp;
  /** The last force refresh of the access_token (WeChat allows them 30 s apart, 20 a day). */
  forced_at: Timestamp | null;
  updated_at: UpdatedAt;
}

export type BillStatus = 'MATCHED' | 'DISCREPANCIES' | 'NO_BILL';
/** bigint columns come back as strings from PostgreSQL; read them with Number(). */
type BigFen = ColumnType<string | number, number, number>;

/** One reconciled day of WeChat's trade bill against our books; replaced whole by a re-run. */
export interface BillReconciliationsTable {
  /** Beijing day, yyyy-MM-dd. */
  bill_date: string;
  status: BillStatus;
  wechat_count: number;
  wechat_paid_fen: BigFen;
  wechat_refund_fen: BigFen;
  wechat_fee_milli_fen: BigFen;
  our_payment_count: number;
  our_paid_fen: BigFen;
  our_refund_count: number;
  our_refund_fen: BigFen;
  matched_payments: number;
  matched_refunds: number;
  discrepancy_count: number;
  /** 'schedule' or who asked for a re-run. */
  source: string;
  reconciled_at: CreatedAt;
}

export interface BillDiscrepanciesTable {
  id: Generated<number>;
  bill_date: string;
  kind: string;
  out_trade_no: string;
  out_refund_no: string | null;
  transaction_id: string | null;
  wechat_fen: number | null;
  our_fen: number | null;
  order_id: number | null;
  note: string | null;
}

/** A day's run: lease (one instance at a time) and retry schedule. */
export interface BillRunsTable {
  bill_date: string;
  lease_until: Timestamp;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_error: string | null;
}

export type OperatorRole = 'viewer' | 'operator' | 'admin';

export interface OperatorsTable {
  id: Generated<number>;
  name: string;
  /** `scrypt$N$r$p$salt$hash` (base64url), see operators/password.ts. */
  password_hash: string;
  role: OperatorRole;
  disabled: Generated<boolean>;
  created_at: CreatedAt;
}

export interface OperatorSessionsTable {
  /** sha256 of the cookie's token: a stolen database row cannot be replayed as a cookie. */
  token_hash: string;
  operator_id: number;
  csrf_token: string;
  expires_at: Timestamp;
  created_at: CreatedAt;
}

/** Append-only (a trigger refuses UPDATE and DELETE). */
export interface AuditLogTable {
  id: Generated<number>;
  at: CreatedAt;
  /** `operator:NAME` or `admin-token`. */
  actor: string;
  action: string;
  target: string | null;
  before: ColumnType<unknown, string | null, never>;
  after: ColumnType<unknown, string | null, never>;
}

/** rate-limiter-flexible's store (RateLimiterPostgres): a counter per key, expire in epoch ms. */
export interface RateLimitsTable {
  key: string;
  points: number;
  expire: ColumnType<string | null, number | null, number | null>;
}

export interface DB {
  operators: OperatorsTable;
  operator_sessions: OperatorSessionsTable;
  audit_log: AuditLogTable;
  bill_reconciliations: BillReconciliationsTable;
  bill_discrepancies: BillDiscrepanciesTable;
  bill_runs: BillRunsTable;
  products: ProductsTable;
  shoppers: ShoppersTable;
  sessions: SessionsTable;
  oauth_callbacks: OAuthCallbacksTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_events: OrderEventsTable;
  payment_notifications: PaymentNotificationsTable;
  refunds: RefundsTable;
  wechat_credentials: WechatCredentialsTable;
  after_sales: AfterSalesTable;
  rate_limits: RateLimitsTable;
  wechat_calls: WechatCallsTable;
}

export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;
export type ProductRow = Selectable<ProductsTable>;
export type AfterSaleRow = Selectable<AfterSalesTable>;
export type RefundRow = Selectable<RefundsTable>;
export type OrderEventRow = Selectable<OrderEventsTable>;

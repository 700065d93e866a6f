/**
 * The API contract between the storefront and the BFF.
 * Types are inferred from zod schemas so both sides can validate at runtime
 * (the BFF validates requests, the storefront validates responses).
 */
import { z } from 'zod';

/** WeChat Pay v2 sign types; the JSAPI `signType` must equal the unifiedorder `sign_type`. */
export const SignTypeSchema = z.enum(['MD5', 'HMAC-SHA256']);
export type SignType = z.infer<typeof SignTypeSchema>;

/** The page's `signType`: a v2 sign type, or `RSA` for WeChat Pay API v3 (SHA256withRSA, merchant key). */
export const PaySignTypeSchema = z.enum(['MD5', 'HMAC-SHA256', 'RSA']);
export type PaySignType = z.infer<typeof PaySignTypeSchema>;

/** v2: upper-case hex, 32 chars for MD5, 64 for HMAC-SHA256; v3: base64 of an RSA-2048 signature (256 bytes). */
const PAY_SIGN_PATTERNS: Record<PaySignType, RegExp> = {
  MD5: /^[0-9A-F]{32}$/,
  'HMAC-SHA256': /^[0-9A-F]{64}$/,
  RSA: /^[A-Za-z0-9+/]{342}==$/,
};

/**
 * Exactly the object `WeixinJSBridge.invoke('getBrandWCPayRequest', params, cb)` takes.
 * Every field is a string; names are case-sensitive (`appId`, `timeStamp`).
 */
export const JsapiPayParamsSchema = z
  .object({
    appId: z.string().min(1).max(32),
    /** Seconds since the epoch, as a string of 10 digits (never milliseconds, never a number). */
    timeStamp: z.string().regex(/^\d{10}$/, 'timeStamp must be 10 digits of seconds'),
    nonceStr: z.string().min(1).max(32),
    /** `prepay_id=` followed by the prepay_id from unifiedorder. */
    package: z.string().regex(/^prepay_id=[A-Za-z0-9_-]{1,64}$/, 'package must be prepay_id=…'),
    signType: PaySignTypeSchema,
    /** Upper-case hex (32 chars for MD5, 64 for HMAC-SHA256), or 344 chars of base64 for RSA. */
    paySign: z
      .string()
      .regex(/^([0-9A-F]{32}|[0-9A-F]{64}|[A-Za-z0-9+/]{342}==)$/, 'paySign must be hex or RSA base64'),
  })
  .strict()
  .refine((p) => PAY_SIGN_PATTERNS[p.signType].test(p.paySign), {
    message: 'paySign does not match signType',
    path: ['paySign'],
  });
export type JsapiPayParams = z.infer<typeof JsapiPayParamsSchema>;

export const OrderStatusSchema = z.enum(['PENDING', 'PAID', 'CLOSED', 'REFUNDING', 'REFUNDED', 'FAILED']);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** Amounts are integer fen (1/100 CNY) everywhere. */
export const FenSchema = z.number().int().nonnegative();

/** One line of a product's details (规格, 产地, …), shown as a label and its value. */
export const ProductDetailSchema = z.object({ label: z.string(), value: z.string() });
export type ProductDetail = z.infer<typeof ProductDetailSchema>;

export const ProductSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  priceFen: FenSchema,
  /** The main picture: catalog cards, cart lines and the first of the gallery. */
  imageUrl: z.string(),
  stock: z.number().int().nonnegative(),
  /** Every picture of the product page's gallery, the main one first. */
  gallery: z.array(z.string()),
  details: z.array(ProductDetailSchema),
  /** 七天无理由退货 applies (false for goods such as tea, which cannot be resold once opened). */
  sevenDayReturns: z.boolean(),
});
export type Product = z.infer<typeof ProductSchema>;

export const OrderItemSchema = z.object({
  productId: z.string(),
  name: z.string(),
  unitPriceFen: FenSchema,
  quantity: z.number().int().positive(),
});
export type OrderItem = z.infer<typeof OrderItemSchema>;

// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Text a shopper typed or WeChat's address book gave: no control characters, then trimmed to min–max characters. */
const shopperText = (min: number, max: number) =>
  z
    .string()
    .refine((v) => !CONTROL_CHARACTERS.test(v), 'must not contain control characters or line breaks')
    .trim()
    .min(min, min === 1 ? 'is required' : `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`);

/** A mainland China mobile number: 11 digits starting with 1. */
export const MAINLAND_MOBILE_PATTERN = /^1\d{10}$/;

/**
 * Where an order is shipped (收货地址), as the shopper chose it at checkout (typed, or picked with
 * `wx.openAddress`). Kept on the order as a snapshot; the shop keeps no address book of its own.
 */
export const DeliveryAddressSchema = z
  .object({
    /** 收货人 */
    name: shopperText(1, 25),
    mobile: z.string().regex(MAINLAND_MOBILE_PATTERN, 'must be an 11-digit mainland mobile number starting with 1'),
    province: shopperText(1, 20),
    city: shopperText(1, 20),
    /** 区/县; empty where a city has none (e.g. 东莞市, 中山市). */
    district: shopperText(0, 20),
    /** Street, building, room (详细地址). */
    detail: shopperText(1, 120),
    /** 6 digits, or empty when unknown. */
    postalCode: z
      .string()
      .regex(/^(\d{6})?$/, 'must be 6 digits or empty')
      .default(''),
  })
  .strict();
export type DeliveryAddress = z.infer<typeof DeliveryAddressSchema>;
export type DeliveryAddressInput = z.input<typeof DeliveryAddressSchema>;
/**
 * The fulfilment axis, apart from payment (`status`): 待发货 → 已发货 → 已完成 (the shopper's 确认收货,
 * or automatically some days after shipping). A refund never moves it back, so shipping history stays.
 */
export const FulfilmentStatusSchema = z.enum(['UNSHIPPED', 'SHIPPED', 'RECEIVED']);
export type FulfilmentStatus = z.infer<typeof FulfilmentStatusSchema>;

export const ShipmentSchema = z.object({
  carrier: z.string(),
  trackingNo: z.string(),
  shippedAt: z.string(),
});
export type Shipment = z.infer<typeof ShipmentSchema>;

/** A refund as the shopper follows it: CHANGE (stuck at WeChat) reads as PROCESSING, REFUNDCLOSE as FAILED. */
export const RefundProgressSchema = z.enum(['PROCESSING', 'SUCCESS', 'FAILED']);
export type RefundProgress = z.infer<typeof RefundProgressSchema>;

export const OrderRefundSchema = z.object({
  amountFen: FenSchema,
  status: RefundProgressSchema,
  reason: z.string().nullable(),
  createdAt: z.string(),
  /** When the refund became SUCCESS or FAILED; null while processing. */
  settledAt: z.string().nullable(),
});
export type OrderRefund = z.infer<typeof OrderRefundSchema>;

/** 仅退款 (before shipping) or 退货退款 (after shipping). */
export const AfterSaleKindSchema = z.enum(['REFUND_ONLY', 'RETURN_REFUND']);
export type AfterSaleKind = z.infer<typeof AfterSaleKindSchema>;
/** A request waits for the operator: APPROVED starts a refund (see its `refund`), REJECTED says why. */
export const AfterSaleStatusSchema = z.enum(['PENDING', 'APPROVED', 'REJECTED']);
export type AfterSaleStatus = z.infer<typeof AfterSaleStatusSchema>;

export const AfterSaleSchema = z.object({
  id: z.number().int().positive(),
  kind: AfterSaleKindSchema,
  status: AfterSaleStatusSchema,
  amountFen: FenSchema,
  reason: z.string(),
  /** The operator's reason, shown to the shopper, when REJECTED. */
  rejectReason: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  /** The refund an approval started (null until approved). */
  refund: OrderRefundSchema.nullable(),
});
export type AfterSale = z.infer<typeof AfterSaleSchema>;

export const TimelineEventTypeSchema = z.enum([
  'CREATED',
  'PAID',
  /** Closed by the shopper (取消订单). */
  'CANCELLED',
  /** Closed for expiry or by WeChat. */
  'CLOSED',
  'SHIPPED',
  /** 确认收货 by the shopper, or automatically (`automatic`). */
  'RECEIVED',
  'AFTER_SALE_REQUESTED',
  'AFTER_SALE_APPROVED',
  'AFTER_SALE_REJECTED',
  'REFUND_STARTED',
  'REFUND_SUCCEEDED',
  'REFUND_FAILED',
]);
export type TimelineEventType = z.infer<typeof TimelineEventTypeSchema>;

export const TimelineEventSchema = z.object({
  type: TimelineEventTypeSchema,
  /** ISO time; the storefront shows it in Beijing time. */
  at: z.string(),
  amountFen: FenSchema.optional(),
  /** Carrier + tracking number, a refund or rejection reason… */
  detail: z.string().optional(),
  automatic: z.boolean().optional(),
});
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;

export const OrderSchema = z.object({
  /** Digits only: the Beijing date and a sequence (older orders may still be letters and digits). */
  outTradeNo: z.string(),
  /** The payment axis. */
  status: OrderStatusSchema,
  totalFen: FenSchema,
  refundedFen: FenSchema,
  items: z.array(OrderItemSchema),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  transactionId: z.string().nullable(),
  /** ISO time after which an unpaid order is closed. */
  expiresAt: z.string(),
  /** The delivery address given at checkout; null for orders placed without one. */
  deliveryAddress: DeliveryAddressSchema.nullable(),
  fulfilment: FulfilmentStatusSchema,
  shipment: ShipmentSchema.nullable(),
  receivedAt: z.string().nullable(),
  /** While SHIPPED: when the order is received automatically unless the shopper confirms first. */
  autoReceiveAt: z.string().nullable(),
  refunds: z.array(OrderRefundSchema),
  afterSales: z.array(AfterSaleSchema),
  /** Oldest first. */
  timeline: z.array(TimelineEventSchema),
});
export type Order = z.infer<typeof OrderSchema>;

/** POST /api/orders: the client names products and quantities only, never prices. */
export const CreateOrderRequestSchema = z
  .object({
    items: z
      .array(
        z
          .object({
            productId: z.string().min(1).max(64),
            quantity: z.number().int().min(1).max(99),
          })
          .strict(),
      )
      .min(1)
      .max(50),
    /** Optional for now: the storefront does not send one yet. Checked field by field, else 400. */
    deliveryAddress: DeliveryAddressSchema.optional(),
  })
  .strict();
export type CreateOrderRequest = z.infer<typeof CreateOrderRequestSchema>;
export type CreateOrderRequestInput = z.input<typeof CreateOrderRequestSchema>;

/**
 * Optional request header of POST /api/orders: one value per checkout attempt, so a retry whose
 * first answer was lost gets the order already created instead of a second one. Keys are per
 * shopper (session); the BFF keeps a key as long as the order it created exists.
 * - same key, same items (product ids and summed quantities) → 200, that order as it is now,
 *   with `Idempotent-Replayed: true`;
 * - same key, other items → 409 CONFLICT; malformed key → 400 BAD_REQUEST;
 * - no header → a new order every time (201).
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Response header set to `true` when POST /api/orders answers with the order an earlier request created. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** 16–64 characters of A-Z a-z 0-9 _ -: a UUID or 32 random hex digits fit; at least 16 so a key names one attempt, not a counter. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
export const IdempotencyKeySchema = z
  .string()
  .regex(IDEMPOTENCY_KEY_PATTERN, 'Idempotency-Key must be 16-64 characters of A-Z a-z 0-9 _ -');

/** POST /api/orders/:outTradeNo/pay */
export const PayRequestSchema = z
  /** JSAPI inside WeChat, NATIVE (QR) on a desktop, H5 in a phone browser outside WeChat. */
  .object({ tradeType: z.enum(['JSAPI', 'NATIVE', 'H5']).default('JSAPI') })
  .strict();
export type PayRequest = z.input<typeof PayRequestSchema>;

export const PayResponseSchema = z.discriminatedUnion('tradeType', [
  z.object({ tradeType: z.literal('JSAPI'), payParams: JsapiPayParamsSchema }),
  z.object({ tradeType: z.literal('NATIVE'), codeUrl: z.string().startsWith('weixin://') }),
  /**
   * H5 pay in a phone browser outside WeChat: open `h5Url` (v2 mweb_url, v3 h5_url; valid 5 minutes),
   * optionally with `&redirect_url=` + the URL-encoded return page.
   */
  z.object({ tradeType: z.literal('H5'), h5Url: z.url({ protocol: /^https?$/ }) }),
]);
export type PayResponse = z.infer<typeof PayResponseSchema>;

export const MeSchema = z.discriminatedUnion('signedIn', [
  z.object({ signedIn: z.literal(false) }),
  z.object({
    signedIn: z.literal(true),
    openid: z.string(),
    nickname: z.string().nullable(),
    avatarUrl: z.string().nullable(),
  }),
]);
export type Me = z.infer<typeof MeSchema>;

/** WeChat's refund_desc is String(80), counted in UTF-8 bytes: 26 Chinese characters, not 80. */
export const REFUND_REASON_MAX_BYTES = 80;
const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** POST /api/admin/orders/:outTradeNo/refund (operator only, admin token). */
export const RefundRequestSchema = z
  .object({
    amountFen: z.number().int().positive().optional(),
    /** Sent to WeChat as refund_desc, shown to the shopper. */
    reason: z
      .string()
      .refine((s) => utf8Length(s) <= REFUND_REASON_MAX_BYTES, {
        message: `reason must be at most ${REFUND_REASON_MAX_BYTES} bytes of UTF-8 (a Chinese character is 3 bytes)`,
      })
      .optional(),
  })
  .strict();
export type RefundRequest = z.infer<typeof RefundRequestSchema>;

/** A reason WeChat may carry as refund_desc: 1–80 UTF-8 bytes. */
const refundReason = z
  .string()
  .trim()
  .min(1, 'reason is required')
  .refine((s) => utf8Length(s) <= REFUND_REASON_MAX_BYTES, {
    message: `reason must be at most ${REFUND_REASON_MAX_BYTES} bytes of UTF-8 (a Chinese character is 3 bytes)`,
  })
  .refine((s) => !s.includes('\u0000'), { message: 'reason must not contain NUL' });

/** POST /api/orders/:outTradeNo/after-sales (the shopper's 申请退款). */
export const AfterSaleRequestSchema = z
  .object({
    /** Defaults to what the order allows: REFUND_ONLY before shipping, RETURN_REFUND after. */
    kind: AfterSaleKindSchema.optional(),
    reason: refundReason,
    /** At most what is left to refund (total − refunded). */
    amountFen: z.number().int().positive(),
  })
  .strict();
export type AfterSaleRequest = z.infer<typeof AfterSaleRequestSchema>;

/** POST /api/admin/after-sales/:id/reject (operator): the reason the shopper will see. */
export const RejectAfterSaleRequestSchema = z.object({ reason: refundReason }).strict();
export type RejectAfterSaleRequest = z.infer<typeof RejectAfterSaleRequestSchema>;

/** POST /api/admin/orders/:outTradeNo/ship (operator). */
export const ShipRequestSchema = z
  .object({
    carrier: z.string().trim().min(1).max(32),
    /** Express tracking numbers: letters, digits and dashes. */
    trackingNo: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{4,40}$/, 'trackingNo must be 4-40 letters, digits or dashes'),
  })
  .strict();
export type ShipRequest = z.infer<typeof ShipRequestSchema>;

/** GET /api/shop: the shop's one name (SHOP_NAME), for the header and the page title. */
/** `servicePhone`: the 客服 number (SHOP_SERVICE_PHONE), absent when the shop has none. */
export const ShopSchema = z.object({ name: z.string(), servicePhone: z.string().optional() });
export type Shop = z.infer<typeof ShopSchema>;

export const ApiErrorCodeSchema = z.enum([
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  /** 429, with Retry-After: too many orders from one client, or too many unpaid ones. */
  'TOO_MANY_REQUESTS',
  'UPSTREAM_ERROR',
  /** 503, with Retry-After: the shop's database is unreachable for now (an outage, not a bug). */
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

/** Every non-2xx JSON response of the BFF has this shape. */
export const ApiErrorSchema = z.object({
  error: z.object({
    code: ApiErrorCodeSchema,
    message: z.string(),
    requestId: z.string().optional(),
    details: z.unknown().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/**
 * GET /api/wechat/js-config?url=…: what the page passes to `wx.config` (with its own jsApiList). `url` must be
 * the page's URL (the `#…` part is ignored) on the shop's own origin, else 400.
 */
export const JsConfigSchema = z.object({
  appId: z.string(),
  /** Seconds since the epoch. */
  timestamp: z.number().int().positive(),
  nonceStr: z.string().regex(/^[A-Za-z0-9]{1,32}$/),
  signature: z.string().regex(/^[0-9a-f]{40}$/),
});
export type JsConfig = z.infer<typeof JsConfigSchema>;

export const ProductListSchema = z.object({ products: z.array(ProductSchema) });
export const OrderListSchema = z.object({ orders: z.array(OrderSchema) });

/** GET /api/admin/orders?attention=1 (operator only): orders plus why they were flagged. */
export const AdminOrderSchema = OrderSchema.extend({ attention: z.string().nullable() });
export type AdminOrder = z.infer<typeof AdminOrderSchema>;
export const AdminOrderListSchema = z.object({ orders: z.array(AdminOrderSchema) });

/** GET /api/admin/after-sales?status=PENDING (operator): requests with the order they are about. */
export const AdminAfterSaleSchema = AfterSaleSchema.extend({ outTradeNo: z.string() });
export const AdminAfterSaleListSchema = z.object({ afterSales: z.array(AdminAfterSaleSchema) });

/** Routes, in one place so neither side hard-codes paths differently. */
export const routes = {
  me: '/api/me',
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  products: '/api/products',
  product: (id: string) => `/api/products/${encodeURIComponent(id)}`,
  /** The product's picture at a fetchable URL (for share cards); inline pictures are decoded. */
  productImage: (id: string) => `/api/products/${encodeURIComponent(id)}/image`,
  /** The main picture as a PNG, for WeChat's share card (which shows SVG unreliably). */
  productShareImage: (id: string) => `/api/products/${encodeURIComponent(id)}/share.png`,
  orders: '/api/orders',
  order: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}`,
  pay: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}/pay`,
  jsConfig: (pageUrl: string) => `/api/wechat/js-config?url=${encodeURIComponent(pageUrl)}`,
  cancel: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}/cancel`,
  confirmReceipt: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}/confirm-receipt`,
  afterSales: (outTradeNo: string) => `/api/orders/${encodeURIComponent(outTradeNo)}/after-sales`,
  shop: '/api/shop',
  refund: (outTradeNo: string) => `/api/admin/orders/${encodeURIComponent(outTradeNo)}/refund`,
  bills: '/api/admin/bills',
  bill: (day: string) => `/api/admin/bills/${encodeURIComponent(day)}`,
  reconcileBill: (day: string) => `/api/admin/bills/${encodeURIComponent(day)}/reconcile`,
  ship: (outTradeNo: string) => `/api/admin/orders/${encodeURIComponent(outTradeNo)}/ship`,
  adminAfterSales: '/api/admin/after-sales',
  approveAfterSale: (id: number) => `/api/admin/after-sales/${id}/approve`,
  rejectAfterSale: (id: number) => `/api/admin/after-sales/${id}/reject`,
} as const;

export * from './bills';

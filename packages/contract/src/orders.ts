/** Orders as the shopper and the operator see them, and the request that creates one. */
import * as z from 'zod/mini';
import { FenSchema } from './catalog';
import { checked } from './checked';
import { DeliveryAddressSchema } from './delivery-address';

export const OrderStatusSchema = z.enum(['PENDING', 'PAID', 'CLOSED', 'REFUNDING', 'REFUNDED', 'FAILED']);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

export const OrderItemSchema = z.object({
  productId: z.string(),
  name: z.string(),
  unitPriceFen: FenSchema,
  quantity: checked(z.int(), z.positive()),
});
export type OrderItem = z.infer<typeof OrderItemSchema>;

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
  reason: z.nullable(z.string()),
  createdAt: z.string(),
  /** When the refund became SUCCESS or FAILED; null while processing. */
  settledAt: z.nullable(z.string()),
});
export type OrderRefund = z.infer<typeof OrderRefundSchema>;

/** 仅退款 (before shipping) or 退货退款 (after shipping). */
export const AfterSaleKindSchema = z.enum(['REFUND_ONLY', 'RETURN_REFUND']);
export type AfterSaleKind = z.infer<typeof AfterSaleKindSchema>;
/** A request waits for the operator: APPROVED starts a refund (see its `refund`), REJECTED says why. */
export const AfterSaleStatusSchema = z.enum(['PENDING', 'APPROVED', 'REJECTED']);
export type AfterSaleStatus = z.infer<typeof AfterSaleStatusSchema>;

export const AfterSaleSchema = z.object({
  id: checked(z.int(), z.positive()),
  kind: AfterSaleKindSchema,
  status: AfterSaleStatusSchema,
  amountFen: FenSchema,
  reason: z.string(),
  /** The operator's reason, shown to the shopper, when REJECTED. */
  rejectReason: z.nullable(z.string()),
  createdAt: z.string(),
  decidedAt: z.nullable(z.string()),
  /** The refund an approval started (null until approved). */
  refund: z.nullable(OrderRefundSchema),
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
  amountFen: z.optional(FenSchema),
  /** Carrier + tracking number, a refund or rejection reason… */
  detail: z.optional(z.string()),
  automatic: z.optional(z.boolean()),
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
  paidAt: z.nullable(z.string()),
  transactionId: z.nullable(z.string()),
  /** ISO time after which an unpaid order is closed. */
  expiresAt: z.string(),
  /** The address given at checkout; null for virtual goods only (or an order from before it was required). */
  deliveryAddress: z.nullable(DeliveryAddressSchema),
  fulfilment: FulfilmentStatusSchema,
  shipment: z.nullable(ShipmentSchema),
  receivedAt: z.nullable(z.string()),
  /** While SHIPPED: when the order is received automatically unless the shopper confirms first. */
  autoReceiveAt: z.nullable(z.string()),
  refunds: z.array(OrderRefundSchema),
  afterSales: z.array(AfterSaleSchema),
  /** Oldest first. */
  timeline: z.array(TimelineEventSchema),
});
export type Order = z.infer<typeof OrderSchema>;

/** POST /api/orders: the client names products and quantities only, never prices. */
export const CreateOrderRequestSchema = z.strictObject({
  items: checked(
    z.array(
      z.strictObject({
        productId: checked(z.string(), z.minLength(1), z.maxLength(64)),
        quantity: checked(z.int(), z.gte(1), z.lte(99)),
      }),
    ),
    z.minLength(1),
    z.maxLength(50),
  ),
  /**
   * Required when any item is a physical good (all of the shop's products are), else 400
   * DELIVERY_ADDRESS_REQUIRED; an order of virtual goods only may omit it. Checked field by field, else 400.
   */
  deliveryAddress: z.optional(DeliveryAddressSchema),
});
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
export const IdempotencyKeySchema = checked(
  z.string(),
  z.regex(IDEMPOTENCY_KEY_PATTERN, 'Idempotency-Key must be 16-64 characters of A-Z a-z 0-9 _ -'),
);

export const OrderListSchema = z.object({ orders: z.array(OrderSchema) });

/** GET /api/admin/orders?attention=1 (operator only): orders plus why they were flagged. */
export const AdminOrderSchema = z.extend(OrderSchema, { attention: z.nullable(z.string()) });
export type AdminOrder = z.infer<typeof AdminOrderSchema>;
export const AdminOrderListSchema = z.object({ orders: z.array(AdminOrderSchema) });

/** GET /api/admin/after-sales?status=PENDING (operator): requests with the order they are about. */
export const AdminAfterSaleSchema = z.extend(AfterSaleSchema, { outTradeNo: z.string() });
export const AdminAfterSaleListSchema = z.object({ afterSales: z.array(AdminAfterSaleSchema) });

/** Requests that act on a placed order: the shopper's 申请退款, the operator's refund, rejection and shipping. */
import * as z from 'zod/mini';
import { checked } from './checked';
import { AfterSaleKindSchema } from './orders';

/** WeChat's refund_desc is String(80), counted in UTF-8 bytes: 26 Chinese characters, not 80. */
export const REFUND_REASON_MAX_BYTES = 80;
const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** POST /api/admin/orders/:outTradeNo/refund (operator only, admin token). */
export const RefundRequestSchema = z.strictObject({
  amountFen: z.optional(checked(z.int(), z.positive())),
  /** Sent to WeChat as refund_desc, shown to the shopper. */
  reason: z.optional(
    checked(
      z.string(),
      z.refine((s) => utf8Length(s) <= REFUND_REASON_MAX_BYTES, {
        message: `reason must be at most ${REFUND_REASON_MAX_BYTES} bytes of UTF-8 (a Chinese character is 3 bytes)`,
      }),
    ),
  ),
});
export type RefundRequest = z.infer<typeof RefundRequestSchema>;

/** A reason WeChat may carry as refund_desc: 1–80 UTF-8 bytes. */
const refundReason = checked(
  z.string(),
  z.trim(),
  z.minLength(1, 'reason is required'),
  z.refine((s) => utf8Length(s) <= REFUND_REASON_MAX_BYTES, {
    message: `reason must be at most ${REFUND_REASON_MAX_BYTES} bytes of UTF-8 (a Chinese character is 3 bytes)`,
  }),
  z.refine((s) => !s.includes('\u0000'), { message: 'reason must not contain NUL' }),
);

/** POST /api/orders/:outTradeNo/after-sales (the shopper's 申请退款). */
export const AfterSaleRequestSchema = z.strictObject({
  /** Defaults to what the order allows: REFUND_ONLY before shipping, RETURN_REFUND after. */
  kind: z.optional(AfterSaleKindSchema),
  reason: refundReason,
  /** At most what is left to refund (total − refunded). */
  amountFen: checked(z.int(), z.positive()),
});
export type AfterSaleRequest = z.infer<typeof AfterSaleRequestSchema>;

/** POST /api/admin/after-sales/:id/reject (operator): the reason the shopper will see. */
export const RejectAfterSaleRequestSchema = z.strictObject({ reason: refundReason });
export type RejectAfterSaleRequest = z.infer<typeof RejectAfterSaleRequestSchema>;

/** POST /api/admin/orders/:outTradeNo/ship (operator). */
export const ShipRequestSchema = z.strictObject({
  carrier: checked(z.string(), z.trim(), z.minLength(1), z.maxLength(32)),
  /** Express tracking numbers: letters, digits and dashes. */
  trackingNo: checked(
    z.string(),
    z.trim(),
    z.regex(/^[A-Za-z0-9-]{4,40}$/, 'trackingNo must be 4-40 letters, digits or dashes'),
  ),
});
export type ShipRequest = z.infer<typeof ShipRequestSchema>;

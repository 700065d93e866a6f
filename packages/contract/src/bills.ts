/** The operator API's bill reconciliation: one Beijing day's result, WeChat's totals against ours. */
import * as z from 'zod/mini';

export const BillDiscrepancyKindSchema = z.enum([
  'PAID_AT_WECHAT_ONLY',
  'PAID_HERE_ONLY',
  'PAYMENT_AMOUNT_DIFFERS',
  'REFUND_AT_WECHAT_ONLY',
  'REFUND_HERE_ONLY',
  'REFUND_AMOUNT_DIFFERS',
]);

export const BillDiscrepancySchema = z.object({
  kind: BillDiscrepancyKindSchema,
  outTradeNo: z.string(),
  outRefundNo: z.nullable(z.string()),
  transactionId: z.nullable(z.string()),
  wechatFen: z.nullable(z.int()),
  ourFen: z.nullable(z.int()),
  /** False for a payment we have no order for. */
  orderKnown: z.boolean(),
  note: z.nullable(z.string()),
});
export type BillDiscrepancy = z.infer<typeof BillDiscrepancySchema>;

export const BillReconciliationSchema = z.object({
  /** Beijing day, yyyy-MM-dd. */
  day: z.string(),
  /** NO_BILL: WeChat has no bill (no trade that day) and neither do we. */
  status: z.enum(['MATCHED', 'DISCREPANCIES', 'NO_BILL']),
  wechat: z.object({
    count: z.int(),
    paidFen: z.int(),
    refundFen: z.int(),
    feeMilliFen: z.int(),
  }),
  ours: z.object({
    paymentCount: z.int(),
    paidFen: z.int(),
    refundCount: z.int(),
    refundFen: z.int(),
  }),
  matchedPayments: z.int(),
  matchedRefunds: z.int(),
  discrepancyCount: z.int(),
  source: z.string(),
  reconciledAt: z.string(),
});
export type BillReconciliation = z.infer<typeof BillReconciliationSchema>;

/** GET /api/admin/bills/:day. `run` is the state of an unfinished or failed run, if any. */
export const BillDayResponseSchema = z.object({
  reconciliation: z.nullable(BillReconciliationSchema),
  discrepancies: z.array(BillDiscrepancySchema),
  run: z.nullable(
    z.object({ attempts: z.int(), lastError: z.nullable(z.string()), nextAttemptAt: z.nullable(z.string()) }),
  ),
});
export type BillDayResponse = z.infer<typeof BillDayResponseSchema>;

export const BillReconciliationListSchema = z.object({ days: z.array(BillReconciliationSchema) });

/** The operator API's bill reconciliation: one Beijing day's result, WeChat's totals against ours. */
import { z } from 'zod';

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
  outRefundNo: z.string().nullable(),
  transactionId: z.string().nullable(),
  wechatFen: z.number().int().nullable(),
  ourFen: z.number().int().nullable(),
  /** False for a payment we have no order for. */
  orderKnown: z.boolean(),
  note: z.string().nullable(),
});
export type BillDiscrepancy = z.infer<typeof BillDiscrepancySchema>;

export const BillReconciliationSchema = z.object({
  /** Beijing day, yyyy-MM-dd. */
  day: z.string(),
  /** NO_BILL: WeChat has no bill (no trade that day) and neither do we. */
  status: z.enum(['MATCHED', 'DISCREPANCIES', 'NO_BILL']),
  wechat: z.object({
    count: z.number().int(),
    paidFen: z.number().int(),
    refundFen: z.number().int(),
    feeMilliFen: z.number().int(),
  }),
  ours: z.object({
    paymentCount: z.number().int(),
    paidFen: z.number().int(),
    refundCount: z.number().int(),
    refundFen: z.number().int(),
  }),
  matchedPayments: z.number().int(),
  matchedRefunds: z.number().int(),
  discrepancyCount: z.number().int(),
  source: z.string(),
  reconciledAt: z.string(),
});
export type BillReconciliation = z.infer<typeof BillReconciliationSchema>;

/** GET /api/admin/bills/:day. `run` is the state of an unfinished or failed run, if any. */
export const BillDayResponseSchema = z.object({
  reconciliation: BillReconciliationSchema.nullable(),
  discrepancies: z.array(BillDiscrepancySchema),
  run: z
    .object({ attempts: z.number().int(), lastError: z.string().nullable(), nextAttemptAt: z.string().nullable() })
    .nullable(),
});
export type BillDayResponse = z.infer<typeof BillDayResponseSchema>;

export const BillReconciliationListSchema = z.object({ days: z.array(BillReconciliationSchema) });

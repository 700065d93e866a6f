/** A refund as the emulator keeps it, how refunds end, and a test's arranged outcome for the next ones. */
import type { ApiVersion } from './order';

export const REFUND_ENDS = ['SUCCESS', 'CHANGE', 'REFUNDCLOSE'] as const;
/** How a refund ends: SUCCESS, CHANGE (退款异常, funds stuck) or REFUNDCLOSE (closed, money back to the merchant). */
export type RefundEnd = (typeof REFUND_ENDS)[number];
export type RefundStatus = 'PROCESSING' | RefundEnd;

export interface Refund {
  api?: ApiVersion;
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

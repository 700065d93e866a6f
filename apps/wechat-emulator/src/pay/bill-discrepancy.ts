/** A test's change to the bills the emulator serves, so a merchant's reconciliation has something to find. */

export const BILL_DISCREPANCY_KINDS = ['unknown-payment', 'amount', 'omit'] as const;
/**
 * - unknown-payment: a SUCCESS row for an order the merchant never created (or whose payment it never heard of);
 * - amount: the order's payment row shows `totalFen` instead of what was paid;
 * - omit: the order's payment row is left out of the bill.
 */
export type BillDiscrepancyKind = (typeof BILL_DISCREPANCY_KINDS)[number];

export interface BillDiscrepancy {
  id: number;
  kind: BillDiscrepancyKind;
  mchId: string;
  /** The bill's day, `yyyyMMdd` (Beijing). */
  billDate: string;
  outTradeNo: string;
  /** unknown-payment and amount: the amount the bill shows. */
  totalFen?: number;
  /** unknown-payment: the made-up payment's ids. */
  transactionId?: string;
  appId?: string;
  createdAt: number;
}

/** Input checks and defaults of POST /__emulator/bill-discrepancy: what a test may change in a bill. */
import { beijingTime } from '@wxpay-shop/wechat';
import type { Deps } from '../deps';
import { str } from '../http/body';
import { newTransactionId } from '../ids';
import { BILL_DISCREPANCY_KINDS, type BillDiscrepancy } from '../pay/bill-discrepancy';
import { isPaid } from '../pay/order';

const isPositiveFen = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * `{ kind, outTradeNo?, totalFen?, billDate?, mchId? }` → the stored discrepancy, or why not. An `amount` or
 * `omit` names a paid order and lands on its payment's day; an `unknown-payment` lands on `billDate` (today).
 */
export function injectBillDiscrepancy(deps: Deps, body: Record<string, unknown>): BillDiscrepancy | string {
  const kind = BILL_DISCREPANCY_KINDS.find((k) => k === body.kind);
  if (!kind) return `kind must be one of ${BILL_DISCREPANCY_KINDS.join(', ')}`;
  const merchant = body.mchId === undefined ? deps.merchants.all[0] : deps.merchants.byMchId(str(body.mchId) ?? '');
  if (!merchant) return 'mchId is not a merchant of this emulator';
  const now = Date.now();
  const id = Number(deps.state.nextId(''));
  const base = { id, kind, mchId: merchant.mchId, createdAt: now };

  if (kind === 'unknown-payment') {
    if (!isPositiveFen(body.totalFen)) return 'totalFen must be a positive integer';
    const billDate = body.billDate === undefined ? beijingTime(new Date(now)).slice(0, 8) : str(body.billDate);
    if (!billDate || !/^\d{8}$/.test(billDate)) return 'billDate must be yyyyMMdd';
    const outTradeNo = body.outTradeNo === undefined ? `EMU${billDate}${id}` : str(body.outTradeNo);
    if (!outTradeNo) return 'outTradeNo must be a string';
    const discrepancy = {
      ...base,
      billDate,
      outTradeNo,
      totalFen: body.totalFen,
      transactionId: newTransactionId(new Date(now)),
      appId: merchant.appId,
    };
    deps.state.billDiscrepancies.push(discrepancy);
    return discrepancy;
  }

  const outTradeNo = str(body.outTradeNo);
  if (!outTradeNo) return `outTradeNo is required for ${kind}`;
  const order = deps.state.findOrder(merchant.mchId, outTradeNo);
  if (!order || !isPaid(order) || order.paidAt === undefined)
    return `order ${outTradeNo} is not a paid order of ${merchant.mchId}`;
  if (kind === 'amount' && !isPositiveFen(body.totalFen)) return 'totalFen must be a positive integer';
  const discrepancy: BillDiscrepancy = {
    ...base,
    billDate: beijingTime(new Date(order.paidAt)).slice(0, 8),
    outTradeNo,
    ...(kind === 'amount' ? { totalFen: body.totalFen as number } : {}),
  };
  deps.state.billDiscrepancies.push(discrepancy);
  return discrepancy;
}

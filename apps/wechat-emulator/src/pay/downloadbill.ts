/**
 * `POST /pay/downloadbill` (§4.5): one merchant's trade bill for a Beijing day, built from the emulator's
 * own payments and SUCCESS refunds plus any injected discrepancy; `No Bill Exist` for a day without any.
 * Unlike WeChat (from about 09:00 the next day), it serves a day's bill at once, today's so far included.
 */
import { beijingDateTime, beijingTime, buildXml } from '@wxpay-shop/wechat';
import type { Deps } from '../deps';
import { openidFor } from '../users';
import type { PayRequest } from './envelope';
import { isPaid, type Order } from './order';
import { renderTradeBill, type BillEntry } from './trade-bill';

const BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND', 'RECHARGE_REFUND'] as const;

/** A bill, or WeChat's unsigned FAIL XML with its numeric error_code. */
export type BillReply = { kind: 'bill'; text: string; gzip: boolean } | { kind: 'fail'; xml: string };

const billFail = (returnMsg: string, errorCode: string): BillReply => ({
  kind: 'fail',
  xml: buildXml({ return_code: 'FAIL', return_msg: returnMsg, error_code: errorCode }),
});

/** yyyyMMdd of a real calendar day, or null. */
export function parseBillDate(value: string | undefined): string | null {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value ?? '');
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? value! : null;
}

export const dayOf = (epochMs: number) => beijingTime(new Date(epochMs)).slice(0, 8);

function paymentEntry(order: Order): BillEntry {
  return {
    kind: 'payment',
    time: beijingDateTime(new Date(order.paidAt!)),
    appId: order.appId,
    mchId: order.mchId,
    deviceInfo: order.deviceInfo,
    transactionId: order.transactionId!,
    outTradeNo: order.outTradeNo,
    openid: order.openid ?? '',
    tradeType: order.tradeType,
    body: order.body,
    attach: order.attach,
    amountFen: order.totalFee,
  };
}

/** Every row of `mchId`'s bill for `billDate`, discrepancies applied. */
export function billEntries(deps: Deps, mchId: string, billDate: string): BillEntry[] {
  const { state } = deps;
  const discrepancies = state.billDiscrepancies.filter((d) => d.mchId === mchId && d.billDate === billDate);
  const adjusted = (outTradeNo: string, kind: 'amount' | 'omit') =>
    discrepancies.filter((d) => d.kind === kind && d.outTradeNo === outTradeNo).at(-1);
  const entries: BillEntry[] = [];
  for (const order of state.orders.values()) {
    if (order.mchId !== mchId || !isPaid(order) || order.paidAt === undefined || dayOf(order.paidAt) !== billDate)
      continue;
    if (adjusted(order.outTradeNo, 'omit')) continue;
    entries.push({
      ...paymentEntry(order),
      amountFen: adjusted(order.outTradeNo, 'amount')?.totalFen ?? order.totalFee,
    });
  }
  for (const refund of state.refunds.values()) {
    // successTime is Beijing `yyyy-MM-dd HH:mm:ss`; only a refund that succeeded is in a bill.
    if (
      refund.mchId !== mchId ||
      refund.status !== 'SUCCESS' ||
      refund.successTime?.slice(0, 10).replace(/-/g, '') !== billDate
    )
      continue;
    const order = state.findOrder(mchId, refund.outTradeNo);
    if (!order) continue;
    entries.push({
      ...paymentEntry(order),
      kind: 'refund',
      time: refund.successTime!,
      amountFen: refund.refundFee,
      refundId: refund.refundId,
      outRefundNo: refund.outRefundNo,
    });
  }
  for (const d of discrepancies) {
    if (d.kind !== 'unknown-payment') continue;
    entries.push({
      kind: 'payment',
      time: beijingDateTime(new Date(d.createdAt)),
      appId: d.appId!,
      mchId,
      transactionId: d.transactionId!,
      outTradeNo: d.outTradeNo,
      openid: openidFor(d.appId!, state.currentUserId),
      tradeType: 'NATIVE',
      body: '模拟的未知支付',
      amountFen: d.totalFen!,
    });
  }
  return entries;
}

export function downloadBill(req: PayRequest, deps: Deps, now = Date.now()): BillReply {
  const f = req.fields;
  const billDate = parseBillDate(f.bill_date);
  // A day to come has no bill yet: WeChat calls that an invalid date.
  if (!billDate || billDate > dayOf(now)) return billFail('invalid bill_date', '20001');
  const billType = f.bill_type ?? 'ALL';
  if (!(BILL_TYPES as readonly string[]).includes(billType)) return billFail('invalid bill_type', '20001');
  if (f.tar_type !== undefined && f.tar_type !== 'GZIP') return billFail('invalid tar_type', '20001');
  const text = tradeBillText(deps, req.merchant.mchId, billDate, billType);
  if (text === null) return billFail('No Bill Exist', '20002');
  return { kind: 'bill', text, gzip: f.tar_type === 'GZIP' };
}

/** The rendered bill of that type (ALL, SUCCESS: payments, REFUND: refunds), or null for a day without any row. */
export function tradeBillText(deps: Deps, mchId: string, billDate: string, billType: string): string | null {
  const entries = billEntries(deps, mchId, billDate).filter((e) =>
    billType === 'ALL'
      ? true
      : billType === 'SUCCESS'
        ? e.kind === 'payment'
        : billType === 'REFUND' && e.kind === 'refund',
  );
  return entries.length === 0 ? null : renderTradeBill(entries);
}

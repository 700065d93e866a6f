import { describe, expect, it } from 'vitest';
import type { TradeBillRow } from '@wxpay-shop/wechat';
import { diffBill } from '../src/bills/bill-diff';

function row(fields: Partial<TradeBillRow> & Pick<TradeBillRow, 'outTradeNo'>): TradeBillRow {
  return {
    tradeTime: '2026-12-01 10:00:00',
    appId: 'wx',
    mchId: '10000100',
    transactionId: `42${fields.outTradeNo}`,
    openid: 'o',
    tradeType: 'JSAPI',
    tradeState: 'SUCCESS',
    bankType: 'CFT',
    currency: 'CNY',
    settlementFen: 0,
    couponFen: 0,
    refundId: '',
    outRefundNo: '',
    refundFen: 0,
    refundStatus: '',
    body: '',
    attach: '',
    feeMilliFen: 0,
    feeRate: '0.60%',
    totalFen: 0,
    ...fields,
  };
}

describe('diffBill', () => {
  it('matches a day where both sides agree', () => {
    const rows = [
      row({ outTradeNo: 'A', totalFen: 6970, settlementFen: 6970 }),
      row({ outTradeNo: 'A', tradeState: 'REFUND', outRefundNo: 'RA', refundFen: 1000 }),
    ];
    const diff = diffBill(
      rows,
      [{ outTradeNo: 'A', transactionId: '42A', totalFen: 6970 }],
      [{ outRefundNo: 'RA', outTradeNo: 'A', refundFen: 1000 }],
    );
    expect(diff).toEqual({ discrepancies: [], matchedPayments: 1, matchedRefunds: 1 });
  });

  it('finds each kind of discrepancy', () => {
    const rows = [
      row({ outTradeNo: 'WECHAT_ONLY', totalFen: 100 }),
      row({ outTradeNo: 'AMOUNT', totalFen: 200 }),
      row({ outTradeNo: 'REVOKED', tradeState: 'REVOKED', totalFen: 300 }),
      row({ outTradeNo: 'AMOUNT', tradeState: 'REFUND', outRefundNo: 'R_WECHAT_ONLY', refundFen: 50 }),
      row({ outTradeNo: 'AMOUNT', tradeState: 'REFUND', outRefundNo: 'R_AMOUNT', refundFen: 60 }),
    ];
    const diff = diffBill(
      rows,
      [
        { outTradeNo: 'AMOUNT', transactionId: '42AMOUNT', totalFen: 201 },
        { outTradeNo: 'HERE_ONLY', transactionId: null, totalFen: 400 },
        { outTradeNo: 'REVOKED', transactionId: null, totalFen: 300 },
      ],
      [
        { outRefundNo: 'R_AMOUNT', outTradeNo: 'AMOUNT', refundFen: 61 },
        { outRefundNo: 'R_HERE_ONLY', outTradeNo: 'HERE_ONLY', refundFen: 70 },
      ],
    );
    expect(diff.matchedPayments).toBe(0);
    expect(diff.matchedRefunds).toBe(0);
    expect(diff.discrepancies).toEqual(
      expect.arrayContaining([
        { kind: 'PAID_AT_WECHAT_ONLY', outTradeNo: 'WECHAT_ONLY', transactionId: '42WECHAT_ONLY', wechatFen: 100 },
        { kind: 'PAYMENT_AMOUNT_DIFFERS', outTradeNo: 'AMOUNT', wechatFen: 200, ourFen: 201 },
        { kind: 'PAID_HERE_ONLY', outTradeNo: 'HERE_ONLY', ourFen: 400 },
        // A revoked payment is money that went back: PAID here is a discrepancy.
        { kind: 'PAID_HERE_ONLY', outTradeNo: 'REVOKED', ourFen: 300 },
        { kind: 'REFUND_AT_WECHAT_ONLY', outTradeNo: 'AMOUNT', outRefundNo: 'R_WECHAT_ONLY', wechatFen: 50 },
        { kind: 'REFUND_AMOUNT_DIFFERS', outTradeNo: 'AMOUNT', outRefundNo: 'R_AMOUNT', wechatFen: 60, ourFen: 61 },
        { kind: 'REFUND_HERE_ONLY', outTradeNo: 'HERE_ONLY', outRefundNo: 'R_HERE_ONLY', ourFen: 70 },
      ]),
    );
    expect(diff.discrepancies).toHaveLength(7);
  });
});

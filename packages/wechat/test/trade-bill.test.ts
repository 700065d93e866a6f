import { describe, expect, it } from 'vitest';
import { WechatBillError, parseTradeBill, unitsToYuan, yuanToUnits } from '../src';

const HEADER_27 =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,' +
  '应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,' +
  '手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY_HEADER_27 =
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
const tick = (...values: string[]) => values.map((v) => `\`${v}`).join(',');

/** The detail row of WeChat's documented downloadbill sample (ALL bill, 27 columns). */
const DOCUMENTED_ROW = tick(
  '2022-03-21 13:51:31',
  'wxfdc955f7104ad557',
  '180023671',
  '176531292',
  '',
  '420000612032130748613220688',
  '2021WERUN1647840687637',
  'oZWaCKXip5njeEiloC4oeOV1TTsk',
  'JSAPI',
  'SUCCESS',
  'OTHERS',
  'CNY',
  '0.01',
  '0.00',
  '0',
  '0',
  '0.00',
  '0.00',
  '',
  '',
  '微信云托管支付测试',
  '',
  '0.00000',
  '0.90%',
  '0.01',
  '0.00',
  '',
);

describe('parseTradeBill', () => {
  it("reads WeChat's documented sample row and summary", () => {
    const bill = parseTradeBill(
      [
        HEADER_27,
        DOCUMENTED_ROW,
        SUMMARY_HEADER_27,
        tick('12', '0.06', '0.06', '0.00', '0.00000', '0.06', '0.06'),
      ].join('\r\n'),
    );
    expect(bill.rows).toEqual([
      {
        tradeTime: '2022-03-21 13:51:31',
        appId: 'wxfdc955f7104ad557',
        mchId: '180023671',
        transactionId: '420000612032130748613220688',
        outTradeNo: '2021WERUN1647840687637',
        openid: 'oZWaCKXip5njeEiloC4oeOV1TTsk',
        tradeType: 'JSAPI',
        tradeState: 'SUCCESS',
        bankType: 'OTHERS',
        currency: 'CNY',
        settlementFen: 1,
        couponFen: 0,
        refundId: '',
        outRefundNo: '',
        refundFen: 0,
        refundStatus: '',
        body: '微信云托管支付测试',
        attach: '',
        feeMilliFen: 0,
        feeRate: '0.90%',
        totalFen: 1,
      },
    ]);
    expect(bill.summary).toEqual({ count: 12, settlementTotalFen: 6, refundTotalFen: 6, feeTotalMilliFen: 0 });
  });

  it('reads a refund row and five-decimal fees, and the older 24-column layout by its column names', () => {
    const header24 =
      '交易时间,公众账号ID,商户号,子商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,' +
      '总金额,代金券或立减优惠金额,微信退款单号,商户退款单号,退款金额,代金券或立减优惠退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率';
    const paid = tick(
      '2026-12-01 10:00:00',
      'wxd930ea5d5a258f4f',
      '10000100',
      '',
      '',
      '4200000001',
      '20261201000001',
      'oUser',
      'NATIVE',
      'SUCCESS',
      'CFT',
      'CNY',
      '69.70',
      '0.00',
      '0',
      '0',
      '0.00',
      '0.00',
      '',
      '',
      '龙井',
      '',
      '0.41820',
      '0.60%',
    );
    const refund = tick(
      '2026-12-01 11:00:00',
      'wxd930ea5d5a258f4f',
      '10000100',
      '',
      '',
      '4200000001',
      '20261201000001',
      'oUser',
      'NATIVE',
      'REFUND',
      'CFT',
      'CNY',
      '0.00',
      '0.00',
      '5000001',
      'R20261201000001',
      '10.00',
      '0.00',
      'ORIGINAL',
      'SUCCESS',
      '龙井',
      '',
      '-0.06000',
      '0.60%',
    );
    const bill = parseTradeBill(
      [
        header24,
        paid,
        refund,
        '总交易单数,总交易额,总退款金额,总代金券或立减优惠退款金额,手续费总金额',
        tick('2', '69.70', '10.00', '0.00', '0.35820'),
      ].join('\n'),
    );
    expect(
      bill.rows.map((r) => [
        r.tradeState,
        r.settlementFen,
        r.totalFen,
        r.refundId,
        r.outRefundNo,
        r.refundFen,
        r.feeMilliFen,
      ]),
    ).toEqual([
      ['SUCCESS', 6970, 6970, '', '', 0, 41820],
      ['REFUND', 0, 0, '5000001', 'R20261201000001', 1000, -6000],
    ]);
    expect(bill.summary).toEqual({ count: 2, settlementTotalFen: 6970, refundTotalFen: 1000, feeTotalMilliFen: 35820 });
  });

  it('refuses what it cannot read exactly, naming the line', () => {
    const summary = [SUMMARY_HEADER_27, tick('1', '0.01', '0.00', '0.00', '0.00000', '0.01', '0.00')];
    const withRow = (row: string) => [HEADER_27, row, ...summary].join('\n');
    const cases: [string, number][] = [
      [withRow(DOCUMENTED_ROW.replace('`JSAPI', 'JSAPI')), 2], // a field lost its back-tick
      [withRow(DOCUMENTED_ROW.replace(',`OTHERS', '')), 2], // one field short
      [withRow(DOCUMENTED_ROW.replace('`0.01,`0.00,`0,', '`0.011,`0.00,`0,')), 2], // a third decimal of yuan
      [withRow(DOCUMENTED_ROW.replace('`0.01,`0.00,`0,', '`1e2,`0.00,`0,')), 2],
      [[HEADER_27.replace('商户订单号', '订单'), DOCUMENTED_ROW, ...summary].join('\n'), 1],
      [[HEADER_27, DOCUMENTED_ROW].join('\n'), 0], // no summary
      [[HEADER_27, DOCUMENTED_ROW, ...summary, DOCUMENTED_ROW].join('\n'), 0], // rows after the summary
      ['<xml><return_code>FAIL</return_code><return_msg>No Bill Exist</return_msg></xml>', 0],
    ];
    for (const [text, line] of cases) {
      const error = (() => {
        try {
          parseTradeBill(text);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(error, text.slice(0, 80)).toBeInstanceOf(WechatBillError);
      expect((error as WechatBillError).line).toBe(line);
    }
  });
});

describe('yuan ↔ fen', () => {
  it('converts exactly, without floating point', () => {
    expect(yuanToUnits('69.70', 2)).toBe(6970);
    expect(yuanToUnits('0.07', 2)).toBe(7);
    expect(yuanToUnits('1.1', 2)).toBe(110);
    expect(yuanToUnits('12', 2)).toBe(1200);
    expect(yuanToUnits('-0.06000', 5)).toBe(-6000);
    for (const bad of ['', '1.', '.5', '1,000.00', '0x10', '1.234', ' 1.00', 'NaN'])
      expect(yuanToUnits(bad, 2)).toBeUndefined();
    for (const fen of [0, 1, 7, 10, 99, 100, 6970, 123456789, -5])
      expect(yuanToUnits(unitsToYuan(fen, 2), 2)).toBe(fen);
    expect(unitsToYuan(7, 2)).toBe('0.07');
    expect(unitsToYuan(41820, 5)).toBe('0.41820');
  });
});

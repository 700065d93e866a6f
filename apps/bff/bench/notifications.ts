/** Genuine, signed v2 payment notifications for the bench's orders, as WeChat would POST them. */
import { DEFAULT_MERCHANT } from '@wxpay-shop/wechat-emulator';
import { buildXml, randomString, sign } from '@wxpay-shop/wechat';

export interface BenchOrder {
  outTradeNo: string;
  totalFen: number;
}

export function paymentNotification(order: BenchOrder, seq: number): string {
  const fields: Record<string, string> = {
    return_code: 'SUCCESS',
    appid: DEFAULT_MERCHANT.appId,
    mch_id: DEFAULT_MERCHANT.mchId,
    nonce_str: randomString(32),
    result_code: 'SUCCESS',
    openid: 'oBench000000000000000000000000',
    trade_type: 'NATIVE',
    bank_type: 'CFT',
    total_fee: String(order.totalFen),
    cash_fee: String(order.totalFen),
    fee_type: 'CNY',
    transaction_id: `4200${String(seq).padStart(24, '0')}`,
    out_trade_no: order.outTradeNo,
    time_end: '20261126120000',
  };
  return buildXml({ ...fields, sign: sign(fields, DEFAULT_MERCHANT.apiKey, 'MD5') });
}

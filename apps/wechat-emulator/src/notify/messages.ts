/** Notification bodies (§5.1 payment, §6 refund). Pure apart from the nonce. */
import { buildXml, encryptReqInfo, randomString, sign } from '@wxpay-shop/wechat';
import type { MerchantConfig } from '../config';
import { transactionFields } from '../pay/transaction-fields';
import type { Order } from '../pay/order';
import type { Refund } from '../pay/refund-record';

export function payNotifyXml(order: Order, merchant: MerchantConfig): string {
  // Only v2 orders get XML notifications; their sign type is never RSA.
  const signType = order.signType === 'RSA' ? 'MD5' : order.signType;
  const fields = {
    appid: order.appId,
    mch_id: order.mchId,
    nonce_str: randomString(32),
    // Only HMAC merchants see sign_type; MD5 is the documented default when absent.
    sign_type: signType === 'HMAC-SHA256' ? 'HMAC-SHA256' : undefined,
    result_code: 'SUCCESS',
    return_code: 'SUCCESS',
    ...transactionFields(order),
  };
  return buildXml({ ...fields, sign: sign(fields, merchant.apiKey, signType) });
}

export function refundNotifyXml(refund: Refund, merchant: MerchantConfig): string {
  const inner = buildXml(
    {
      transaction_id: refund.transactionId,
      out_trade_no: refund.outTradeNo,
      refund_id: refund.refundId,
      out_refund_no: refund.outRefundNo,
      total_fee: refund.totalFee,
      settlement_total_fee: refund.totalFee,
      refund_fee: refund.refundFee,
      settlement_refund_fee: refund.refundFee,
      refund_status: refund.status,
      success_time: refund.successTime,
      refund_recv_accout: '支付用户零钱',
      refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
      refund_request_source: 'API',
    },
    'root',
  );
  // No sign: authenticity comes from decrypting req_info with the merchant key.
  return buildXml({
    return_code: 'SUCCESS',
    appid: refund.appId,
    mch_id: refund.mchId,
    nonce_str: randomString(32),
    req_info: encryptReqInfo(inner, merchant.apiKey),
  });
}

/** A body that still looks like XML but does not parse, for the `malformed` fault. */
export function malformXml(xml: string): string {
  return xml.slice(0, Math.floor(xml.length / 2));
}

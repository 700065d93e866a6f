/** Genuine payment notifications for the bench's orders, as WeChat would POST them: v2 signed XML, v3 signed JSON. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MERCHANT, WECHATPAY_PUBLIC_KEY_ID } from '@wxpay-shop/wechat-emulator';
import {
  buildXml,
  encryptResource,
  loadPrivateKey,
  randomString,
  sign,
  signWechatpayHeaders,
  wechatpayHeaderFields,
} from '@wxpay-shop/wechat';

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

const certs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../wechat-emulator/certs');
/** The emulator's WeChat Pay public-key signing key (public test material in its certs folder). */
const wechatpayKey = loadPrivateKey(readFileSync(path.join(certs, 'wechatpay-public-key-private.pem')));

/** A v3 transaction as the notification's resource carries it. */
function transaction(order: BenchOrder, seq: number): object {
  return {
    appid: DEFAULT_MERCHANT.appId,
    mchid: DEFAULT_MERCHANT.mchId,
    out_trade_no: order.outTradeNo,
    transaction_id: `4200${String(seq).padStart(24, '0')}`,
    trade_type: 'NATIVE',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: '2026-11-26T12:00:00+08:00',
    payer: { openid: 'oBench000000000000000000000000' },
    amount: { total: order.totalFen, payer_total: order.totalFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/** Genuine v3 payment notifications: the envelope (resource AES-GCM-encrypted) and its Wechatpay-* headers. */
export function paymentNotificationV3(
  order: BenchOrder,
  seq: number,
): { body: string; headers: Record<string, string> } {
  const nonce = randomString(12);
  const body = JSON.stringify({
    id: `EV-bench-${seq}`,
    create_time: '2026-11-26T12:00:01+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptResource(
        JSON.stringify(transaction(order, seq)),
        DEFAULT_MERCHANT.apiV3Key,
        nonce,
        'transaction',
      ),
      associated_data: 'transaction',
      nonce,
    },
  });
  const signed = signWechatpayHeaders(body, wechatpayKey, WECHATPAY_PUBLIC_KEY_ID);
  return { body, headers: { 'Content-Type': 'application/json', ...wechatpayHeaderFields(signed) } };
}

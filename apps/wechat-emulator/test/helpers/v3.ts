/** API v3 test set-up: the shop's real v3 gateway (packages/wechat) pointed at a started emulator. */
import { X509Certificate } from 'node:crypto';
import { buildAuthorization, loadPrivateKey, PayV3Gateway, type PayV3Options } from '@wxpay-shop/wechat';
import type { Emulator } from '../../src/index';
import { M } from './emulator';

export const API_V3_KEY = M.apiV3Key;

export function merchantSerial(emulator: Emulator): string {
  return new X509Certificate(emulator.certs.merchantCert).serialNumber;
}

/** mode: which keys the shop trusts (public key, platform certificates, or both). */
export function gateway(
  emulator: Emulator,
  mode: 'public-key' | 'platform-certificate' | 'both',
  extra: Partial<PayV3Options> = {},
): PayV3Gateway {
  return new PayV3Gateway({
    appId: M.appId,
    mchId: M.mchId,
    merchantSerialNo: merchantSerial(emulator),
    merchantPrivateKey: emulator.certs.merchantKey,
    apiV3Key: API_V3_KEY,
    baseUrl: emulator.httpUrl,
    retries: 0,
    ...(mode !== 'platform-certificate'
      ? { wechatpayPublicKey: { id: emulator.certs.wechatpayPublicKeyId, key: emulator.certs.wechatpayPublicKey } }
      : {}),
    ...(mode !== 'public-key' ? { platformCertificates: true } : {}),
    ...extra,
  });
}

/** A raw signed v3 call (status, headers and JSON as the emulator sent them). */
export async function v3Call(
  emulator: Emulator,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  auth: { key?: string; serial?: string; timestamp?: string } = {},
) {
  const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const authorization = buildAuthorization({
    mchId: M.mchId,
    serialNo: auth.serial ?? merchantSerial(emulator),
    privateKey: loadPrivateKey(auth.key ?? emulator.certs.merchantKey),
    method,
    url: path,
    body: payload,
    timestamp: auth.timestamp,
  });
  const res = await fetch(`${emulator.httpUrl}${path}`, {
    method,
    headers: {
      Authorization: authorization,
      Accept: 'application/json',
      ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
    },
    body: method === 'POST' ? payload : undefined,
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions reach into nested detail
    json: text ? (JSON.parse(text) as Record<string, any>) : undefined,
  };
}

export function jsapiBody(outTradeNo: string, notifyUrl: string, extra: Record<string, unknown> = {}) {
  return {
    appid: M.appId,
    mchid: M.mchId,
    description: '测试商城-商品',
    out_trade_no: outTradeNo,
    notify_url: notifyUrl,
    amount: { total: 101, currency: 'CNY' },
    payer: { openid: undefined as string | undefined },
    ...extra,
  };
}

/** v3 JSAPI pay params for `getBrandWCPayRequest`: `signType: "RSA"`, four-line paySign (协议 §10.6). Pure. */
import type { KeyObject } from 'node:crypto';
import { jsapiUnsignedFields } from '../../jsapi';
import { rsaSign, rsaVerify } from './rsa';

export interface JsapiRsaPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export interface JsapiRsaPayInput {
  appId: string;
  /** Bare prepay_id from /v3/pay/transactions/jsapi. */
  prepayId: string;
  /** The merchant API private key (the one that signs requests). */
  privateKey: KeyObject;
  timeStamp?: string;
  nonceStr?: string;
}

/** appId, timeStamp, nonceStr, package — each ending in LF; signType is not signed. */
export function jsapiPayMessage(p: { appId: string; timeStamp: string; nonceStr: string; package: string }): string {
  return `${p.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
}

/** Throws on input the page could not pay with (the same rules as the v2 builder). */
export function buildJsapiRsaPayParams(input: JsapiRsaPayInput): JsapiRsaPayParams {
  const unsigned = jsapiUnsignedFields(input);
  return { ...unsigned, signType: 'RSA', paySign: rsaSign(jsapiPayMessage(unsigned), input.privateKey) };
}

/** WeChat's (and the emulator bridge's) check, with the merchant certificate's public key. */
export function verifyJsapiRsaPayParams(
  params: Readonly<{ [K in keyof JsapiRsaPayParams]?: unknown }>,
  merchantPublicKey: KeyObject,
): boolean {
  const { appId, timeStamp, nonceStr, package: pkg, signType, paySign } = params;
  if (signType !== 'RSA') return false;
  if (![appId, timeStamp, nonceStr, pkg, paySign].every((v) => typeof v === 'string' && v !== '')) return false;
  const fields = { appId, timeStamp, nonceStr, package: pkg } as Parameters<typeof jsapiPayMessage>[0];
  return rsaVerify(jsapiPayMessage(fields), paySign as string, merchantPublicKey);
}

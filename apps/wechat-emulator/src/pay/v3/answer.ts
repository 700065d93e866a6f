/**
 * What every v3 endpoint shares: the merchant's request signature check (协议 §10.2) and the signed
 * JSON answer with WeChat's status codes and `{code, message, detail}` errors (§10.4).
 */
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_MAX_CLOCK_SKEW_SECONDS,
  parseAuthorization,
  requestMessage,
  verifyAuthorization,
  wechatpayHeaderFields,
} from '@wxpay-shop/wechat';
import type { Context } from 'koa';
import type { MerchantConfig, V3KeyMode } from '../../config';
import type { Deps } from '../../deps';
import type { SignatureSpoiler, V3Keys } from './keys';

/** A v3 answer before signing: a status and a JSON body (none for 204). */
export interface V3Answer {
  status: number;
  json?: Record<string, unknown>;
}

export const answer = (status: number, json?: Record<string, unknown>): V3Answer => ({ status, json });

export function v3Error(status: number, code: string, message: string, detail?: Record<string, unknown>): V3Answer {
  return answer(status, { code, message, ...(detail ? { detail } : {}) });
}

/** 400 PARAM_ERROR naming the field, the way WeChat's schema check words it. */
export function paramError(field: string, issue: string, value?: unknown, location = 'body'): V3Answer {
  const message = `输入源“/${location}/${field}”映射到字段“${field}”校验失败：${issue}`;
  return v3Error(400, 'PARAM_ERROR', message, { field, location, issue, ...(value !== undefined ? { value } : {}) });
}

export type SignatureCheck =
  { ok: true; merchant: MerchantConfig } | { ok: false; answer: V3Answer; merchant?: MerchantConfig };

const FORMAT_MESSAGE = 'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》';

/**
 * Checks `Authorization` against the merchant's registered API certificate: mchid known and on v3,
 * serial_no that certificate's, timestamp within ±5 minutes, signature over the request as received.
 */
export function checkRequestSignature(
  request: { method: string; url: string; body: string; authorization: string | undefined },
  deps: Deps,
  keys: V3Keys,
  now = Date.now(),
): SignatureCheck {
  const params = parseAuthorization(request.authorization);
  if (!params) return { ok: false, answer: v3Error(401, 'SIGN_ERROR', FORMAT_MESSAGE) };
  const merchant = deps.merchants.byMchId(params.mchid);
  if (!merchant) return { ok: false, answer: v3Error(400, 'MCH_NOT_EXISTS', '商户号不存在') };
  if (!merchant.apiV3Key) {
    return { ok: false, merchant, answer: v3Error(403, 'NO_AUTH', '商户未设置APIv3密钥，无法使用API v3') };
  }
  const cert = keys.merchantCert(merchant.mchId);
  if (params.serial_no.toUpperCase().replace(/^0+(?=.)/, '') !== cert.serialNo) {
    const message = '商户证书序列号有误。请使用签名私钥匹配的证书序列号';
    return { ok: false, merchant, answer: v3Error(401, 'SIGN_ERROR', message, { serial_no: params.serial_no }) };
  }
  const seconds = Number(params.timestamp);
  if (!/^\d{1,11}$/.test(params.timestamp) || Math.abs(now / 1000 - seconds) > DEFAULT_MAX_CLOCK_SKEW_SECONDS) {
    return {
      ok: false,
      merchant,
      answer: v3Error(401, 'SIGN_ERROR', '请求的时间戳与系统时间相差超过5分钟，请检查时钟'),
    };
  }
  if (!verifyAuthorization(params, request, cert.publicKey)) {
    // WeChat echoes what it reconstructed, so a merchant can diff it against what it signed.
    const message = requestMessage(request.method, request.url, params.timestamp, params.nonce_str, request.body);
    const signInformation = {
      method: request.method,
      url: request.url,
      truncated_sign_message: message.length > 120 ? `${message.slice(0, 120)}…` : message,
      sign_message_length: Buffer.byteLength(message, 'utf8'),
    };
    const detail = {
      detail: { issue: 'sign not match' },
      field: 'signature',
      location: 'authorization',
      sign_information: signInformation,
    };
    return { ok: false, merchant, answer: v3Error(401, 'SIGN_ERROR', '错误的签名，验签失败', detail) };
  }
  return { ok: true, merchant };
}

/** Sends an answer signed for this merchant (every answer, 204 included); `spoiler` spoils the signature. */
export function sendAnswer(
  ctx: Context,
  reply: V3Answer,
  keys: V3Keys,
  merchant: MerchantConfig | undefined,
  spoiler?: SignatureSpoiler,
  mode?: V3KeyMode,
): void {
  const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
  ctx.status = reply.status;
  ctx.set('Request-ID', randomUUID());
  ctx.set(wechatpayHeaderFields(keys.sign(body, merchant, spoiler, mode)));
  if (reply.json === undefined) {
    ctx.body = null;
    return;
  }
  ctx.type = 'application/json; charset=utf-8';
  // A string, so the bytes sent are exactly the bytes signed.
  ctx.body = body;
}

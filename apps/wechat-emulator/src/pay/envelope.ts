/**
 * The protocol layer every v2 API shares: body → fields → merchant → sign check,
 * and the signed reply. Pure apart from the random nonce.
 */
import {
  buildXml,
  parseXml,
  randomString,
  sign,
  signTypeOf,
  verify,
  WechatXmlError,
  type SignType,
} from '@wxpay-shop/wechat';
import type { MerchantConfig } from '../config';
import type { MerchantDirectory } from '../merchants';

type Fields = Record<string, string>;
export type OutFields = Record<string, string | number | undefined>;

export interface PayRequest {
  fields: Fields;
  merchant: MerchantConfig;
  signType: SignType;
}

/** return_code=FAIL (unsigned), business FAIL (signed) or SUCCESS (signed). */
export type PayReply =
  | { kind: 'fail'; returnMsg: string }
  | { kind: 'bizfail'; errCode: string; errCodeDes: string; fields?: OutFields }
  | { kind: 'ok'; fields: OutFields };

export const fail = (returnMsg: string): PayReply => ({ kind: 'fail', returnMsg });
export const bizFail = (errCode: string, errCodeDes: string, fields?: OutFields): PayReply => ({
  kind: 'bizfail',
  errCode,
  errCodeDes,
  fields,
});
export const ok = (fields: OutFields): PayReply => ({ kind: 'ok', fields });

type EnvelopeResult = { ok: true; request: PayRequest } | { ok: false; reply: PayReply; request?: PayRequest };

/** ignoreBOM keeps a BOM in the text, so parseXml sees the same bytes (size limit) and strips it itself. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export async function openEnvelope(body: Buffer, merchants: MerchantDirectory): Promise<EnvelopeResult> {
  if (body.length === 0) return { ok: false, reply: fail('POST_DATA_EMPTY') };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, reply: fail('NOT_UTF8') };
  }
  let fields: Fields;
  try {
    fields = await parseXml(text);
  } catch (err) {
    // A foreign root hides every field; WeChat then complains about the first one it looks for.
    if (err instanceof WechatXmlError && err.reason === 'BAD_ROOT')
      return { ok: false, reply: fail('mch_id参数格式错误') };
    return { ok: false, reply: fail('XML_FORMAT_ERROR') };
  }
  const mchId = fields.mch_id;
  if (!mchId) return { ok: false, reply: fail('mch_id参数格式错误') };
  const merchant = merchants.byMchId(mchId);
  // Without a known merchant there is no key to sign a business reply with.
  if (!merchant) return { ok: false, reply: fail('商户号mch_id不存在(MCHID_NOT_EXIST)') };
  const signType = signTypeOf(fields);
  if (!signType) return { ok: false, reply: fail('签名类型不支持') };
  // verify() fails a missing or empty sign.
  if (!verify(fields, merchant.apiKey, signType)) return { ok: false, reply: fail('签名错误') };

  const request: PayRequest = { fields, merchant, signType };
  const appId = fields.appid;
  if (!appId) return { ok: false, request, reply: bizFail('LACK_PARAMS', '缺少参数appid') };
  if (!merchants.isBound(appId, mchId)) {
    return merchants.byAppId(appId)
      ? { ok: false, request, reply: bizFail('APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配') }
      : { ok: false, request, reply: bizFail('APPID_NOT_EXIST', 'appid不存在') };
  }
  if (!fields.nonce_str) return { ok: false, request, reply: bizFail('LACK_PARAMS', '缺少参数nonce_str') };
  if (fields.nonce_str.length > 32)
    return { ok: false, request, reply: bizFail('INVALID_REQUEST', 'nonce_str长度不能超过32') };
  return { ok: true, request };
}

/**
 * Serialises a reply. SUCCESS-level replies carry appid/mch_id/fresh nonce and a sign over every
 * emitted field, computed with the request's sign type (WeChat does the same).
 */
export function renderReply(reply: PayReply, request: PayRequest | undefined): string {
  if (reply.kind === 'fail' || !request) {
    return buildXml({ return_code: 'FAIL', return_msg: reply.kind === 'fail' ? reply.returnMsg : 'SYSTEMERROR' });
  }
  const out: OutFields = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: request.fields.appid,
    mch_id: request.merchant.mchId,
    nonce_str: randomString(32),
    ...(reply.kind === 'ok'
      ? { result_code: 'SUCCESS', ...reply.fields }
      : { result_code: 'FAIL', err_code: reply.errCode, err_code_des: reply.errCodeDes, ...reply.fields }),
  };
  return buildXml({ ...out, sign: sign(out, request.merchant.apiKey, request.signType) });
}

/** A reply whose sign is wrong, for the `badsign` fault (the BFF must reject it). */
export function corruptSign(xml: string): string {
  return xml.replace(
    /<sign><!\[CDATA\[([0-9A-F])/,
    (_m, first: string) => `<sign><![CDATA[${first === '0' ? '1' : '0'}`,
  );
}

/**
 * Reading Pay v2 answers: the envelope check (协议规则: return_code first, then sign + merchant, then
 * result_code) and each call's typed result. Pure; every failure is a `WechatError` with source 'upstream'.
 */
import {
  WechatPayBusinessError,
  WechatPayCommunicationError,
  WechatPayResponseError,
  WechatSignatureError,
} from '../../errors';
import { optionalField, parseNonNegativeInt } from '../../fields';
import { verify, type SignType } from '../../sign';
import type { FlatXml } from '../../xml';
import {
  REFUND_STATUSES,
  TRADE_STATES,
  type OrderQueryBy,
  type OrderQueryResult,
  type RefundInput,
  type RefundQueryItem,
  type RefundResult,
  type UnifiedOrderInput,
  type UnifiedOrderResult,
} from './types';

export interface Merchant {
  appId: string;
  mchId: string;
  apiKey: string;
  signType: SignType;
}

/** Returns the fields of a SUCCESS/SUCCESS answer signed by WeChat for this merchant; throws otherwise. */
export function checkEnvelope(fields: FlatXml, merchant: Merchant): FlatXml {
  if (fields.return_code !== 'SUCCESS') {
    const fallback = fields.return_code ? 'FAIL' : 'response has no return_code';
    throw new WechatPayCommunicationError(fields.return_msg || fields.retmsg || fallback);
  }
  if (!verify(fields, merchant.apiKey, merchant.signType)) {
    throw new WechatSignatureError('response sign does not verify', 'upstream');
  }
  if (fields.appid !== merchant.appId || fields.mch_id !== merchant.mchId) {
    throw new WechatSignatureError('response appid/mch_id is not ours', 'upstream');
  }
  if (fields.result_code !== 'SUCCESS') {
    throw new WechatPayBusinessError(fields.err_code || 'UNKNOWN', fields.err_code_des || fields.result_msg || '');
  }
  return fields;
}

/** For a verified SUCCESS reply only: WeChat accepted the request, so this is never a refusal. */
function malformed(what: string): WechatPayResponseError {
  return new WechatPayResponseError(`malformed response: ${what}; WeChat answered SUCCESS, the outcome is unknown`);
}

function requireResponseField(fields: FlatXml, name: string): string {
  const value = optionalField(fields, name);
  if (value === undefined) throw malformed(`missing ${name}`);
  return value;
}

function optionalAmount(fields: FlatXml, name: string): number | undefined {
  const value = optionalField(fields, name);
  if (value === undefined) return undefined;
  const n = parseNonNegativeInt(value);
  if (n === null) throw malformed(`${name} is not an integer`);
  return n;
}

export function readUnifiedOrderResult(fields: FlatXml, input: UnifiedOrderInput): UnifiedOrderResult {
  const result: UnifiedOrderResult = {
    prepayId: requireResponseField(fields, 'prepay_id'),
    tradeType: optionalField(fields, 'trade_type') ?? input.tradeType,
    raw: fields,
  };
  const codeUrl = optionalField(fields, 'code_url');
  if (codeUrl !== undefined) result.codeUrl = codeUrl;
  else if (input.tradeType === 'NATIVE') throw malformed('missing code_url');
  const mwebUrl = optionalField(fields, 'mweb_url');
  if (mwebUrl !== undefined) result.mwebUrl = mwebUrl;
  else if (input.tradeType === 'MWEB') throw malformed('missing mweb_url');
  return result;
}

export function readOrderQueryResult(fields: FlatXml, by: OrderQueryBy): OrderQueryResult {
  const tradeStateField = requireResponseField(fields, 'trade_state');
  const result: OrderQueryResult = {
    tradeState: TRADE_STATES.find((s) => s === tradeStateField) ?? 'UNKNOWN',
    tradeStateDesc: fields.trade_state_desc ?? '',
    outTradeNo: requireResponseField(fields, 'out_trade_no'),
    raw: fields,
  };
  // A signed answer about another order (e.g. a replayed one) must not settle this one.
  if ('outTradeNo' in by && result.outTradeNo !== by.outTradeNo) throw malformed('out_trade_no is not the one queried');
  const transactionId = optionalField(fields, 'transaction_id');
  if ('transactionId' in by && transactionId !== undefined && transactionId !== by.transactionId) {
    throw malformed('transaction_id is not the one queried');
  }
  if (transactionId !== undefined) result.transactionId = transactionId;
  const totalFee = optionalAmount(fields, 'total_fee');
  if (totalFee !== undefined) result.totalFee = totalFee;
  const cashFee = optionalAmount(fields, 'cash_fee');
  if (cashFee !== undefined) result.cashFee = cashFee;
  const openid = optionalField(fields, 'openid');
  if (openid !== undefined) result.openid = openid;
  const timeEnd = optionalField(fields, 'time_end');
  if (timeEnd !== undefined) result.timeEnd = timeEnd;
  return result;
}

export function readRefundResult(fields: FlatXml, input: RefundInput): RefundResult {
  const refundFee = optionalAmount(fields, 'refund_fee');
  if (refundFee === undefined) throw malformed('missing refund_fee');
  const outRefundNo = requireResponseField(fields, 'out_refund_no');
  if (outRefundNo !== input.outRefundNo) throw malformed('out_refund_no is not the one requested');
  return {
    refundId: requireResponseField(fields, 'refund_id'),
    outRefundNo,
    refundFee,
    raw: fields,
  };
}

/** refund_count entries of `out_refund_no_$n`, `refund_id_$n`, `refund_fee_$n`, `refund_status_$n` (0-based). */
export function parseRefundList(fields: FlatXml): RefundQueryItem[] {
  const count = parseNonNegativeInt(fields.refund_count);
  if (count === null) throw malformed('refund_count is not an integer');
  const refunds: RefundQueryItem[] = [];
  for (let n = 0; n < count; n++) {
    const statusField = requireResponseField(fields, `refund_status_${n}`);
    // A status added after this client was written must not make the whole answer unusable.
    const status = REFUND_STATUSES.find((s) => s === statusField);
    const refundFee = optionalAmount(fields, `refund_fee_${n}`);
    if (refundFee === undefined) throw malformed(`missing refund_fee_${n}`);
    refunds.push({
      outRefundNo: requireResponseField(fields, `out_refund_no_${n}`),
      refundId: requireResponseField(fields, `refund_id_${n}`),
      refundFee,
      ...(status === undefined ? { status: 'UNKNOWN' as const, rawStatus: statusField } : { status }),
    });
  }
  return refunds;
}

/** `POST /v3/refund/domestic/refunds` and its query (协议 §10.4), over the same refunds as v2. */
import type { MerchantConfig } from '../../config';
import type { Deps } from '../../deps';
import { applyRefund, type RefundRefusal } from '../refund-core';
import { notifyUrlProblem, OUT_REFUND_NO, OUT_TRADE_NO } from '../rules';
import { answer, paramError, v3Error, type V3Answer } from './answer';
import { fail, fenAt, objectAt, stringAt, type Json } from './fields';
import { refundJson } from './resources';

const REFUSALS: Record<RefundRefusal, () => V3Answer> = {
  NOT_PAID: () => v3Error(404, 'RESOURCE_NOT_EXISTS', '订单不存在或未支付'),
  OTHER_ORDER: () => v3Error(400, 'INVALID_REQUEST', 'out_refund_no已用于其他订单'),
  MISMATCH: () => v3Error(400, 'INVALID_REQUEST', '订单金额或退款金额与之前请求不一致，请核实后再试'),
  TOO_MANY: () => v3Error(403, 'RULE_LIMIT', '退款次数超过限制(50次)'),
  FULLY_REFUNDED: () => v3Error(400, 'INVALID_REQUEST', '订单已全额退款'),
  EXCEEDS: () => v3Error(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额'),
};

export function createRefund(body: Json, merchant: MerchantConfig, deps: Deps, now = Date.now()): V3Answer {
  const transactionId = stringAt(body, 'transaction_id', false, 32);
  const outTradeNo = stringAt(body, 'out_trade_no', false, 32);
  if (!transactionId && !outTradeNo) return paramError('out_trade_no', 'transaction_id与out_trade_no不能同时为空');
  if (outTradeNo !== undefined && !OUT_TRADE_NO.test(outTradeNo)) fail('out_trade_no', '格式错误', outTradeNo);
  const outRefundNo = stringAt(body, 'out_refund_no', true, 64)!;
  if (!OUT_REFUND_NO.test(outRefundNo)) fail('out_refund_no', '应为1-64位数字、大小写字母、_-|*@', outRefundNo);
  const reason = stringAt(body, 'reason', false, 80);
  const notifyUrl = stringAt(body, 'notify_url', false, 255);
  const urlProblem = notifyUrl === undefined ? null : notifyUrlProblem(notifyUrl);
  if (urlProblem) fail('notify_url', urlProblem, notifyUrl);
  const amount = objectAt(body, 'amount', true)!;
  if (amount.currency !== 'CNY') fail('amount.currency', '此字段为必填项，仅支持CNY', amount.currency);
  const totalFee = fenAt(amount, 'amount.total');
  const refundFee = fenAt(amount, 'amount.refund');
  if (refundFee > totalFee) fail('amount.refund', '退款金额不能大于订单金额', refundFee);
  const result = applyRefund(
    {
      api: 'v3',
      mchId: merchant.mchId,
      transactionId,
      outTradeNo,
      outRefundNo,
      totalFee,
      refundFee,
      reason,
      notifyUrl,
    },
    deps,
    now,
  );
  return 'refund' in result ? answer(200, refundJson(result.refund)) : REFUSALS[result.refusal]();
}

export function queryRefund(outRefundNo: string, merchant: MerchantConfig, deps: Deps): V3Answer {
  const refund = [...deps.state.refunds.values()].find(
    (r) => r.mchId === merchant.mchId && r.outRefundNo === outRefundNo,
  );
  return refund ? answer(200, refundJson(refund)) : v3Error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
}

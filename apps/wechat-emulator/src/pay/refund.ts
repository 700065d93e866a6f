/** `POST /secapi/pay/refund` and `POST /pay/refundquery` (§4.3, §4.4). */
import { parseNonNegativeInt } from '@wxpay-shop/wechat';
import type { Deps } from '../deps';
import type { Order } from './order';
import type { Refund } from './refund-record';
import { bizFail, fail, ok, type OutFields, type PayReply, type PayRequest } from './envelope';
import { applyRefund, type RefundRefusal } from './refund-core';
import { notifyUrlProblem, OUT_REFUND_NO, positiveFen, tooLong } from './rules';

const PAGE_SIZE = 10;

function refundReply(refund: Refund): PayReply {
  return ok({
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_fee: refund.refundFee,
    total_fee: refund.totalFee,
    fee_type: 'CNY',
    cash_fee: refund.totalFee,
    cash_refund_fee: refund.refundFee,
  });
}

/** WeChat's answer both to a total_fee unlike the order's and to an out_refund_no re-sent with other amounts. */
const amountMismatch = (): PayReply =>
  bizFail('REFUND_FEE_MISMATCH', '订单金额或退款金额与之前请求不一致，请核实后再试');

export function checkRefund(req: PayRequest): PayReply | null {
  const f = req.fields;
  if (!f.transaction_id && !f.out_trade_no) return bizFail('LACK_PARAMS', 'out_trade_no与transaction_id不能同时为空');
  for (const name of ['out_refund_no', 'total_fee', 'refund_fee'] as const)
    if (!f[name]) return bizFail('LACK_PARAMS', `缺少参数${name}`);
  if (!OUT_REFUND_NO.test(f.out_refund_no!)) return bizFail('PARAM_ERROR', 'out_refund_no参数格式错误');
  const totalFee = positiveFen(f.total_fee);
  const refundFee = positiveFen(f.refund_fee);
  // Observed: amount problems visible in the request alone are protocol-level (return_code=FAIL).
  if (totalFee === null) return fail('invalid total_fee');
  if (refundFee === null || refundFee > totalFee) return fail('invalid refund_fee');
  if (f.refund_fee_type && f.refund_fee_type !== 'CNY') return bizFail('PARAM_ERROR', 'refund_fee_type参数格式错误');
  if (tooLong(f.refund_desc, 80)) return bizFail('PARAM_ERROR', 'refund_desc长度不能超过80');
  if (f.notify_url) {
    const problem = notifyUrlProblem(f.notify_url);
    if (problem) return bizFail('PARAM_ERROR', problem);
  }
  return null;
}

const REFUSALS: Record<RefundRefusal, () => PayReply> = {
  NOT_PAID: () => bizFail('ORDERNOTEXIST', '订单不存在或未支付'),
  OTHER_ORDER: () => bizFail('INVALID_REQUEST', 'out_refund_no已用于其他订单'),
  MISMATCH: amountMismatch,
  TOO_MANY: () => bizFail('ERROR', '退款次数超过限制(50次)'),
  // Observed err_code/err_code_des pairs of WeChat's refund API.
  FULLY_REFUNDED: () => bizFail('ERROR', '订单已全额退款'),
  EXCEEDS: () => bizFail('INVALID_REQUEST', 'refund_fee大于可退金额'),
};

/** Only for a request checkRefund() accepted. */
export function refund(req: PayRequest, deps: Deps, now = Date.now()): PayReply {
  const f = req.fields;
  const result = applyRefund(
    {
      api: 'v2',
      mchId: req.merchant.mchId,
      transactionId: f.transaction_id,
      outTradeNo: f.out_trade_no,
      outRefundNo: f.out_refund_no!,
      totalFee: positiveFen(f.total_fee)!,
      refundFee: positiveFen(f.refund_fee)!,
      reason: f.refund_desc,
      notifyUrl: f.notify_url,
    },
    deps,
    now,
  );
  return 'refund' in result ? refundReply(result.refund) : REFUSALS[result.refusal]();
}

export function checkRefundQuery(req: PayRequest): PayReply | null {
  const f = req.fields;
  if (!f.refund_id && !f.out_refund_no && !f.transaction_id && !f.out_trade_no) {
    return bizFail('LACK_PARAMS', 'refund_id、out_refund_no、transaction_id、out_trade_no至少填一个');
  }
  return !f.offset || parseNonNegativeInt(f.offset) !== null ? null : bizFail('PARAM_ERROR', 'offset参数错误');
}

export function refundQuery(req: PayRequest, deps: Deps): PayReply {
  const f = req.fields;
  const mine = [...deps.state.refunds.values()].filter((r) => r.mchId === req.merchant.mchId);
  let order: Order | undefined;
  let refunds: Refund[];
  // Priority: refund_id > out_refund_no > transaction_id > out_trade_no (doc).
  if (f.refund_id || f.out_refund_no) {
    const one = mine.find((r) => (f.refund_id ? r.refundId === f.refund_id : r.outRefundNo === f.out_refund_no));
    if (!one) return bizFail('REFUNDNOTEXIST', '退款订单查询失败');
    order = deps.state.findOrder(one.mchId, one.outTradeNo);
    refunds = [one];
  } else {
    order = deps.state.findOrderByIds(req.merchant.mchId, {
      transactionId: f.transaction_id,
      outTradeNo: f.out_trade_no,
    });
    refunds = order ? deps.state.refundsOf(order) : [];
    if (refunds.length === 0) return bizFail('REFUNDNOTEXIST', '退款订单查询失败');
  }
  if (!order) return bizFail('REFUNDNOTEXIST', '退款订单查询失败');
  const offset = f.offset ? parseNonNegativeInt(f.offset)! : 0;
  if (offset > 0 && offset >= refunds.length) return bizFail('PARAM_ERROR', 'offset参数错误');
  const page = refunds.slice(offset, offset + PAGE_SIZE);
  const fields: OutFields = {
    transaction_id: order.transactionId,
    out_trade_no: order.outTradeNo,
    total_fee: order.totalFee,
    fee_type: order.feeType,
    cash_fee: order.totalFee,
    refund_count: page.length,
    total_refund_count: refunds.length,
  };
  page.forEach((r, n) => {
    Object.assign(fields, {
      [`out_refund_no_${n}`]: r.outRefundNo,
      [`refund_id_${n}`]: r.refundId,
      [`refund_channel_${n}`]: 'ORIGINAL',
      [`refund_fee_${n}`]: r.refundFee,
      [`settlement_refund_fee_${n}`]: r.refundFee,
      [`refund_status_${n}`]: r.status,
      [`refund_account_${n}`]: 'REFUND_SOURCE_UNSETTLED_FUNDS',
      [`refund_recv_accout_${n}`]: '支付用户零钱',
      [`refund_success_time_${n}`]: r.successTime,
    });
  });
  return ok(fields);
}

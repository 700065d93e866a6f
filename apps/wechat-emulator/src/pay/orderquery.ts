/** `POST /pay/orderquery` and `POST /pay/closeorder` (§4.1, §4.2). */
import type { Deps } from '../deps';
import { isPaid, type TradeState } from './order';
import { bizFail, ok, type PayReply, type PayRequest } from './envelope';
import { transactionFields } from './transaction-fields';

const STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '订单未支付',
  USERPAYING: '用户支付中',
  PAYERROR: '支付失败(其他原因，如银行返回失败)',
  SUCCESS: '支付成功',
  REFUND: '订单发生过退款',
  CLOSED: '订单已关闭',
};

export function checkOrderQuery(req: PayRequest): PayReply | null {
  return !req.fields.transaction_id && !req.fields.out_trade_no
    ? bizFail('LACK_PARAMS', 'out_trade_no与transaction_id不能同时为空')
    : null;
}

export function orderQuery(req: PayRequest, deps: Deps): PayReply {
  const order = deps.state.findOrderByIds(req.merchant.mchId, {
    transactionId: req.fields.transaction_id,
    outTradeNo: req.fields.out_trade_no,
  });
  // Orders are scoped to the merchant; another appid of the same mch_id still finds it, like WeChat.
  if (!order) return bizFail('ORDERNOTEXIST', '订单不存在');
  return ok({
    trade_state: order.state,
    trade_state_desc: STATE_DESC[order.state],
    ...(isPaid(order) ? transactionFields(order) : { out_trade_no: order.outTradeNo, attach: order.attach }),
  });
}

export function checkCloseOrder(req: PayRequest): PayReply | null {
  return req.fields.out_trade_no ? null : bizFail('LACK_PARAMS', '缺少参数out_trade_no');
}

export function closeOrder(req: PayRequest, deps: Deps, now = Date.now()): PayReply {
  const order = deps.state.findOrder(req.merchant.mchId, req.fields.out_trade_no!);
  if (!order) return bizFail('ORDERNOTEXIST', '订单不存在');
  if (isPaid(order)) return bizFail('ORDERPAID', '订单已支付，不能发起关单');
  if (order.state === 'CLOSED') return bizFail('ORDERCLOSED', '订单已关闭，无需重复关闭');
  order.state = 'CLOSED';
  order.closedAt = now;
  deps.state.settleOpenTickets(order, 'cancelled');
  deps.log(`closeorder ${order.mchId}/${order.outTradeNo}`);
  return ok({ result_msg: 'OK' });
}

/** The user paying: NOTPAY → SUCCESS, then the notification starts. */
import { beijingTime, parseBeijingTime } from '@wxpay-shop/wechat';
import type { Deps } from '../deps';
import { newTransactionId } from '../ids';
import { isPaid, type Order } from './order';
import { openidFor } from '../users';

export class PaymentError extends Error {
  override readonly name = 'PaymentError';
}

/** Why this prepay_id cannot be paid now, or null. Same wording as WeChat's pay sheet errors. */
export function payabilityProblem(order: Order, prepayId: string, deps: Deps, now = Date.now()): string | null {
  const issued = deps.state.prepays.get(prepayId)?.issuedAt;
  if (issued === undefined) return 'prepay_id不存在';
  if (now - issued >= deps.config.prepayTtlMs) return 'prepay_id已过期(超过2小时)，请重新下单';
  if (isPaid(order)) return '该订单已支付';
  if (order.state === 'CLOSED') return '该订单已关闭';
  const expire = order.timeExpire ? parseBeijingTime(order.timeExpire) : null;
  if (expire && expire.getTime() <= now) return '该订单已失效，请重新返回商户下单支付';
  return null;
}

/** Resolves a prepay_id (preferred) or an out_trade_no to an order and its prepay. */
export function resolvePayable(idOrOutTradeNo: string, deps: Deps): { order: Order; prepayId: string } {
  const byPrepay = deps.state.findOrderByPrepayId(idOrOutTradeNo);
  if (byPrepay) return { order: byPrepay, prepayId: idOrOutTradeNo };
  const matches = [...deps.state.orders.values()].filter((o) => o.outTradeNo === idOrOutTradeNo);
  if (matches.length > 1)
    throw new PaymentError(`out_trade_no ${idOrOutTradeNo} exists for several merchants; pay by prepay_id`);
  const order = matches[0];
  if (!order) throw new PaymentError(`unknown prepay_id or out_trade_no: ${idOrOutTradeNo}`);
  return { order, prepayId: order.prepayId };
}

export function pay(idOrOutTradeNo: string, deps: Deps, now = Date.now()): Order {
  const { order, prepayId } = resolvePayable(idOrOutTradeNo, deps);
  const problem = payabilityProblem(order, prepayId, deps, now);
  if (problem) throw new PaymentError(problem);
  order.state = 'SUCCESS';
  order.paidAt = now;
  order.transactionId = newTransactionId(new Date(now));
  order.timeEnd = beijingTime(new Date(now));
  // A NATIVE order has no payer until someone scans it: the emulator's current test user.
  order.openid ??= openidFor(order.appId, deps.state.currentUserId);
  deps.state.settleOpenTickets(order, 'paid');
  deps.log(`paid ${order.mchId}/${order.outTradeNo} → ${order.transactionId}`);
  deps.notifier.payNotify(order);
  return order;
}

/**
 * The shopper's 取消订单 of an unpaid order. WeChat hears first (closeorder), so a payment made a
 * moment earlier is found and kept: the order then ends PAID, never CLOSED with money taken.
 * Closing locally is the conditional PENDING → CLOSED transition, which gives the stock back.
 */
import { WechatPayBusinessError } from '@wxpay-shop/wechat';
import type { OrderRow } from '../db/schema';
import { conflict, upstreamError } from '../http/errors';
import type { Logger } from '../logger';
import { closeLocally, closeLocallyIfUnsent, syncFromOrderQuery } from '../payments/settle';
import type { Services } from '../services';
import { findOrder } from './repository';

const SOURCE = 'shopper-cancel';

/** Thrown as 409 when the order turned out to be paid: the shopper keeps the order, not a cancel. */
const paidAlready = (status: string) => conflict('订单已支付，不能取消；如需退款请申请售后', { status });

/** Cancels a PENDING order; a CLOSED one answers as it is (a repeated tap). Returns the order as it ends. */
export async function cancelOrder(
  services: Pick<Services, 'db' | 'pay' | 'metrics'>,
  order: OrderRow,
  log: Logger,
): Promise<OrderRow> {
  const { db, pay, metrics } = services;
  if (order.status === 'CLOSED') return order;
  if (order.status !== 'PENDING') throw paidAlready(order.status);
  if (!order.prepay_id) {
    // Never sent to WeChat: nothing to close there, unless a pay request stores a prepay meanwhile.
    const closed = await closeLocallyIfUnsent(db, order.out_trade_no, SOURCE);
    if (closed !== 'SENT') return settled(services, order, log);
  }
  try {
    await pay.closeOrder(order.out_trade_no);
  } catch (err) {
    const code = err instanceof WechatPayBusinessError ? err.errCode : undefined;
    if (code === 'ORDERPAID') {
      // Paid while the shopper was tapping 取消: take the payment now instead of waiting for its notification.
      await syncFromOrderQuery(db, pay, log, metrics, order.out_trade_no, order.total_fen, 'cancel-orderpaid');
      log.info({ outTradeNo: order.out_trade_no }, 'cancel found the order paid');
      throw paidAlready('PAID');
    }
    // ORDERCLOSED: closed there already; ORDERNOTEXIST: WeChat holds nothing that could be paid.
    if (code !== 'ORDERCLOSED' && code !== 'ORDERNOTEXIST') {
      log.warn({ err, outTradeNo: order.out_trade_no }, 'closeorder on cancel failed');
      throw upstreamError('暂时无法取消订单，请稍后再试');
    }
  }
  await closeLocally(db, order.out_trade_no, SOURCE);
  return settled(services, order, log);
}

/** After a close attempt: CLOSED is the answer; anything else means a payment got there first. */
async function settled(services: Pick<Services, 'db'>, order: OrderRow, log: Logger): Promise<OrderRow> {
  const now = (await findOrder(services.db, order.out_trade_no)) ?? order;
  if (now.status === 'CLOSED') {
    log.info({ outTradeNo: order.out_trade_no }, 'order cancelled by the shopper');
    return now;
  }
  throw paidAlready(now.status);
}

/** The paid transaction as WeChat describes it; pure, so notifications and queries share it without the app's wiring. */
import type { Order } from './order';

/** Transaction block shared by orderquery and the notification (§4.1, §5.1). */
export function transactionFields(order: Order) {
  return {
    device_info: order.deviceInfo,
    openid: order.openid,
    is_subscribe: 'N',
    trade_type: order.tradeType,
    bank_type: 'CFT',
    total_fee: order.totalFee,
    fee_type: order.feeType,
    cash_fee: order.totalFee,
    transaction_id: order.transactionId,
    out_trade_no: order.outTradeNo,
    attach: order.attach,
    time_end: order.timeEnd,
  };
}

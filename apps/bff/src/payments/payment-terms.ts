/** Whether a payment WeChat confirms was made on the terms the order was prepaid with (pure). */
import type { GatewayTradeType } from '@wxpay-shop/wechat';

/** WeChat's default when a payment names no currency (fee_type is optional, "默认人民币：CNY"). */
const DEFAULT_FEE_TYPE = 'CNY';

export interface PaidTerms {
  /** `fee_type` of the notification or orderquery, if given. */
  feeType: string | undefined;
  /** `trade_type` of the notification or orderquery, if given. */
  tradeType: string | undefined;
}

/**
 * Why a confirmed payment does not match the order (its currency is not CNY, or its trade type is not
 * the one our unifiedorder used), or null. Such money is recorded and shown to an operator, never
 * taken as the order paid: total_fee in another currency is another amount.
 */
export function paymentTermsMismatch(order: { trade_type: string | null }, paid: PaidTerms): string | null {
  const reasons: string[] = [];
  const feeType = paid.feeType ?? DEFAULT_FEE_TYPE;
  if (feeType !== DEFAULT_FEE_TYPE) reasons.push(`fee_type ${feeType}, not ${DEFAULT_FEE_TYPE}`);
  // Only a prepaid order has a trade type to differ from; ours is claimed before unifiedorder is sent.
  // WeChat calls H5 pay MWEB in v2 and v3 alike; we store it as H5.
  const paidType = paid.tradeType === 'MWEB' ? 'H5' : paid.tradeType;
  if (order.trade_type && paidType !== undefined && paidType !== '' && paidType !== order.trade_type) {
    reasons.push(`trade_type ${paid.tradeType}, prepaid as ${order.trade_type}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : null;
}

const TRADE_TYPES: readonly GatewayTradeType[] = ['JSAPI', 'NATIVE', 'H5'];

/**
 * The orders' trade types (and whether an order not yet prepaid, with none) on which this payment matches,
 * so that one SQL statement can check what paymentTermsMismatch would. Empty when nothing matches.
 */
export function matchingTradeTypes(paid: PaidTerms): { unclaimed: boolean; tradeTypes: GatewayTradeType[] } {
  return {
    unclaimed: paymentTermsMismatch({ trade_type: null }, paid) === null,
    tradeTypes: TRADE_TYPES.filter((t) => paymentTermsMismatch({ trade_type: t }, paid) === null),
  };
}

/** The trade_state values WeChat documents, shared by both API versions (ACCEPT appears in some doc revisions). */
export const GATEWAY_TRADE_STATES = [
  'SUCCESS',
  'REFUND',
  'NOTPAY',
  'CLOSED',
  'REVOKED',
  'USERPAYING',
  'PAYERROR',
  'ACCEPT',
] as const;
export type GatewayTradeState = (typeof GATEWAY_TRADE_STATES)[number];

/**
 * Builds the protocol clients from config. The pay gateway is v2's or v3's (WECHAT_PAY_API_VERSION);
 * on v2 the refund gateway exists only with a client certificate (/secapi is mutual TLS), on v3 it is
 * the same gateway (every request is signed with the merchant key instead).
 */
import { readFileSync } from 'node:fs';
import { JssdkTokenClient, OAuthClient, PayV2Gateway, PayV3Gateway, type PayGateway } from '@wxpay-shop/wechat';
import type { Config } from './config';
import type { Metrics } from './metrics/metrics';
import { instrumentClient } from './metrics/wechat-calls';
import { recordOrderCalls, type WechatCallLog } from './payments/wechat-call-log';

/** Metric labels: WeChat's own paths, so a dashboard reads like the API docs. */
const OAUTH_ENDPOINTS = {
  exchangeCode: '/sns/oauth2/access_token',
  refreshToken: '/sns/oauth2/refresh_token',
  userInfo: '/sns/userinfo',
  checkToken: '/sns/auth',
} as const;
const PAY_ENDPOINTS = {
  createPrepay: '/pay/unifiedorder',
  queryOrder: '/pay/orderquery',
  closeOrder: '/pay/closeorder',
  refund: '/secapi/pay/refund',
  queryRefund: '/pay/refundquery',
  downloadTradeBill: '/pay/downloadbill',
} as const;
const PAY_V3_ENDPOINTS = {
  createPrepay: '/v3/pay/transactions/{jsapi,native,h5}',
  queryOrder: '/v3/pay/transactions/out-trade-no/{out_trade_no}',
  closeOrder: '/v3/pay/transactions/out-trade-no/{out_trade_no}/close',
  refund: '/v3/refund/domestic/refunds',
  queryRefund: '/v3/refund/domestic/refunds/{out_refund_no}',
  downloadTradeBill: '/v3/bill/tradebill',
} as const;

export function createOAuthClient(config: Config, metrics: Metrics): OAuthClient {
  const w = config.wechat;
  const client = new OAuthClient({
    appId: w.appId,
    appSecret: w.appSecret,
    openBaseUrl: w.openBaseUrl,
    apiBaseUrl: w.apiBaseUrl,
  });
  return instrumentClient(client, OAUTH_ENDPOINTS, metrics);
}

const JSSDK_ENDPOINTS = {
  fetchAccessToken: '/cgi-bin/stable_token',
  fetchJsapiTicket: '/cgi-bin/ticket/getticket',
} as const;

export function createJssdkTokenClient(config: Config, metrics: Metrics): JssdkTokenClient {
  const w = config.wechat;
  const client = new JssdkTokenClient({ appId: w.appId, appSecret: w.appSecret, apiBaseUrl: w.apiBaseUrl });
  return instrumentClient(client, JSSDK_ENDPOINTS, metrics);
}

/** The gateways, counted and timed in metrics and, with `callLog`, each order's calls recorded. */
export function createPayClients(
  config: Config,
  metrics: Metrics,
  callLog?: WechatCallLog,
): { pay: PayGateway; refundPay: PayGateway | null } {
  const w = config.wechat;
  const wrap = (gateway: PayGateway, endpoints: typeof PAY_ENDPOINTS | typeof PAY_V3_ENDPOINTS) => {
    const counted = instrumentClient<PayGateway>(gateway, endpoints, metrics);
    return callLog ? recordOrderCalls(counted, endpoints, callLog) : counted;
  };
  if (w.v3) {
    const v3 = w.v3;
    const gateway = new PayV3Gateway({
      appId: w.appId,
      mchId: w.mchId,
      merchantSerialNo: v3.merchantSerialNo,
      merchantPrivateKey: v3.merchantPrivateKey,
      apiV3Key: v3.apiV3Key,
      ...(v3.wechatpayPublicKey ? { wechatpayPublicKey: v3.wechatpayPublicKey } : {}),
      platformCertificates: v3.platformCertificates,
      baseUrl: w.payBaseUrl,
      ...(w.caCertPath ? { ca: readFileSync(w.caCertPath) } : {}),
    });
    const pay = wrap(gateway, PAY_V3_ENDPOINTS);
    return { pay, refundPay: pay };
  }
  const base = {
    appId: w.appId,
    mchId: w.mchId,
    apiKey: w.apiKey,
    signType: w.signType,
    payBaseUrl: w.payBaseUrl,
    secapiBaseUrl: w.secapiBaseUrl,
  };
  // WECHAT_PAY_CA_CERT is trusted by both clients: https pay endpoints (the emulator's) are signed by it too.
  const ca = w.caCertPath ? readFileSync(w.caCertPath) : undefined;
  // The main client never calls /secapi, the only place a client certificate is presented: the CA alone.
  const pay = new PayV2Gateway({ ...base, ...(ca ? { tls: { ca } } : {}) });
  const refundPay =
    w.clientCertPath && w.clientKeyPath
      ? new PayV2Gateway({
          ...base,
          tls: { cert: readFileSync(w.clientCertPath), key: readFileSync(w.clientKeyPath), ...(ca ? { ca } : {}) },
        })
      : null;
  return {
    pay: wrap(pay, PAY_ENDPOINTS),
    refundPay: refundPay && wrap(refundPay, PAY_ENDPOINTS),
  };
}

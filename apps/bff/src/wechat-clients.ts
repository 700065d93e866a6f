/** Builds the protocol clients from config; the refund client exists only with a client cert. */
import { readFileSync } from 'node:fs';
import { JssdkTokenClient, OAuthClient, PayClient } from '@wxpay-shop/wechat';
import type { Config } from './config';
import type { Metrics } from './metrics/metrics';
import { instrumentClient } from './metrics/wechat-calls';

/** Metric labels: WeChat's own paths, so a dashboard reads like the API docs. */
const OAUTH_ENDPOINTS = {
  exchangeCode: '/sns/oauth2/access_token',
  refreshToken: '/sns/oauth2/refresh_token',
  userInfo: '/sns/userinfo',
  checkToken: '/sns/auth',
} as const;
const PAY_ENDPOINTS = {
  unifiedOrder: '/pay/unifiedorder',
  orderQuery: '/pay/orderquery',
  closeOrder: '/pay/closeorder',
  refund: '/secapi/pay/refund',
  refundQuery: '/pay/refundquery',
} as const;

export function createOAuthClient(config: Config, metrics: Metrics): OAuthClient {
  const w = config.wechat;
  const client = new OAuthClient({ appId: w.appId, appSecret: w.appSecret, openBaseUrl: w.openBaseUrl, apiBaseUrl: w.apiBaseUrl });
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

export function createPayClients(config: Config, metrics: Metrics): { pay: PayClient; refundPay: PayClient | null } {
  const w = config.wechat;
  const base = { appId: w.appId, mchId: w.mchId, apiKey: w.apiKey, signType: w.signType, payBaseUrl: w.payBaseUrl, secapiBaseUrl: w.secapiBaseUrl };
  // WECHAT_PAY_CA_CERT is trusted by both clients: https pay endpoints (the emulator's) are signed by it too.
  const ca = w.caCertPath ? readFileSync(w.caCertPath) : undefined;
  // The main client never calls /secapi, the only place a client certificate is presented: the CA alone.
  const pay = new PayClient({ ...base, ...(ca ? { tls: { ca } } : {}) });
  const refundPay =
    w.clientCertPath && w.clientKeyPath
      ? new PayClient({
          ...base,
          tls: { cert: readFileSync(w.clientCertPath), key: readFileSync(w.clientKeyPath), ...(ca ? { ca } : {}) },
        })
      : null;
  return {
    pay: instrumentClient(pay, PAY_ENDPOINTS, metrics),
    refundPay: refundPay && instrumentClient(refundPay, PAY_ENDPOINTS, metrics),
  };
}

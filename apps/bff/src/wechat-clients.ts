/** Builds the protocol clients from config; the refund client exists only with a client cert. */
import { readFileSync } from 'node:fs';
import { JssdkTokenClient, OAuthClient, PayClient } from '@wxpay-shop/wechat';
import type { Config } from './config';

export function createOAuthClient(config: Config): OAuthClient {
  const w = config.wechat;
  return new OAuthClient({ appId: w.appId, appSecret: w.appSecret, openBaseUrl: w.openBaseUrl, apiBaseUrl: w.apiBaseUrl });
}

export function createJssdkTokenClient(config: Config): JssdkTokenClient {
  const w = config.wechat;
  return new JssdkTokenClient({ appId: w.appId, appSecret: w.appSecret, apiBaseUrl: w.apiBaseUrl });
}

export function createPayClients(config: Config): { pay: PayClient; refundPay: PayClient | null } {
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
  return { pay, refundPay };
}

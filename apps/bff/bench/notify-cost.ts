/**
 * What verifying one notification costs in CPU, v2 beside v3, measured in this process without HTTP or a
 * database: v2 is an MD5 sign check over the parsed XML; v3 an RSA-2048 signature verify over the raw body
 * plus an AES-256-GCM decrypt of the resource (and its JSON). Also the RSA signature every v3 call carries.
 */
import { DEFAULT_MERCHANT } from '@wxpay-shop/wechat-emulator';
import {
  buildAuthorization,
  decryptResource,
  loadPrivateKey,
  loadPublicKey,
  parsePayNotify,
  PayV3Gateway,
  readWechatpayHeaders,
  verifyWechatpaySignature,
  WechatpayKeyRing,
  type EncryptedResource,
} from '@wxpay-shop/wechat';
import { paymentNotification, paymentNotificationV3 } from './notifications';

export interface NotifyCost {
  name: string;
  microsPerOp: number;
}

async function timed(name: string, iterations: number, op: () => unknown): Promise<NotifyCost> {
  for (let i = 0; i < Math.min(200, iterations); i += 1) await op(); // warm-up
  const started = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) await op();
  const used = process.cpuUsage(started);
  return { name, microsPerOp: (used.user + used.system) / iterations };
}

export async function notifyCosts(
  publicKeyPem: string,
  publicKeyId: string,
  certs: { merchantKey: string; serial: string },
) {
  const order = { outTradeNo: 'BENCH0000000001', totalFen: 5980 };
  const v2 = paymentNotification(order, 1);
  const v3 = paymentNotificationV3(order, 1);
  const ring = new WechatpayKeyRing().addPublicKey(publicKeyId, loadPublicKey(publicKeyPem));
  const headers = readWechatpayHeaders(v3.headers);
  const resource = (JSON.parse(v3.body) as { resource: EncryptedResource }).resource;
  const gateway = new PayV3Gateway({
    appId: DEFAULT_MERCHANT.appId,
    mchId: DEFAULT_MERCHANT.mchId,
    merchantSerialNo: certs.serial,
    merchantPrivateKey: certs.merchantKey,
    apiV3Key: DEFAULT_MERCHANT.apiV3Key,
    wechatpayPublicKey: { id: publicKeyId, key: publicKeyPem },
    baseUrl: 'http://127.0.0.1:9',
  });
  const privateKey = loadPrivateKey(certs.merchantKey);
  const merchant = { appId: DEFAULT_MERCHANT.appId, mchId: DEFAULT_MERCHANT.mchId, apiKey: DEFAULT_MERCHANT.apiKey };
  return [
    await timed('v2 notification: XML parse + MD5 sign check', 5000, () => parsePayNotify(v2, merchant)),
    await timed('v3 notification: all checks (gateway.parseNotification)', 5000, () => gateway.parseNotification(v3)),
    await timed('  of which RSA-2048 signature verify', 5000, () => verifyWechatpaySignature(headers, v3.body, ring)),
    await timed('  of which AES-256-GCM decrypt', 5000, () => decryptResource(resource, DEFAULT_MERCHANT.apiV3Key)),
    // Not a notification cost, but what every v3 call adds on our side: the Authorization signature.
    await timed('v3 request: Authorization (RSA-2048 sign, merchant key)', 1000, () =>
      buildAuthorization({
        mchId: DEFAULT_MERCHANT.mchId,
        serialNo: certs.serial,
        privateKey,
        method: 'POST',
        url: '/v3/pay/transactions/native',
        body: v3.body,
      }),
    ),
  ];
}

/** PayV3Gateway against a strict in-test fake of WeChat Pay v3: calls, error mapping, retries, key modes. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PayV3Gateway,
  WechatError,
  isPayRefusal,
  WechatJsonError,
  WechatPayResponseError,
  WechatPayV3ApiError,
  WechatTransportError,
  WechatV3SignatureError,
  loadPrivateKey,
  loadPublicKey,
  verifyJsapiRsaPayParams,
  type PayV3Options,
} from '../src/index';
import { issuePlatformCert } from './helpers/v3-certs';
import {
  MERCHANT_PRIVATE_KEY,
  MERCHANT_PUBLIC_KEY,
  PLATFORM_PRIVATE_KEY,
  PLATFORM_PUBLIC_KEY,
} from './helpers/v3-keys';
import { buildNotification } from './helpers/v3-notify';
import {
  API_V3_KEY,
  APP_ID,
  MCH_ID,
  MERCHANT_SERIAL,
  fakeGatewayOptions,
  startFakeV3,
  type FakeV3,
} from './helpers/v3-server';

const PUB_KEY_ID = 'PUB_KEY_ID_0112345678901234567890000001';
const publicKeySigner = { key: loadPrivateKey(PLATFORM_PRIVATE_KEY), serial: PUB_KEY_ID };
const certA = issuePlatformCert('3A4C1B0E5F6D7E8F9A0B1C2D3E4F5A6B7C8D9E0F');
const certB = issuePlatformCert('4B5D2C1F6A7E8F9A0B1C2D3E4F5A6B7C8D9E0F1A');
const certASigner = { key: loadPrivateKey(certA.key), serial: certA.serialNo };
const certBSigner = { key: loadPrivateKey(certB.key), serial: certB.serialNo };

const NOTIFY_URL = 'https://shop.example.com/api/wechat/notify';

const options = (fake: FakeV3, extra: Partial<PayV3Options> = {}) => fakeGatewayOptions(fake, PUB_KEY_ID, extra);

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const jsapi = (outTradeNo: string) => ({
  tradeType: 'JSAPI' as const,
  outTradeNo,
  description: '测试商品',
  totalFen: 990,
  notifyUrl: NOTIFY_URL,
  clientIp: '203.0.113.7',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
});

describe('public-key mode', () => {
  let fake: FakeV3;
  let gateway: PayV3Gateway;
  beforeAll(async () => {
    fake = await startFakeV3(publicKeySigner);
    gateway = new PayV3Gateway(options(fake));
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.nextFaults = [];
    fake.signer = publicKeySigner;
  });

  it('JSAPI prepay sends a signed JSON body and gives RSA pay params the merchant key verifies', async () => {
    const timeExpire = new Date('2026-01-01T02:34:56Z');
    const prepay = await gateway.createPrepay({ ...jsapi('ORDER000001'), timeExpire });
    expect(prepay).toEqual({ tradeType: 'JSAPI', prepayId: 'wxORDER000001' });
    const sent = JSON.parse(fake.seen.at(-1)!.body);
    expect(sent).toMatchObject({
      appid: APP_ID,
      mchid: MCH_ID,
      amount: { total: 990, currency: 'CNY' },
      payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
      time_expire: '2026-01-01T10:34:56+08:00',
    });
    const params = gateway.pagePayParams(prepay.tradeType === 'JSAPI' ? prepay.prepayId : '');
    expect(params).toMatchObject({ appId: APP_ID, package: 'prepay_id=wxORDER000001', signType: 'RSA' });
    expect(verifyJsapiRsaPayParams(params, loadPublicKey(MERCHANT_PUBLIC_KEY))).toBe(true);
  });

  it('NATIVE gives a code_url; H5 sends h5_info and gives an h5Url', async () => {
    const native = await gateway.createPrepay({ ...jsapi('ORDER000002'), tradeType: 'NATIVE', openid: undefined });
    expect(native).toEqual({ tradeType: 'NATIVE', codeUrl: 'weixin://wxpay/bizpayurl?pr=p4lpSuK' });
    expect(JSON.parse(fake.seen.at(-1)!.body).payer).toBeUndefined();
    const h5 = await gateway.createPrepay({ ...jsapi('ORDER000003'), tradeType: 'H5', openid: undefined });
    expect(h5.tradeType === 'H5' && h5.h5Url).toMatch(/^https:\/\/wx\.tenpay\.com\/.*prepay_id=wxORDER000003$/);
    const sceneInfo = JSON.parse(fake.seen.at(-1)!.body).scene_info;
    expect(sceneInfo).toEqual({ payer_client_ip: '203.0.113.7', h5_info: { type: 'Wap' } });
  });

  it('query maps the transaction; close answers 204 and the order reads CLOSED', async () => {
    await gateway.createPrepay(jsapi('ORDER000004'));
    const open = await gateway.queryOrder('ORDER000004');
    expect(open).toMatchObject({ tradeState: 'NOTPAY', outTradeNo: 'ORDER000004', totalFen: 990 });
    await expect(gateway.closeOrder('ORDER000004')).resolves.toBeUndefined();
    expect((await gateway.queryOrder('ORDER000004')).tradeState).toBe('CLOSED');
    fake.orders.get('ORDER000004')!.tradeState = 'NEWSTATE';
    expect(await gateway.queryOrder('ORDER000004')).toMatchObject({ tradeState: 'UNKNOWN', rawState: 'NEWSTATE' });
  });

  it('refund and its query', async () => {
    await gateway.createPrepay(jsapi('ORDER000005'));
    fake.orders.get('ORDER000005')!.tradeState = 'SUCCESS';
    const paid = await gateway.queryOrder('ORDER000005');
    expect(paid).toMatchObject({ tradeState: 'SUCCESS', totalFen: 990, payerTotalFen: 990 });
    expect(paid.transactionId).toBe('4200000000202601010000000001');
    expect(paid.paidAt?.toISOString()).toBe('2026-01-01T02:00:00.000Z');
    const input = { outTradeNo: 'ORDER000005', outRefundNo: 'REFUND000005', totalFen: 990, refundFen: 500 };
    const refund = await gateway.refund(input);
    expect(refund).toMatchObject({ outRefundNo: 'REFUND000005', refundFen: 500, status: 'PROCESSING' });
    expect((await gateway.queryRefund('REFUND000005')).status).toBe('SUCCESS');
  });

  it('4xx → WechatPayV3ApiError refused, not retried; code and detail kept', async () => {
    const notFound = await failure(() => gateway.queryOrder('NOSUCHORDER'));
    expect(notFound).toBeInstanceOf(WechatPayV3ApiError);
    expect(notFound).toMatchObject({ status: 404, code: 'ORDER_NOT_EXIST', codeKey: 'ORDERNOTEXIST', refused: true });
    expect(notFound).toMatchObject({ outcome: 'refused', source: 'upstream' });
    expect(notFound).toBeInstanceOf(WechatError);
    expect(isPayRefusal(notFound)).toBe(true);
    await gateway.createPrepay(jsapi('ORDER000006'));
    const before = fake.seen.length;
    const reused = await failure(() => gateway.createPrepay({ ...jsapi('ORDER000006'), totalFen: 1 }));
    expect(reused).toMatchObject({ status: 400, code: 'INVALID_REQUEST', refused: true });
    expect(fake.seen.length - before).toBe(1);
  });

  it('5xx and 429 are retried with a fresh signature over the same body; 5xx throughout stays unknown', async () => {
    fake.nextFaults = [
      { status: 500, code: 'SYSTEM_ERROR' },
      { status: 429, code: 'FREQUENCY_LIMITED' },
    ];
    const before = fake.seen.length;
    await gateway.createPrepay(jsapi('ORDER000007'));
    const attempts = fake.seen.slice(before);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    expect(new Set(attempts.map((a) => a.headers.authorization)).size).toBe(3);

    fake.nextFaults = [0, 1, 2].map(() => ({ status: 500, code: 'SYSTEM_ERROR' }));
    const err = await failure(() => gateway.queryOrder('ORDER000007'));
    expect(err).toMatchObject({ status: 500, refused: false, retryable: true, outcome: 'unknown' });
    expect(isPayRefusal(err)).toBe(false);
  });

  it('a refund refused on a retry after a 5xx is reported as unknown (WechatTransportError)', async () => {
    await gateway.createPrepay(jsapi('ORDER000008'));
    fake.orders.get('ORDER000008')!.tradeState = 'SUCCESS';
    fake.nextFaults = [
      { status: 500, code: 'SYSTEM_ERROR' },
      { status: 403, code: 'NOT_ENOUGH', message: '余额不足' },
    ];
    const err = await failure(() =>
      gateway.refund({ outTradeNo: 'ORDER000008', outRefundNo: 'REFUND000008', totalFen: 990, refundFen: 990 }),
    );
    expect(err).toBeInstanceOf(WechatTransportError);
    expect((err as WechatTransportError).cause).toMatchObject({ status: 403, code: 'NOT_ENOUGH' });
  });

  it('no answer → WechatTransportError after the retries', async () => {
    fake.nextFaults = ['drop', 'drop', 'drop'];
    expect(await failure(() => gateway.queryOrder('ORDER000001'))).toBeInstanceOf(WechatTransportError);
  });

  it('answers that are not authentic or not usable → typed errors (outcome unknown)', async () => {
    const reason = async (fault: FakeV3['nextFaults'][number]) => {
      fake.nextFaults = [fault];
      const err = await failure(() => gateway.queryOrder('ORDER000001'));
      expect(err).toBeInstanceOf(WechatV3SignatureError);
      expect(err).toMatchObject({ source: 'upstream', outcome: 'unknown' });
      return (err as WechatV3SignatureError).reason;
    };
    expect(await reason('bad-signature')).toBe('BAD_SIGNATURE');
    expect(await reason('probe')).toBe('PROBE');
    expect(await reason('stale')).toBe('STALE_TIMESTAMP');
    expect(await reason({ serial: 'PUB_KEY_ID_0999' })).toBe('UNKNOWN_SERIAL');
    expect(await reason({ serial: PUB_KEY_ID, key: certASigner.key })).toBe('BAD_SIGNATURE');
    expect(fake.hits('/v3/certificates')).toBe(0);

    fake.nextFaults = [{ json: { appid: APP_ID, mchid: MCH_ID, out_trade_no: 'ORDER999999', trade_state: 'SUCCESS' } }];
    expect(await failure(() => gateway.queryOrder('ORDER000001'))).toBeInstanceOf(WechatPayResponseError);
    fake.nextFaults = [{ body: 'x'.repeat(70_000) }];
    expect(await failure(() => gateway.queryOrder('ORDER000001'))).toMatchObject({ reason: 'TOO_LARGE' });
    fake.nextFaults = [{ body: '{not json' }];
    expect(await failure(() => gateway.queryOrder('ORDER000001'))).toBeInstanceOf(WechatJsonError);
  });

  it('a wrong merchant key is refused by the server with 401 SIGN_ERROR', async () => {
    const other = new PayV3Gateway({ ...options(fake), merchantPrivateKey: PLATFORM_PRIVATE_KEY });
    const err = await failure(() => other.queryOrder('ORDER000001'));
    expect(err).toMatchObject({ status: 401, code: 'SIGN_ERROR', refused: true });
  });
});

describe('platform-certificate and migration modes', () => {
  let fake: FakeV3;
  beforeAll(async () => {
    fake = await startFakeV3(certASigner, [certA.cert]);
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.nextFaults = [];
    fake.signer = certASigner;
    fake.certificates = [certA.cert];
  });

  it('downloads /v3/certificates once, then reuses them', async () => {
    const gateway = new PayV3Gateway(options(fake, { wechatpayPublicKey: undefined, platformCertificates: true }));
    const before = fake.hits('/v3/certificates');
    await gateway.createPrepay(jsapi('CERT000001'));
    await gateway.queryOrder('CERT000001');
    expect(fake.hits('/v3/certificates') - before).toBe(1);
    expect(gateway.keys.certificateSerials).toEqual([certA.serialNo]);
  });

  it('a rotated certificate: one refresh on the unknown serial, then it verifies', async () => {
    const gateway = new PayV3Gateway(options(fake, { wechatpayPublicKey: undefined, platformCertificates: true }));
    await gateway.createPrepay(jsapi('CERT000002'));
    fake.certificates = [certA.cert, certB.cert];
    fake.signer = certBSigner;
    const before = fake.hits('/v3/certificates');
    expect((await gateway.queryOrder('CERT000002')).tradeState).toBe('NOTPAY');
    expect(fake.hits('/v3/certificates') - before).toBe(1);
  });

  it('an unknown serial: one refresh, then UNKNOWN_SERIAL; another soon after fetches nothing', async () => {
    const gateway = new PayV3Gateway(options(fake, { wechatpayPublicKey: undefined, platformCertificates: true }));
    await gateway.createPrepay(jsapi('CERT000003'));
    const before = fake.hits('/v3/certificates');
    fake.nextFaults = [{ serial: 'ABCDEF0123456789' }];
    expect(await failure(() => gateway.queryOrder('CERT000003'))).toMatchObject({ reason: 'UNKNOWN_SERIAL' });
    fake.nextFaults = [{ serial: 'ABCDEF0123456780' }];
    expect(await failure(() => gateway.queryOrder('CERT000003'))).toMatchObject({ reason: 'UNKNOWN_SERIAL' });
    expect(fake.hits('/v3/certificates') - before).toBe(1);
  });

  it('a /v3/certificates answer under another APIv3 key or signed by no known key is refused', async () => {
    const gateway = new PayV3Gateway(options(fake, { wechatpayPublicKey: undefined, platformCertificates: true }));
    fake.nextFaults = [{ serial: 'ABCDEF0123456789' }];
    expect(await failure(() => gateway.refreshCertificates())).toMatchObject({ reason: 'UNKNOWN_SERIAL' });
    const wrongKey = new PayV3Gateway(options(fake, { apiV3Key: 'B'.repeat(32), platformCertificates: true }));
    expect(await failure(() => wrongKey.refreshCertificates())).toMatchObject({ reason: 'DECRYPT_FAILED' });
    expect(gateway.keys.certificateSerials).toEqual([]);
  });

  it('migration: public-key and certificate signatures both parse; a new certificate → one refresh', async () => {
    const gateway = new PayV3Gateway(options(fake, { platformCertificates: { initial: [certA.cert] } }));
    const transaction = {
      appid: APP_ID,
      mchid: MCH_ID,
      out_trade_no: 'CERT000004',
      transaction_id: '4200000000202601010000000004',
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      amount: { total: 990, payer_total: 990, currency: 'CNY' },
    };
    const parts = { plain: transaction, apiV3Key: API_V3_KEY };
    const byKey = buildNotification({ ...parts, signingKey: publicKeySigner.key, serial: PUB_KEY_ID });
    const byCert = buildNotification({ ...parts, signingKey: certASigner.key, serial: certA.serialNo });
    const payment = await gateway.parseNotification(byKey);
    expect(payment).toMatchObject({ kind: 'payment', outTradeNo: 'CERT000004', paid: true });
    expect(await gateway.parseNotification(byCert)).toMatchObject({ kind: 'payment', outTradeNo: 'CERT000004' });

    fake.certificates = [certA.cert, certB.cert];
    const before = fake.hits('/v3/certificates');
    const byNewCert = buildNotification({ ...parts, signingKey: certBSigner.key, serial: certB.serialNo });
    expect(await gateway.parseNotification(byNewCert)).toMatchObject({ kind: 'payment' });
    expect(fake.hits('/v3/certificates') - before).toBe(1);
    expect(gateway.notificationReply(true)).toEqual({ status: 204, body: '' });
  });
});

describe('configuration', () => {
  it('refuses missing or malformed credentials with a message that names the setting, not the value', () => {
    const base = { appId: APP_ID, mchId: MCH_ID, merchantSerialNo: MERCHANT_SERIAL, baseUrl: 'http://127.0.0.1:1' };
    const credentials = { merchantPrivateKey: MERCHANT_PRIVATE_KEY, apiV3Key: API_V3_KEY };
    const good = { ...base, ...credentials, platformCertificates: true };
    const make = (change: Partial<PayV3Options>) => () => new PayV3Gateway({ ...good, ...change });
    expect(make({ apiV3Key: 'short-secret' })).toThrow(/^APIv3 key must be exactly 32 bytes$/);
    expect(make({ merchantPrivateKey: 'not a key' })).toThrow(/^loadPrivateKey: not a PEM private key$/);
    expect(make({ merchantSerialNo: 'xyz' })).toThrow(/merchantSerialNo/);
    expect(make({ platformCertificates: false })).toThrow(/wechatpayPublicKey, platformCertificates/);
    expect(make({ wechatpayPublicKey: { id: 'KEY1', key: PLATFORM_PUBLIC_KEY } })).toThrow(/PUB_KEY_ID_/);
    expect(make({})).not.toThrow();
  });
});

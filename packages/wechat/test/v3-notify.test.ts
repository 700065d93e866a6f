/** v3 notifications: what verifies (public key, platform certificate, both at once) and every hostile input. */
import { describe, expect, it } from 'vitest';
import {
  WechatJsonError,
  WechatNotifyError,
  WechatSignatureError,
  WechatV3SignatureError,
  WechatpayKeyRing,
  loadPrivateKey,
  notifyReplyV3,
  parseNotifyV3,
  readWechatpayHeaders,
  verifyWechatpaySignature,
  type NotifyV3Options,
} from '../src/index';
import { issuePlatformCert } from './helpers/v3-certs';
import { PLATFORM_PRIVATE_KEY, PLATFORM_PUBLIC_KEY } from './helpers/v3-keys';
import { buildNotification, flipByte, type NotificationParts } from './helpers/v3-notify';

const APP_ID = 'wxd678efh567hg6787';
const MCH_ID = '1230000109';
const API_V3_KEY = 'vYx7Kq2Lm9Tn4Rb8Zc6Wd1Fh3Jp5Gs0A';
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const publicKeySigner = loadPrivateKey(PLATFORM_PRIVATE_KEY);
const platformCert = issuePlatformCert('5157F09EFDC096DE15EBE81A47057A7232F1B8E1');
const certSigner = loadPrivateKey(platformCert.key);

/** Migration mode: the WeChat Pay public key and a platform certificate, both trusted. */
const keys = new WechatpayKeyRing().addPublicKey(PUB_KEY_ID, PLATFORM_PUBLIC_KEY).addCertificate(platformCert.cert);
const options: NotifyV3Options = { appId: APP_ID, mchId: MCH_ID, apiV3Key: API_V3_KEY, keys };

const transaction = {
  appid: APP_ID,
  mchid: MCH_ID,
  out_trade_no: 'WX20260101000001',
  transaction_id: '4200000000202601010000000001',
  trade_type: 'JSAPI',
  trade_state: 'SUCCESS',
  success_time: '2026-01-01T10:00:00+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 990, payer_total: 900, currency: 'CNY', payer_currency: 'CNY' },
};
const refund = {
  mchid: MCH_ID,
  out_trade_no: 'WX20260101000001',
  transaction_id: '4200000000202601010000000001',
  out_refund_no: 'RF20260101000001',
  refund_id: '50000000382019052709732678859',
  refund_status: 'SUCCESS',
  success_time: '2026-01-02T10:00:00+08:00',
  amount: { total: 990, refund: 500, payer_total: 900, payer_refund: 450 },
};

function notification(overrides: Partial<NotificationParts> = {}) {
  const base = { plain: transaction, apiV3Key: API_V3_KEY, signingKey: publicKeySigner, serial: PUB_KEY_ID };
  return buildNotification({ ...base, ...overrides });
}

function failure(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

function reasonOf(n: { headers: Record<string, string>; body: string }, opts: NotifyV3Options = options): string {
  const err = failure(() => parseNotifyV3(n.headers, n.body, opts));
  expect(err).toBeInstanceOf(WechatV3SignatureError);
  expect(err).toBeInstanceOf(WechatSignatureError);
  return (err as WechatV3SignatureError).reason;
}

describe('authentic notifications', () => {
  it('signed with the WeChat Pay public key → a payment', () => {
    const n = notification();
    expect(parseNotifyV3(n.headers, n.body, options)).toMatchObject({
      kind: 'payment',
      outTradeNo: 'WX20260101000001',
      totalFen: 990,
      payerTotalFen: 900,
      paid: true,
      envelope: { id: 'EV-TEST-1', eventType: 'TRANSACTION.SUCCESS' },
    });
  });

  it('during a migration, one signed with the platform certificate verifies too', () => {
    const n = notification({ signingKey: certSigner, serial: platformCert.serialNo });
    expect(parseNotifyV3(n.headers, n.body, options).kind).toBe('payment');
  });

  it('a serial in lower case or with a leading zero finds the same certificate', () => {
    const n = notification({ signingKey: certSigner, serial: `0${platformCert.serialNo.toLowerCase()}` });
    expect(parseNotifyV3(n.headers, n.body, options).kind).toBe('payment');
  });

  it('a refund → amounts and status, and an unknown status is kept verbatim as UNKNOWN', () => {
    const ok = notification({ plain: refund, eventType: 'REFUND.SUCCESS' });
    expect(parseNotifyV3(ok.headers, ok.body, options)).toMatchObject({
      kind: 'refund',
      outRefundNo: 'RF20260101000001',
      refundFen: 500,
      totalFen: 990,
      status: 'SUCCESS',
    });
    const odd = notification({ plain: { ...refund, refund_status: 'NEW_STATE' }, eventType: 'REFUND.ABNORMAL' });
    expect(parseNotifyV3(odd.headers, odd.body, options)).toMatchObject({ status: 'UNKNOWN', rawStatus: 'NEW_STATE' });
  });
});

describe('hostile notifications → typed errors', () => {
  it('wrong serial: a known certificate serial on a body signed by the other key → BAD_SIGNATURE', () => {
    expect(reasonOf(notification({ serial: platformCert.serialNo }))).toBe('BAD_SIGNATURE');
  });

  it('unknown serial → UNKNOWN_SERIAL', () => {
    expect(reasonOf(notification({ serial: 'PUB_KEY_ID_0999' }))).toBe('UNKNOWN_SERIAL');
    expect(reasonOf(notification({ serial: '7132D72A03E93CDDF8C03BBD1F37EEDF3B1DA0F6' }))).toBe('UNKNOWN_SERIAL');
  });

  it('platform-certificate mode alone refuses a public-key signature (and vice versa)', () => {
    const certOnly = new WechatpayKeyRing().addCertificate(platformCert.cert);
    expect(reasonOf(notification(), { ...options, keys: certOnly })).toBe('UNKNOWN_SERIAL');
    const keyOnly = new WechatpayKeyRing().addPublicKey(PUB_KEY_ID, PLATFORM_PUBLIC_KEY);
    const byCert = notification({ signingKey: certSigner, serial: platformCert.serialNo });
    expect(reasonOf(byCert, { ...options, keys: keyOnly })).toBe('UNKNOWN_SERIAL');
  });

  it('tampered body (one amount digit) → BAD_SIGNATURE', () => {
    const n = notification();
    expect(reasonOf({ ...n, body: n.body.replace('TEST-1', 'TEST-2') })).toBe('BAD_SIGNATURE');
    expect(reasonOf({ ...n, body: `${n.body} ` })).toBe('BAD_SIGNATURE');
  });

  it('tampered ciphertext or tag, or wrong associated_data → DECRYPT_FAILED', () => {
    expect(reasonOf(notification({ mutateCiphertext: (c) => flipByte(c, 3) }))).toBe('DECRYPT_FAILED');
    expect(reasonOf(notification({ mutateCiphertext: (c) => flipByte(c, -1) }))).toBe('DECRYPT_FAILED');
    const truncated = (c: string) => Buffer.from(c, 'base64').subarray(0, 10).toString('base64');
    expect(reasonOf(notification({ mutateCiphertext: truncated }))).toBe('DECRYPT_FAILED');
    // Encrypted with AAD "transaction", declared as "refund" in a correctly signed envelope.
    expect(reasonOf(notification({ declaredAssociatedData: 'refund' }))).toBe('DECRYPT_FAILED');
    expect(reasonOf(notification({ declaredAssociatedData: '' }))).toBe('DECRYPT_FAILED');
  });

  it('another APIv3 key → DECRYPT_FAILED; another algorithm → UNSUPPORTED_ALGORITHM', () => {
    expect(reasonOf(notification({ apiV3Key: 'A'.repeat(32) }))).toBe('DECRYPT_FAILED');
    expect(reasonOf(notification({ algorithm: 'AEAD_AES_128_GCM' }))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('stale or future timestamp (more than 5 minutes) → STALE_TIMESTAMP / FUTURE_TIMESTAMP; 4 minutes pass', () => {
    // A fixed clock, so that a second ticking by mid-test cannot move a case across the boundary.
    const now = 1767232800;
    const at = { ...options, now: new Date(now * 1000) };
    expect(reasonOf(notification({ timestamp: String(now - 301) }), at)).toBe('STALE_TIMESTAMP');
    expect(reasonOf(notification({ timestamp: String(now + 301) }), at)).toBe('FUTURE_TIMESTAMP');
    expect(reasonOf(notification({ timestamp: `${now}.5` }), at)).toBe('BAD_TIMESTAMP');
    for (const offset of [-300, -240, 0, 240, 300]) {
      const fresh = notification({ timestamp: String(now + offset) });
      expect(parseNotifyV3(fresh.headers, fresh.body, at).kind).toBe('payment');
    }
  });

  it('a WECHATPAY/SIGNTEST/ probe signature → PROBE', () => {
    const n = notification();
    const headers = { ...n.headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${n.headers['Wechatpay-Signature']}` };
    expect(reasonOf({ headers, body: n.body })).toBe('PROBE');
  });

  it('a missing Wechatpay-* header → MISSING_HEADERS', () => {
    const { 'Wechatpay-Serial': _serial, ...headers } = notification().headers;
    expect(reasonOf({ headers, body: notification().body })).toBe('MISSING_HEADERS');
  });

  it('an oversized body → WechatJsonError TOO_LARGE before any verification', () => {
    const n = notification();
    const err = failure(() => parseNotifyV3({}, n.body, { ...options, maxBytes: n.body.length - 1 }));
    expect(err).toBeInstanceOf(WechatJsonError);
    expect((err as WechatJsonError).reason).toBe('TOO_LARGE');
  });

  it('authentic but for another merchant, or without amounts → WechatNotifyError', () => {
    const other = notification({ plain: { ...transaction, mchid: '1900000000' } });
    expect(failure(() => parseNotifyV3(other.headers, other.body, options))).toBeInstanceOf(WechatNotifyError);
    const noAmount = notification({ plain: { ...transaction, amount: { total: '990' } } });
    expect(failure(() => parseNotifyV3(noAmount.headers, noAmount.body, options))).toBeInstanceOf(WechatNotifyError);
    const notJson = notification({ plain: 'not json' });
    expect(failure(() => parseNotifyV3(notJson.headers, notJson.body, options))).toBeInstanceOf(WechatJsonError);
  });
});

describe('reply', () => {
  it('204 on success; 4xx/5xx with {"code":"FAIL"} otherwise', () => {
    expect(notifyReplyV3(true)).toEqual({ status: 204, body: '' });
    expect(notifyReplyV3(false, '验签失败')).toEqual({
      status: 400,
      contentType: 'application/json',
      body: '{"code":"FAIL","message":"验签失败"}',
    });
    expect(notifyReplyV3(false, 'busy', 503).status).toBe(503);
    expect(() => notifyReplyV3(false, 'x', 200)).toThrow(/4xx or 5xx/);
  });
});

describe('outcome by source', () => {
  it('a refused notification is refused; the same failure on an answer to our call is unknown', () => {
    const n = notification({ serial: 'PUB_KEY_ID_0999' });
    const inbound = failure(() => parseNotifyV3(n.headers, n.body, options)) as WechatV3SignatureError;
    expect(inbound).toMatchObject({ source: 'inbound', outcome: 'refused' });
    const upstream = failure(() =>
      verifyWechatpaySignature(readWechatpayHeaders(n.headers), n.body, keys, { source: 'upstream' }),
    ) as WechatV3SignatureError;
    expect(upstream).toMatchObject({ reason: 'UNKNOWN_SERIAL', source: 'upstream', outcome: 'unknown' });
    const tooLarge = failure(() => parseNotifyV3(n.headers, n.body, { ...options, maxBytes: 10 }));
    expect(tooLarge).toMatchObject({ source: 'inbound', outcome: 'refused' });
  });
});

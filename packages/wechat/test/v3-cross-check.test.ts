/**
 * Cross-check against an independent implementation, wechatpay-axios-plugin (Rsa, AesGcm, Formatter),
 * in both directions: what we sign or encrypt verifies there, and what it signs or encrypts verifies here.
 */
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { describe, expect, it } from 'vitest';
import {
  WechatpayKeyRing,
  buildAuthorization,
  buildJsapiRsaPayParams,
  decryptResource,
  encryptResource,
  loadPrivateKey,
  loadPublicKey,
  parseAuthorization,
  parseNotifyV3,
  requestMessage,
  responseMessage,
  signWechatpayHeaders,
  unixSeconds,
  verifyAuthorization,
  verifyJsapiRsaPayParams,
  verifyWechatpaySignature,
} from '../src/index';
import {
  MERCHANT_PRIVATE_KEY,
  MERCHANT_PUBLIC_KEY,
  PLATFORM_PRIVATE_KEY,
  PLATFORM_PUBLIC_KEY,
} from './helpers/v3-keys';

const { AesGcm } = Aes;
const merchantKey = loadPrivateKey(MERCHANT_PRIVATE_KEY);
const merchantPublic = loadPublicKey(MERCHANT_PUBLIC_KEY);
const platformKey = loadPrivateKey(PLATFORM_PRIVATE_KEY);
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000001';
const keys = new WechatpayKeyRing().addPublicKey(PUB_KEY_ID, PLATFORM_PUBLIC_KEY);
const API_V3_KEY = 'Zc6Wd1Fh3Jp5Gs0AvYx7Kq2Lm9Tn4Rb8';

// Bodies that catch re-serialisation and encoding mistakes: empty, multi-byte, escapes, trailing whitespace.
const BODIES = [
  '',
  '{"prepay_id":"wx26112221580621e9b071c00d9e093b0000"}',
  '{"description":"Image形象店-深圳腾大-QQ公仔 🐧","amount":{"total":1}}',
  '{"a":"line\\nbreak","b":"\\u00e9","c":[1,2,3]}',
  '{"x":1}\n',
];
const URLS = [
  '/v3/pay/transactions/jsapi',
  '/v3/pay/transactions/out-trade-no/T%201?mchid=1230000109',
  '/v3/certificates',
];
const merchantSigner = Rsa.from(MERCHANT_PRIVATE_KEY, Rsa.KEY_TYPE_PRIVATE);
const platformSigner = Rsa.from(PLATFORM_PRIVATE_KEY, Rsa.KEY_TYPE_PRIVATE);
const merchantVerifier = Rsa.from(MERCHANT_PUBLIC_KEY, Rsa.KEY_TYPE_PUBLIC);
const platformVerifier = Rsa.from(PLATFORM_PUBLIC_KEY, Rsa.KEY_TYPE_PUBLIC);

describe('request signature', () => {
  const cases = BODIES.flatMap((body) => URLS.map((url) => [url, body] as const));
  it.each(cases)('ours verifies there: %s %j', (url, body) => {
    const mchId = '1230000109';
    const input = { mchId, serialNo: 'ABC123', privateKey: merchantKey, method: 'POST', url, body };
    const header = buildAuthorization(input);
    const p = parseAuthorization(header)!;
    const theirMessage = Formatter.request('POST', url, p.timestamp, p.nonce_str, body);
    expect(requestMessage('POST', url, p.timestamp, p.nonce_str, body)).toBe(theirMessage);
    expect(Rsa.verify(theirMessage, p.signature, merchantVerifier)).toBe(true);
  });

  it.each(BODIES)('theirs verifies here: %j', (body) => {
    const ts = unixSeconds();
    const nonce = Formatter.nonce();
    const url = URLS[1]!;
    const signature = Rsa.sign(Formatter.request('GET', url, ts, nonce, body), merchantSigner);
    const header = Formatter.authorization('1230000109', nonce, signature, ts, 'ABC123');
    const p = parseAuthorization(header);
    expect(p).not.toBeNull();
    expect(verifyAuthorization(p!, { method: 'GET', url, body }, merchantPublic)).toBe(true);
    expect(verifyAuthorization(p!, { method: 'POST', url, body }, merchantPublic)).toBe(false);
  });
});

describe('response and notification signature', () => {
  it.each(BODIES)('ours verifies there, theirs verifies here: %j', (body) => {
    const ours = signWechatpayHeaders(body, platformKey, PUB_KEY_ID);
    const message = Formatter.response(ours.timestamp, ours.nonce, body);
    expect(responseMessage(ours.timestamp, ours.nonce, body).toString('utf8')).toBe(message);
    expect(Rsa.verify(message, ours.signature, platformVerifier)).toBe(true);

    const ts = unixSeconds();
    const nonce = Formatter.nonce();
    const theirs = Rsa.sign(Formatter.response(ts, nonce, body), platformSigner);
    const headers = { timestamp: ts, nonce, signature: theirs, serial: PUB_KEY_ID };
    expect(() => verifyWechatpaySignature(headers, Buffer.from(body), keys)).not.toThrow();
  });
});

describe('AEAD_AES_256_GCM', () => {
  const plaintexts = ['', 'hello', '{"trade_state":"SUCCESS","trade_state_desc":"支付成功"}', 'x'.repeat(5000)];
  const cases = plaintexts.map((p, i) => [i, p] as const);
  it.each(cases)('ours decrypts there, theirs decrypts here (#%i)', (_i, plaintext) => {
    const nonce = Formatter.nonce(12);
    const ours = encryptResource(plaintext, API_V3_KEY, nonce, 'transaction');
    expect(AesGcm.decrypt(ours, API_V3_KEY, nonce, 'transaction')).toBe(plaintext);
    const theirs = AesGcm.encrypt(plaintext, API_V3_KEY, nonce, 'transaction');
    expect(theirs).toBe(ours);
    const resource = { algorithm: 'AEAD_AES_256_GCM', ciphertext: theirs, nonce, associated_data: 'transaction' };
    expect(decryptResource(resource, API_V3_KEY).toString('utf8')).toBe(plaintext);
  });

  it('a whole notification built by the plugin parses here', () => {
    const plain = JSON.stringify({
      appid: 'wxd678efh567hg6787',
      mchid: '1230000109',
      out_trade_no: 'CROSS0001',
      transaction_id: '4200000000000000000000000001',
      trade_type: 'NATIVE',
      trade_state: 'SUCCESS',
      amount: { total: 1, payer_total: 1, currency: 'CNY' },
    });
    const nonce = Formatter.nonce(12);
    const body = JSON.stringify({
      id: 'EV-X',
      create_time: '2026-01-01T10:00:00+08:00',
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: AesGcm.encrypt(plain, API_V3_KEY, nonce, 'transaction'),
        associated_data: 'transaction',
        nonce,
      },
    });
    const ts = unixSeconds();
    const headerNonce = Formatter.nonce();
    const headers = {
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': headerNonce,
      'wechatpay-serial': PUB_KEY_ID,
      'wechatpay-signature': Rsa.sign(Formatter.response(ts, headerNonce, body), platformSigner),
    };
    const options = { appId: 'wxd678efh567hg6787', mchId: '1230000109', apiV3Key: API_V3_KEY, keys };
    const n = parseNotifyV3(headers, body, options);
    expect(n).toMatchObject({ kind: 'payment', outTradeNo: 'CROSS0001', totalFen: 1, paid: true });
  });
});

describe('JSAPI paySign (RSA)', () => {
  it('ours verifies there, theirs verifies here', () => {
    const appId = 'wxd678efh567hg6787';
    const ours = buildJsapiRsaPayParams({ appId, prepayId: 'wx2611222158062', privateKey: merchantKey });
    const message = Formatter.joinedByLineFeed(ours.appId, ours.timeStamp, ours.nonceStr, ours.package);
    expect(Rsa.verify(message, ours.paySign, merchantVerifier)).toBe(true);

    const unsigned = { appId, timeStamp: unixSeconds(), nonceStr: Formatter.nonce(), package: 'prepay_id=wx1' };
    const paySign = Rsa.sign(
      Formatter.joinedByLineFeed(unsigned.appId, unsigned.timeStamp, unsigned.nonceStr, unsigned.package),
      merchantSigner,
    );
    expect(verifyJsapiRsaPayParams({ ...unsigned, signType: 'RSA', paySign }, merchantPublic)).toBe(true);
  });
});

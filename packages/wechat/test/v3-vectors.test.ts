/** v3 vectors V9–V13 of wechat-protocol.md §12 (keys in its Appendix A). */
import { describe, expect, it } from 'vitest';
import {
  WechatpayKeyRing,
  buildAuthorization,
  buildJsapiRsaPayParams,
  decryptResource,
  encryptResource,
  jsapiPayMessage,
  loadPrivateKey,
  loadPublicKey,
  parseAuthorization,
  parseNotifyV3,
  requestMessage,
  responseMessage,
  rsaSign,
  signWechatpayHeaders,
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
import { V12_BODY, V12_CIPHERTEXT, V12_KEY, V12_PLAINTEXT, V12_SIGNATURE } from './helpers/v3-vectors';

const merchantKey = loadPrivateKey(MERCHANT_PRIVATE_KEY);
const merchantPublic = loadPublicKey(MERCHANT_PUBLIC_KEY);
const platformKey = loadPrivateKey(PLATFORM_PRIVATE_KEY);
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const keys = new WechatpayKeyRing().addPublicKey(PUB_KEY_ID, PLATFORM_PUBLIC_KEY);

const V9_BODY =
  '{"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"Image形象店-深圳腾大-QQ公仔",' +
  '"out_trade_no":"1217752501201407033233368018","notify_url":"https://www.weixin.qq.com/wxpay/pay.php",' +
  '"amount":{"total":100,"currency":"CNY"},"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}';
const V9_POST_SIGNATURE =
  'BuwsTT4n4I2Wzjai90Q7o6Mk3qAT25IBDr2JtucHFxRqov6HWrJifz3OQvumjQ/DqI/3B6fAKTBq+t6NIgIa9R9KvDJ47eWcZvUWGbB/gDFc' +
  'jorpzcHOiLh' +
  'IDN2StRetxe2p2w28rbNSlj4Rg6JMfbonGdQHsgChOlv6oKN//SXwAj2pvzgXR4CRUL7F8cf65mahBP2s3T1zE7qm20s0IQ4sy4pxkJNuCqQ' +
  'QGaY9RCRRDvG' +
  'G/sS8eXjoel186hdrOVuuGcYrXbmConYQ8JzNgQdkpBGn99Sdb9xJpNect+wsox4mPEgVl889XL+sZpdaMrHK8EpY8KcKcbujj+2zfg==';
const V9_GET_SIGNATURE =
  'Yjhz9Qhpj1tAnSEWCXAqpOhWXOR6qFrhODu7I1kLNIV5BNRHiWIXVRZeYmTjnUo4+rDam/F+XWfBC6ox8WMnBhjXduUYnPQx0D8IHY/S5/ty' +
  'U+skCpzetug2' +
  'sSZUisLmciZOxxY0WntGCc4um95XSbfVAYCcLLP42+DyzTAyHHQ+0hmEgGr4gYS5ErsHEQaJzHYba6xxPr8TGjFVDg/dRNbHFkuR+qm2K7z6' +
  '1RVvk6mW1+2v' +
  'dEfGWYQRqwpPKD8LTQtRlUGE5kDGqAvjhYpVJLVbPJRbUOGMw4hFC5XFZ1sMQlqaZuxgoy2Ull1UYXw6W2Z5Eo7SfcpPbQPNY83ANw==';

describe('V9 request Authorization', () => {
  const common = {
    mchId: '1230000109',
    serialNo: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
    privateKey: merchantKey,
    timestamp: '1554208460',
    nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
  };

  it('POST: the five-line message, the signature and the header, byte for byte', () => {
    expect(requestMessage('POST', '/v3/pay/transactions/jsapi', common.timestamp, common.nonce, V9_BODY)).toBe(
      `POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n${V9_BODY}\n`,
    );
    const header = buildAuthorization({ ...common, method: 'POST', url: '/v3/pay/transactions/jsapi', body: V9_BODY });
    expect(header).toBe(
      'WECHATPAY2-SHA256-RSA2048 mchid="1230000109",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",' +
        `signature="${V9_POST_SIGNATURE}",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`,
    );
    const parsed = parseAuthorization(header);
    expect(parsed?.signature).toBe(V9_POST_SIGNATURE);
    const request = { method: 'POST', url: '/v3/pay/transactions/jsapi', body: V9_BODY };
    expect(verifyAuthorization(parsed!, request, merchantPublic)).toBe(true);
    expect(verifyAuthorization(parsed!, { ...request, body: `${V9_BODY} ` }, merchantPublic)).toBe(false);
  });

  it('GET with a query: the body line is empty but still ends in LF', () => {
    const url = '/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1230000109';
    expect(requestMessage('GET', url, common.timestamp, common.nonce)).toMatch(/593BEC0C930BF1AFEB40B4A08C8FB242\n\n$/);
    const parsed = parseAuthorization(buildAuthorization({ ...common, method: 'GET', url }));
    expect(parsed?.signature).toBe(V9_GET_SIGNATURE);
  });

  it('parses pairs in any order and refuses a malformed or incomplete header', () => {
    const reordered = `WECHATPAY2-SHA256-RSA2048 serial_no="S",timestamp="1",signature="x",nonce_str="n",mchid="1"`;
    const expected = { mchid: '1', nonce_str: 'n', signature: 'x', timestamp: '1', serial_no: 'S' };
    expect(parseAuthorization(reordered)).toEqual(expected);
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n"')).toBeNull();
    expect(parseAuthorization(reordered.replace('WECHATPAY2', 'WECHATPAY1'))).toBeNull();
    expect(parseAuthorization(`${reordered},mchid="2"`)).toBeNull();
  });
});

describe('V10 response signature', () => {
  const body = '{"prepay_id":"wx26112221580621e9b071c00d9e093b0000"}';
  const ts = '1554209980';
  const nonce = 'c5ac7061fccab6bf3e254dcf98995b8c';
  const now = new Date(1554209980_000 + 60_000);

  it('signs and verifies the 200 body', () => {
    const h = signWechatpayHeaders(body, platformKey, PUB_KEY_ID, { timestamp: ts, nonce });
    expect(h.signature).toBe(
      'Cg28tztjDNqw1Bu+jcjnB6dD3qN+cCjdk4FZ/gnhYN7CymXuF5mqNcMdVWhSWWJEgvErVvwUpnnuAduieklr2uudOtEq7pd7AbEOLSAc' +
        'YXmnj/WUlK6cu/ftGVnF' +
        'pGGAGigUPm9o5XDpb/JEkq3kpU0Gg7s92SO7USL0agD2NAXo4JJbZRulH8eSAUDXBxj1GhrqwayZgGVg03rOBadPU4a15SyWA0Xpr8' +
        'UHzlqusPD/j1P/ifamYjRt' +
        'NOHXrYH/yxZvNDtstMtAbB4PVRbhz0UvVu2S9/pqrcT6nLr9NXOXDtAwWUOq2OjfRl2cSfh/5+5WEkJVYS9soSSXeApazA==',
    );
    expect(() => verifyWechatpaySignature(h, body, keys, { now })).not.toThrow();
  });

  it('signs the empty body of a 204 as "ts\\nnonce\\n\\n"', () => {
    expect(responseMessage(ts, nonce, '').toString()).toBe(`${ts}\n${nonce}\n\n`);
    const h = signWechatpayHeaders('', platformKey, PUB_KEY_ID, { timestamp: ts, nonce });
    expect(h.signature).toBe(
      'aHkHhwZmNrHfbznixzdRJHoGAd+UybxOJO3TY3e3yUqGN7x6Oo5PpR/B7n5ePad8dSf8cRHYLuA79ZzMjdPM5sUQCfMBCWtHzXGUliBb' +
        '5jiw+gdDhA+FelfaBOlR' +
        'VImQrd5Zwh5DSg70PF9ny0/0YECDPmfoBlOJIRXrKHqC1CtRMNgatsJ3CsyjD0KO8jQeEYS99a0hxlKNfCUloqCTykn/QsQ94Gu0Uq' +
        'vnKGWVPRTsPwxKbvb43ic4' +
        'HCq9f64ZUhcy4sZCdOZXHHkop3P0Z90Qcm9Xy7E4knZOzmriVbsBzF5f0cfC0Ns0rXYdOFUS1PgWm8DebRIf73QOg4TXzA==',
    );
    expect(() => verifyWechatpaySignature(h, Buffer.alloc(0), keys, { now })).not.toThrow();
  });
});

describe('V11 JSAPI paySign (RSA)', () => {
  it('four lines, signType RSA not signed', () => {
    const p = buildJsapiRsaPayParams({
      appId: 'wx8888888888888888',
      prepayId: 'wx201410272009395522657a690389285100',
      privateKey: merchantKey,
      timeStamp: '1414561699',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    });
    expect(jsapiPayMessage(p)).toBe(
      'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a6903' +
        '89285100\n',
    );
    expect(p.signType).toBe('RSA');
    expect(p.paySign).toBe(
      'sfXNbuFut8SnhAdXpoJyqahvjvM9pduwfgET/tb+f5cz9MkLYS4R/+DXA23VMhBu1nr9jfKV0AbvuBXD3PlFcLjILGLIKHqL2L2jFtBu' +
        'bn5fW+1SaKJXGmBryimh' +
        '+5wZjPIU2woZupDrSdyzApI11YkjwWOFn/OWsRvqFFgU/dybP2ck49fXhdCDuQMRAFMOY3blIIzdi1yDot8iEKkbZ58tq82DXBqHKa' +
        'SPc7vT4vJq4skqslueQAZw' +
        'n0nCFFBWm1v+MCxxgHIdV01K/c68EQcHRGQOJjRBq9SAeJo4aiLJfY6Us9mzJ60XyaPjmnt5uP653qEbNy1q54GzVLln8A==',
    );
    expect(verifyJsapiRsaPayParams(p, merchantPublic)).toBe(true);
    expect(verifyJsapiRsaPayParams({ ...p, timeStamp: '1414561700' }, merchantPublic)).toBe(false);
    expect(verifyJsapiRsaPayParams({ ...p, signType: 'MD5' }, merchantPublic)).toBe(false);
    const prefixed = { appId: 'wx1', prepayId: 'prepay_id=wx1', privateKey: merchantKey };
    expect(() => buildJsapiRsaPayParams(prefixed)).toThrow(/bare prepay_id/);
  });
});

describe('V12 notification', () => {
  const resource = {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: V12_CIPHERTEXT,
    associated_data: 'transaction',
    nonce: 'fdasflkja484',
  };

  it('encrypts to the vector and decrypts back', () => {
    expect(encryptResource(V12_PLAINTEXT, V12_KEY, 'fdasflkja484', 'transaction')).toBe(V12_CIPHERTEXT);
    expect(decryptResource(resource, V12_KEY).toString('utf8')).toBe(V12_PLAINTEXT);
  });

  it('the header signature over the exact body bytes, then the whole notification decoded', () => {
    const headers = { timestamp: '1554209980', nonce: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', serial: PUB_KEY_ID };
    expect(rsaSign(responseMessage(headers.timestamp, headers.nonce, V12_BODY), platformKey)).toBe(V12_SIGNATURE);
    const wire = {
      'wechatpay-timestamp': headers.timestamp,
      'wechatpay-nonce': headers.nonce,
      'wechatpay-signature': V12_SIGNATURE,
      'wechatpay-serial': PUB_KEY_ID,
    };
    const n = parseNotifyV3(wire, Buffer.from(V12_BODY), {
      appId: 'wxd678efh567hg6787',
      mchId: '1230000109',
      apiV3Key: V12_KEY,
      keys,
      now: new Date(1554209980_000),
    });
    expect(n).toMatchObject({
      kind: 'payment',
      outTradeNo: '1217752501201407033233368018',
      transactionId: '1217752501201407033233368018',
      totalFen: 100,
      payerTotalFen: 100,
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      tradeType: 'JSAPI',
      paid: true,
      attach: '自定义数据',
      envelope: { id: 'EV-2018022511223320873', eventType: 'TRANSACTION.SUCCESS' },
    });
    expect(n.kind === 'payment' && n.paidAt?.toISOString()).toBe('2018-06-08T02:34:56.000Z');
  });
});

describe('V13 AES-GCM format (ciphertext ‖ tag)', () => {
  const key = '0123456789abcdef0123456789abcdef';
  it('empty plaintext is the 16-byte tag alone; "hello" is 5 bytes + tag', () => {
    expect(encryptResource('', key, '0123456789abcdef', '')).toBe('GvpmmdtYwexXIPhySs9Tlg==');
    expect(encryptResource('hello', key, '0123456789abcdef', 'world')).toBe('APoZlYpivU3HjbAiB4CvW1rAFr8J');
    const sealed = {
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: 'APoZlYpivU3HjbAiB4CvW1rAFr8J',
      nonce: '0123456789abcdef',
      associated_data: 'world',
    };
    expect(decryptResource(sealed, key).toString()).toBe('hello');
  });
});

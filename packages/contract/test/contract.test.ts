import { describe, expect, it } from 'vitest';
import {
  ApiErrorSchema,
  CreateOrderRequestSchema,
  FenSchema,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyKeySchema,
  JsapiPayParamsSchema,
  OrderStatusSchema,
  PayResponseSchema,
  ProductSchema,
  routes,
  RefundRequestSchema,
} from '../src/index';

// V4 of ../shared/wechat-protocol.md (self-computed paySign, MD5).
const v4 = {
  appId: 'wx2421b1c4370ec43b',
  timeStamp: '1395712654',
  nonceStr: 'e61463f8efa94090b1f366cccfbbb444',
  package: 'prepay_id=wx201410272009395522657a690389285100',
  signType: 'MD5',
  paySign: '05F30DD446ED1AFB88D72F6A0F93BAE7',
};

describe('JsapiPayParams', () => {
  it('accepts what getBrandWCPayRequest takes', () => {
    expect(JsapiPayParamsSchema.parse(v4)).toEqual(v4);
  });
  it('rejects a numeric or millisecond timeStamp', () => {
    expect(JsapiPayParamsSchema.safeParse({ ...v4, timeStamp: 1395712654 }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v4, timeStamp: '1395712654000' }).success).toBe(false);
  });
  it('rejects a package without the prepay_id= prefix', () => {
    expect(JsapiPayParamsSchema.safeParse({ ...v4, package: 'wx2014' }).success).toBe(false);
  });
  it('rejects a paySign whose length contradicts signType', () => {
    expect(JsapiPayParamsSchema.safeParse({ ...v4, signType: 'HMAC-SHA256' }).success).toBe(false);
  });
  it('accepts the HMAC-SHA256 variant of V4 (64-char paySign)', () => {
    const hmac = {
      ...v4,
      signType: 'HMAC-SHA256',
      paySign: 'D3C8EC2BB7A501F85B7FE93E298F4CD23C7E8D90F37DF45D716DF18AE7B65F72',
    };
    expect(JsapiPayParamsSchema.parse(hmac)).toEqual(hmac);
    expect(JsapiPayParamsSchema.safeParse({ ...hmac, signType: 'MD5' }).success).toBe(false);
  });
  it('rejects a lower-case paySign, a lower-case or RSA signType and a doubled prepay_id= prefix', () => {
    expect(JsapiPayParamsSchema.safeParse({ ...v4, paySign: v4.paySign.toLowerCase() }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v4, signType: 'md5' }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v4, signType: 'RSA' }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v4, package: `prepay_id=${v4.package}` }).success).toBe(false);
  });
  it('rejects a missing field', () => {
    for (const name of Object.keys(v4)) {
      const partial: Record<string, unknown> = { ...v4 };
      delete partial[name];
      expect([name, JsapiPayParamsSchema.safeParse(partial).success]).toEqual([name, false]);
    }
  });
  it('rejects lower-case names and extra fields', () => {
    const { timeStamp, ...rest } = v4;
    expect(JsapiPayParamsSchema.safeParse({ ...rest, timestamp: timeStamp }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v4, appSecret: 'x' }).success).toBe(false);
  });
});

describe('JsapiPayParams with signType RSA (API v3)', () => {
  // V11 of wechat-protocol.md §12: the four-line paySign with the throw-away merchant key "M".
  const v11 = {
    appId: 'wx8888888888888888',
    timeStamp: '1414561699',
    nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    package: 'prepay_id=wx201410272009395522657a690389285100',
    signType: 'RSA',
    paySign:
      'sfXNbuFut8SnhAdXpoJyqahvjvM9pduwfgET/tb+f5cz9MkLYS4R/+DXA23VMhBu1nr9jfKV0AbvuBXD3PlFcLjILGLIKHqL2L2jFtBubn5fW+1S' +
      'aKJXGmBryimh+5wZjPIU2woZupDrSdyzApI11YkjwWOFn/OWsRvqFFgU/dybP2ck49fXhdCDuQMRAFMOY3blIIzdi1yDot8iEKkbZ58tq82DXBqH' +
      'KaSPc7vT4vJq4skqslueQAZwn0nCFFBWm1v+MCxxgHIdV01K/c68EQcHRGQOJjRBq9SAeJo4aiLJfY6Us9mzJ60XyaPjmnt5uP653qEbNy1q54Gz' +
      'VLln8A==',
  };
  it('accepts the base64 paySign of an RSA-2048 signature', () => {
    expect(JsapiPayParamsSchema.parse(v11)).toEqual(v11);
  });
  it('rejects RSA with a hex paySign, and a v2 signType with a base64 one', () => {
    expect(JsapiPayParamsSchema.safeParse({ ...v11, paySign: v4.paySign }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v11, signType: 'MD5' }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v11, signType: 'HMAC-SHA256' }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v11, signType: 'rsa' }).success).toBe(false);
  });
  it('rejects a truncated or URL-safe base64 paySign', () => {
    expect(JsapiPayParamsSchema.safeParse({ ...v11, paySign: v11.paySign.slice(4) }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v11, paySign: v11.paySign.replace(/\+/g, '-') }).success).toBe(false);
  });
});

describe('CreateOrderRequest', () => {
  it('refuses client-supplied prices', () => {
    const r = CreateOrderRequestSchema.safeParse({ items: [{ productId: 'p1', quantity: 1, priceFen: 1 }] });
    expect(r.success).toBe(false);
  });
  it('refuses zero, fractional and huge quantities', () => {
    for (const quantity of [0, 1.5, 100]) {
      expect(CreateOrderRequestSchema.safeParse({ items: [{ productId: 'p1', quantity }] }).success).toBe(false);
    }
  });
});

describe('RefundRequest', () => {
  it("limits the reason to refund_desc's 80 UTF-8 bytes, not 80 characters", () => {
    // 26 Chinese characters and two letters are exactly 80 bytes; 27 Chinese characters are 81.
    for (const reason of ['x'.repeat(80), `${'退'.repeat(26)}ab`, '']) {
      expect([reason, RefundRequestSchema.safeParse({ reason }).success]).toEqual([reason, true]);
    }
    for (const reason of ['x'.repeat(81), '退'.repeat(27), '😀'.repeat(21)]) {
      expect([reason, RefundRequestSchema.safeParse({ reason }).success]).toEqual([reason, false]);
    }
    const refused = RefundRequestSchema.safeParse({ reason: '退'.repeat(80) });
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['reason'],
      message: 'reason must be at most 80 bytes of UTF-8 (a Chinese character is 3 bytes)',
    });
  });
});

describe('Idempotency-Key', () => {
  it('names the request and replay headers', () => {
    expect(IDEMPOTENCY_KEY_HEADER).toBe('Idempotency-Key');
    expect(IDEMPOTENT_REPLAYED_HEADER).toBe('Idempotent-Replayed');
  });
  it('accepts a UUID, 32 hex digits and the 16 and 64 character bounds', () => {
    for (const key of [
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      'a'.repeat(16),
      'A_z-09'.padEnd(64, 'x'),
      '3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e',
    ]) {
      expect([key, IdempotencyKeySchema.safeParse(key).success]).toEqual([key, true]);
    }
  });
  it('refuses short, long, empty and non-token keys, with a message naming the rule', () => {
    for (const key of [
      '',
      'a'.repeat(15),
      'a'.repeat(65),
      'key with spaces 0000',
      'k'.repeat(16) + '=',
      'ключключключключ',
      'a'.repeat(16) + '\n',
      'a'.repeat(16) + ', ' + 'b'.repeat(16),
    ]) {
      expect([key, IdempotencyKeySchema.safeParse(key).success]).toEqual([key, false]);
    }
    const refused = IdempotencyKeySchema.safeParse('short');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('Idempotency-Key must be 16-64 characters of A-Z a-z 0-9 _ -');
  });
  it('exposes the same rule as a plain pattern (no zod needed in the storefront)', () => {
    expect(IDEMPOTENCY_KEY_PATTERN.test('a'.repeat(16))).toBe(true);
    expect(IDEMPOTENCY_KEY_PATTERN.test('a'.repeat(15))).toBe(false);
    // No g/y flag: a shared regex with one would make .test() remember where it stopped.
    expect(IDEMPOTENCY_KEY_PATTERN.flags).toBe('');
  });
});

describe('PayResponse', () => {
  it('discriminates JSAPI and NATIVE', () => {
    expect(PayResponseSchema.parse({ tradeType: 'JSAPI', payParams: v4 }).tradeType).toBe('JSAPI');
    expect(PayResponseSchema.safeParse({ tradeType: 'NATIVE', codeUrl: 'http://evil' }).success).toBe(false);
  });
  it('carries an H5 answer with an http(s) h5Url only', () => {
    const h5Url = 'https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2016&package=1037687096';
    expect(PayResponseSchema.parse({ tradeType: 'H5', h5Url })).toEqual({ tradeType: 'H5', h5Url });
    expect(PayResponseSchema.safeParse({ tradeType: 'H5', h5Url: 'javascript:alert(1)' }).success).toBe(false);
    expect(PayResponseSchema.safeParse({ tradeType: 'H5', h5Url: 'weixin://wxpay/x' }).success).toBe(false);
    expect(PayResponseSchema.safeParse({ tradeType: 'H5', codeUrl: h5Url }).success).toBe(false);
  });
});

describe('OrderStatus, Fen and ApiError', () => {
  it('has exactly the six order statuses of the issue', () => {
    expect(OrderStatusSchema.options).toEqual(['PENDING', 'PAID', 'CLOSED', 'REFUNDING', 'REFUNDED', 'FAILED']);
  });
  it('takes amounts as non-negative safe integers of fen only', () => {
    expect(FenSchema.safeParse(0).success).toBe(true);
    for (const bad of [-1, 0.5, '1', 2 ** 53, Number.NaN]) expect(FenSchema.safeParse(bad).success).toBe(false);
  });
  it('describes the error body shape and refuses unknown codes', () => {
    expect(
      ApiErrorSchema.parse({ error: { code: 'CONFLICT', message: 'order already paid', requestId: 'r1' } }).error.code,
    ).toBe('CONFLICT');
    expect(ApiErrorSchema.safeParse({ error: { code: 'TEAPOT', message: 'x' } }).success).toBe(false);
    expect(ApiErrorSchema.safeParse({ code: 'CONFLICT', message: 'x' }).success).toBe(false);
  });
});

describe('Product', () => {
  const product = {
    id: 'mug',
    name: '陶瓷马克杯',
    description: '景德镇手工陶瓷',
    priceFen: 2990,
    imageUrl: '/api/pictures/mug-1.svg?v=abc',
    stock: 3,
    gallery: ['/api/pictures/mug-1.svg?v=abc', '/api/pictures/mug-2.svg?v=def'],
    details: [{ label: '容量', value: '350 毫升' }],
    sevenDayReturns: true,
  };
  it('carries the gallery, the details and the 七天无理由退货 flag', () => {
    expect(ProductSchema.parse(product)).toEqual(product);
  });
  it('refuses an answer without them or with a detail missing its value', () => {
    const { gallery: _gallery, ...withoutGallery } = product;
    expect(ProductSchema.safeParse(withoutGallery).success).toBe(false);
    expect(ProductSchema.safeParse({ ...product, details: [{ label: '容量' }] }).success).toBe(false);
    expect(ProductSchema.safeParse({ ...product, sevenDayReturns: 'yes' }).success).toBe(false);
  });
  it('names the share picture (a PNG) apart from the picture itself', () => {
    expect(routes.productShareImage('green tea')).toBe('/api/products/green%20tea/share.png');
    expect(routes.productImage('green tea')).toBe('/api/products/green%20tea/image');
  });
});

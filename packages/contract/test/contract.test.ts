import { describe, expect, it } from 'vitest';
import { CreateOrderRequestSchema, JsapiPayParamsSchema, PayResponseSchema } from '../src/index';

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
  it('rejects lower-case names and extra fields', () => {
    const { timeStamp, ...rest } = v4;
    expect(JsapiPayParamsSchema.safeParse({ ...rest, timestamp: timeStamp }).success).toBe(false);
    expect(JsapiPayParamsSchema.safeParse({ ...v4, appSecret: 'x' }).success).toBe(false);
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

describe('PayResponse', () => {
  it('discriminates JSAPI and NATIVE', () => {
    expect(PayResponseSchema.parse({ tradeType: 'JSAPI', payParams: v4 }).tradeType).toBe('JSAPI');
    expect(PayResponseSchema.safeParse({ tradeType: 'NATIVE', codeUrl: 'http://evil' }).success).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  payRefusalOf,
  WechatPayBusinessError,
  WechatPayCommunicationError,
  WechatPayV3ApiError,
  WechatTransportError,
} from '../src/index';

describe('payRefusalOf reads v2 and v3 pay errors alike', () => {
  it.each([
    [new WechatPayBusinessError('ORDERPAID', '订单已支付'), 'ORDER_PAID'],
    [new WechatPayV3ApiError(400, 'ORDERPAID', '订单已支付'), 'ORDER_PAID'],
    [new WechatPayBusinessError('ORDERCLOSED', '订单已关闭'), 'ORDER_CLOSED'],
    [new WechatPayV3ApiError(400, 'ORDER_CLOSED', '订单已关闭'), 'ORDER_CLOSED'],
    [new WechatPayBusinessError('ORDERNOTEXIST', '订单不存在'), 'NOT_FOUND'],
    [new WechatPayBusinessError('REFUNDNOTEXIST', '退款不存在'), 'NOT_FOUND'],
    // Status first: a 404 is "not found" whatever the code is spelt.
    [new WechatPayV3ApiError(404, 'ORDERNOTEXIST', ''), 'NOT_FOUND'],
    [new WechatPayV3ApiError(404, 'RESOURCE_NOT_EXISTS', ''), 'NOT_FOUND'],
    [new WechatPayV3ApiError(403, 'NOT_ENOUGH', ''), 'OTHER'],
    [new WechatPayCommunicationError('签名错误'), 'OTHER'],
  ] as const)('%s → %s', (err, kind) => {
    expect(payRefusalOf(err)).toBe(kind);
  });

  it.each([
    new WechatPayV3ApiError(429, 'FREQUENCY_LIMITED', ''),
    new WechatPayV3ApiError(500, 'SYSTEM_ERROR', ''),
    new WechatPayBusinessError('SYSTEMERROR', '系统错误'),
    new WechatTransportError('timeout'),
    new Error('anything else'),
  ])('an outcome that is not known is no refusal: %s', (err) => {
    expect(payRefusalOf(err)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { ApiRequestError, describeError } from '../src/api/errors';
import { fetchOrder } from '../src/api/orders';
import { WeixinBridgeUnavailableError } from '../src/wechat/bridge';
import { mockFetch } from './helpers/fetch-mock';

describe('describeError', () => {
  it('shows a BFF message written for shoppers as is', () => {
    expect(describeError(new ApiRequestError('CONFLICT', '「紫砂壶」库存不足', 409))).toBe('「紫砂壶」库存不足');
  });

  it.each([
    ['UNAUTHENTICATED', 'JSAPI payment needs WeChat sign-in', 401, '请先使用微信登录'],
    ['NOT_FOUND', 'No such order', 404, '没有找到相关内容，可能已删除或链接有误'],
    [
      'CONFLICT',
      'Order is already being paid with NATIVE; create a new order to switch',
      409,
      '订单或库存状态已变化，请刷新后重试',
    ],
    ['UPSTREAM_ERROR', 'WeChat is unavailable, please retry', 502, '微信服务暂时不可用，请稍后重试'],
    ['INTERNAL', 'Internal error', 500, '服务暂时不可用，请稍后重试'],
  ] as const)('replaces the developer message of a %s with Chinese copy', (code, message, status, expected) => {
    expect(describeError(new ApiRequestError(code, message, status, 'req-1'))).toBe(expected);
  });

  it('keeps the client-side Chinese messages (network, bridge timeout)', () => {
    expect(describeError(new ApiRequestError('NETWORK', '网络异常，请检查网络后重试', 0))).toBe(
      '网络异常，请检查网络后重试',
    );
    expect(describeError(new WeixinBridgeUnavailableError())).toBe('未检测到微信支付环境，请在微信中打开');
  });

  it('never shows a raw English exception or a non-error', () => {
    expect(describeError(new TypeError("Cannot read properties of undefined (reading 'status')"))).toBe(
      '出了点问题，请稍后重试',
    );
    expect(describeError('boom')).toBe('出了点问题，请稍后重试');
  });

  it('turns a real English BFF 404 body into Chinese while keeping its request id', async () => {
    mockFetch({
      'GET /api/orders/T1': [
        { status: 404, body: { error: { code: 'NOT_FOUND', message: 'No such order', requestId: 'req-7' } } },
      ],
    });
    const error = await fetchOrder('T1').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, requestId: 'req-7' });
    expect(describeError(error)).toBe('没有找到相关内容，可能已删除或链接有误');
  });
});

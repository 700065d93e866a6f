/**
 * What the error middleware answers for each WeChat failure: a 502 naming no internals, whatever
 * the protocol core threw. A new error class that fell through would become a misleading 500.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorSchema } from '@wxpay-shop/contract';
import {
  WechatPayBusinessError,
  WechatPayCommunicationError,
  WechatPayResponseError,
  WechatSignatureError,
  WechatTransportError,
} from '@wxpay-shop/wechat';
import { errorMiddleware } from '../src/http/errors';

const thrown: Record<string, Error> = {
  response: new WechatPayResponseError('malformed response: missing prepay_id; secret-detail'),
  communication: new WechatPayCommunicationError('签名错误 secret-detail'),
  business: new WechatPayBusinessError('NOTENOUGH', '余额不足 secret-detail'),
  signature: new WechatSignatureError('response sign does not verify secret-detail'),
  transport: new WechatTransportError('connect ECONNREFUSED secret-detail'),
};

describe('WeChat failures through the error middleware', () => {
  let url: string;
  let server: ReturnType<Koa['listen']>;
  beforeAll(async () => {
    const app = new Koa();
    app.use(errorMiddleware);
    app.use((ctx) => {
      throw thrown[ctx.path.split('/').pop()!];
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each(Object.keys(thrown))('%s error → 502 UPSTREAM_ERROR without the raw message', async (name) => {
    const res = await fetch(url + name);
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(ApiErrorSchema.parse(JSON.parse(text)).error.code).toBe('UPSTREAM_ERROR');
    expect(text).not.toMatch(/secret-detail/);
  });
});

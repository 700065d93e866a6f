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
  WechatOAuthError,
  WechatPayBusinessError,
  WechatPayCommunicationError,
  WechatPayResponseError,
  WechatSignatureError,
  WechatTransportError,
  WechatXmlError,
} from '@wxpay-shop/wechat';
import { errorMiddleware } from '../src/http/errors';

const thrown: Record<string, Error> = {
  response: new WechatPayResponseError('malformed response: missing prepay_id; secret-detail'),
  communication: new WechatPayCommunicationError('签名错误 secret-detail'),
  business: new WechatPayBusinessError('NOTENOUGH', '余额不足 secret-detail'),
  signature: new WechatSignatureError('response sign does not verify secret-detail', 'upstream'),
  transport: new WechatTransportError('connect ECONNREFUSED secret-detail'),
  xml: new WechatXmlError('malformed XML secret-detail', 'MALFORMED', 'upstream'),
  oauth: new WechatOAuthError(40029, 'invalid code secret-detail'),
};

/** Not WeChat's failure: a value of ours that XML cannot carry is a bug here, so a generic 500. */
const ours: Record<string, Error> = {
  local: new WechatXmlError(
    'field <body> contains a character XML cannot carry secret-detail',
    'INVALID_CHAR',
    'local',
  ),
};

describe('WeChat failures through the error middleware', () => {
  let url: string;
  let server: ReturnType<Koa['listen']>;
  beforeAll(async () => {
    const app = new Koa();
    app.use(errorMiddleware);
    app.use((ctx) => {
      const name = ctx.path.split('/').pop()!;
      throw thrown[name] ?? ours[name];
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

  it.each(Object.keys(ours))('%s WechatError → 500 INTERNAL, not an upstream failure', async (name) => {
    const res = await fetch(url + name);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(ApiErrorSchema.parse(JSON.parse(text)).error.code).toBe('INTERNAL');
    expect(text).not.toMatch(/secret-detail/);
  });
});

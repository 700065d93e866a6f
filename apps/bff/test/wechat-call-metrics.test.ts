import { describe, expect, it } from 'vitest';
import {
  WechatOAuthError,
  WechatPayBusinessError,
  WechatPayCommunicationError,
  WechatSignatureError,
  WechatTransportError,
  WechatXmlError,
} from '@wxpay-shop/wechat';
import { createMetrics } from '../src/metrics/metrics';
import { instrumentClient } from '../src/metrics/wechat-calls';
import { parseSamples, sampleKey } from './helpers/metrics';

/** A stand-in client whose `call` fails with `failure` (or succeeds), and whose `other` is not instrumented. */
function fakeClient(failure: unknown) {
  return {
    label: 'fake',
    async call(): Promise<string> {
      if (failure) throw failure;
      return 'ok';
    },
    async other(): Promise<string> {
      return 'other';
    },
  };
}

describe('WeChat call metrics', () => {
  it.each([
    ['success', null],
    ['business_refusal', new WechatPayBusinessError('NOTENOUGH', 'balance')],
    ['business_refusal', new WechatPayCommunicationError('invalid sign')],
    ['business_refusal', new WechatOAuthError(40163, 'code been used')],
    ['timeout', new WechatTransportError('POST /pay/orderquery timed out after 10000 ms')],
    ['upstream_error', new WechatTransportError('POST /pay/orderquery answered HTTP 502', 502)],
    ['upstream_error', new WechatSignatureError('response sign does not verify', 'upstream')],
    // SYSTEMERROR: WeChat may still complete it, so not a refusal.
    ['upstream_error', new WechatPayBusinessError('SYSTEMERROR', 'busy')],
    ['upstream_error', new WechatXmlError('response is not XML', 'MALFORMED', 'upstream')],
    ['local_error', new Error('orderQuery: outTradeNo must be 1-32 characters')],
  ])(
    'counts and times a call that ends as %s, passing its result or error through unchanged',
    async (result, failure) => {
      const metrics = createMetrics({ processMetrics: false });
      const client = instrumentClient(fakeClient(failure), { call: '/pay/orderquery' }, metrics);
      if (failure) await expect(client.call()).rejects.toBe(failure);
      else await expect(client.call()).resolves.toBe('ok');
      expect(await client.other()).toBe('other');
      expect(client.label).toBe('fake');
      const samples = parseSamples(await metrics.registry.metrics());
      expect(samples.get(sampleKey('wxpay_wechat_calls_total', { endpoint: '/pay/orderquery', result }))).toBe(1);
      expect(samples.get(sampleKey('wxpay_wechat_call_duration_seconds_count', { endpoint: '/pay/orderquery' }))).toBe(
        1,
      );
      // Only the named methods are instrumented.
      expect([...samples.keys()].filter((k) => k.startsWith('wxpay_wechat_calls_total'))).toHaveLength(1);
    },
  );
});

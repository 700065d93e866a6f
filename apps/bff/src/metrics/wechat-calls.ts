/** Counts and times every call a WeChat client makes, by endpoint and how it ended. */
import { WechatError, WechatTransportError } from '@wxpay-shop/wechat';
import type { Metrics, WechatCallResult } from './metrics';

/** The protocol clients' deadlines say "timed out after N ms" (pay/v2/xml-transport, oauth). */
const TIMED_OUT = /timed out/;

/**
 * How a failed call ended, for the `result` label: WeChat definitely said no (`refused`, e.g. ORDERPAID
 * or a spent OAuth code), or the outcome is unknown (no answer, a 5xx, SYSTEMERROR, an answer we cannot
 * trust or use), of which a timeout is told apart.
 */
export function wechatCallResult(err: unknown): WechatCallResult {
  // An argument check before sending, or a value XML cannot carry: nothing reached WeChat.
  if (!(err instanceof WechatError) || err.source === 'local') return 'local_error';
  if (err instanceof WechatTransportError && TIMED_OUT.test(err.message)) return 'timeout';
  return err.outcome === 'refused' ? 'business_refusal' : 'upstream_error';
}

/**
 * `client` with the methods named in `endpoints` counted and timed under that endpoint label (WeChat's
 * path). Everything else, and every result and error, passes through unchanged.
 */
export function instrumentClient<T extends object>(
  client: T,
  endpoints: Partial<Record<keyof T & string, string>>,
  metrics: Metrics,
): T {
  return new Proxy(client, {
    get(target, property) {
      // The client itself as `this`, so getters and #private fields behave as without the proxy.
      const value: unknown = Reflect.get(target, property, target);
      const endpoint = typeof property === 'string' ? endpoints[property as keyof T & string] : undefined;
      if (endpoint === undefined || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const stopTimer = metrics.wechatCallSeconds.startTimer({ endpoint });
        let result: WechatCallResult = 'success';
        try {
          return (await value.apply(target, args)) as unknown;
        } catch (err) {
          result = wechatCallResult(err);
          throw err;
        } finally {
          stopTimer();
          metrics.wechatCalls.inc({ endpoint, result });
        }
      };
    },
  });
}

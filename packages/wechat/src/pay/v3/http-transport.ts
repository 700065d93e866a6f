/** API v3's HTTP(S) exchange: the shared one, with v3's error for an oversized answer. */
import { exchange as exchangeHttp, type HttpAnswer, type HttpExchange } from '../http-exchange';
import { WechatJsonError } from './errors';

export type { HttpAnswer, HttpExchange };

export interface HttpOptions {
  timeoutMs: number;
  maxBytes: number;
  /** An extra CA to trust (e.g. the emulator's), added to Node's bundled roots. */
  ca?: string | Buffer;
}

/** Rejects with WechatTransportError (network, TLS, timeout) or WechatJsonError TOO_LARGE. */
export function exchange(url: URL, request: HttpExchange, options: HttpOptions): Promise<HttpAnswer> {
  return exchangeHttp(url, request, {
    ...options,
    tooLarge: (message) => new WechatJsonError(message, 'TOO_LARGE', 'upstream'),
  });
}

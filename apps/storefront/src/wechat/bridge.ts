import type { JsapiPayParams } from '@wxpay-shop/contract';
import type { WeixinBridgeResponse, WeixinJSBridge } from './bridge-types';

export const BRIDGE_UNAVAILABLE_MESSAGE = '未检测到微信支付环境，请在微信中打开';

export class WeixinBridgeUnavailableError extends Error {
  constructor() {
    super(BRIDGE_UNAVAILABLE_MESSAGE);
    this.name = 'WeixinBridgeUnavailableError';
  }
}

const READY_EVENTS = ['WeixinJSBridgeReady', 'onWeixinJSBridgeReady'] as const;

/**
 * Resolves with WeixinJSBridge once WeChat has injected it. The bridge may already exist,
 * or arrive later via `WeixinJSBridgeReady` (addEventListener, or attachEvent on very old
 * clients, under either event name). Rejects after `timeoutMs` outside WeChat, or when `signal`
 * aborts.
 */
export function waitForWeixinBridge({
  timeoutMs = 5000,
  signal,
}: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<WeixinJSBridge> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const present = window.WeixinJSBridge;
  if (present) return Promise.resolve(present);

  return new Promise((resolve, reject) => {
    // The page moved on (another order, unmount): drop the listeners and the timer now.
    const onAbort = (): void => {
      cleanup();
      reject(abortReason(signal));
    };
    const onReady = (): void => {
      const bridge = window.WeixinJSBridge;
      if (!bridge) return; // event without a bridge: keep waiting
      cleanup();
      resolve(bridge);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new WeixinBridgeUnavailableError());
    }, timeoutMs);
    function cleanup(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      document.removeEventListener('WeixinJSBridgeReady', onReady, false);
      for (const name of READY_EVENTS) document.detachEvent?.(name, onReady);
    }

    signal?.addEventListener('abort', onAbort, { once: true });
    document.addEventListener('WeixinJSBridgeReady', onReady, false);
    for (const name of READY_EVENTS) document.attachEvent?.(name, onReady);
  });
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('The wait for WeixinJSBridge was aborted', 'AbortError');
}

export type JsapiPayOutcome = { result: 'ok' } | { result: 'cancel' } | { result: 'fail'; errDesc: string };

const RESULT_PATTERN = /^get_brand_wcpay_request:(ok|cancel|fail)/;

/** Maps a bridge callback to an outcome, or null for unrelated callbacks (e.g. pre_verify_jsapi:ok). */
export function parsePayCallback(res: WeixinBridgeResponse): JsapiPayOutcome | null {
  const message = res.err_msg ?? res.errMsg;
  const match = typeof message === 'string' ? RESULT_PATTERN.exec(message) : null;
  if (!match) return null;
  const result = match[1] as 'ok' | 'cancel' | 'fail';
  if (result !== 'fail') return { result };
  const desc = typeof res.err_desc === 'string' && res.err_desc.trim() ? res.err_desc : '支付失败，请稍后重试';
  return { result: 'fail', errDesc: desc };
}

/**
 * Opens WeChat's pay sheet with the BFF's params, passed through untouched (every value
 * is a string; timeStamp included). `ok` only means the client says so: the order must
 * still be confirmed with the BFF before showing success.
 */
export function invokeGetBrandWCPayRequest(bridge: WeixinJSBridge, params: JsapiPayParams): Promise<JsapiPayOutcome> {
  return new Promise((resolve) => {
    bridge.invoke('getBrandWCPayRequest', params, (res) => {
      const outcome = parsePayCallback(res ?? {});
      if (!outcome) return; // unknown err_msg: wait for the real callback
      resolve(outcome); // later callbacks are no-ops: a promise settles once
    });
  });
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WeixinBridgeResponse, WeixinJSBridge } from '../src/wechat/bridge-types';
import { BRIDGE_UNAVAILABLE_MESSAGE, invokeGetBrandWCPayRequest, waitForWeixinBridge } from '../src/wechat/bridge';
import { isWeChatBrowser } from '../src/wechat/environment';
import { payParams } from './helpers/fixtures';

function fakeBridge(reply: (respond: (res: WeixinBridgeResponse) => void) => void = () => {}) {
  const invoke = vi.fn(
    (_api: string, _params: Record<string, unknown>, callback: (res: WeixinBridgeResponse) => void) => reply(callback),
  );
  return { bridge: { invoke } satisfies WeixinJSBridge, invoke };
}

afterEach(() => {
  delete window.WeixinJSBridge;
  delete document.attachEvent;
  delete document.detachEvent;
  vi.useRealTimers();
});

describe('isWeChatBrowser', () => {
  it('detects the MicroMessenger user agent', () => {
    expect(isWeChatBrowser('Mozilla/5.0 (iPhone) Mobile/9B206 MicroMessenger/5.0')).toBe(true);
    expect(isWeChatBrowser('Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0.0.0 Safari/537.36')).toBe(false);
  });
});

describe('waitForWeixinBridge', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('resolves at once when the bridge is already present', async () => {
    const { bridge } = fakeBridge();
    window.WeixinJSBridge = bridge;
    await expect(waitForWeixinBridge({ timeoutMs: 100 })).resolves.toBe(bridge);
  });

  it('resolves on the WeixinJSBridgeReady document event', async () => {
    const { bridge } = fakeBridge();
    const waiting = waitForWeixinBridge({ timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(300);
    window.WeixinJSBridge = bridge;
    document.dispatchEvent(new Event('WeixinJSBridgeReady'));
    await expect(waiting).resolves.toBe(bridge);
  });

  it.each(['WeixinJSBridgeReady', 'onWeixinJSBridgeReady'])(
    'resolves via document.attachEvent(%s) on old clients',
    async (eventName) => {
      const listeners = new Map<string, () => void>();
      document.attachEvent = vi.fn((event: string, listener: () => void) => void listeners.set(event, listener));
      document.detachEvent = vi.fn();
      const { bridge } = fakeBridge();

      const waiting = waitForWeixinBridge({ timeoutMs: 1000 });
      window.WeixinJSBridge = bridge;
      listeners.get(eventName)?.();

      await expect(waiting).resolves.toBe(bridge);
      expect(document.attachEvent).toHaveBeenCalledWith(eventName, expect.any(Function));
      expect(document.detachEvent).toHaveBeenCalledWith(eventName, expect.any(Function));
    },
  );

  it('rejects with a clear Chinese message after the timeout', async () => {
    const waiting = waitForWeixinBridge({ timeoutMs: 3000 });
    const assertion = expect(waiting).rejects.toThrow(BRIDGE_UNAVAILABLE_MESSAGE);
    await vi.advanceTimersByTimeAsync(2999);
    document.dispatchEvent(new Event('WeixinJSBridgeReady')); // event without a bridge is ignored
    await vi.advanceTimersByTimeAsync(1);
    await assertion;
    expect(BRIDGE_UNAVAILABLE_MESSAGE).toBe('未检测到微信支付环境，请在微信中打开');
  });

  it('stops waiting when its signal aborts: rejects with AbortError, no timer or listener left', async () => {
    const listeners = new Map<string, () => void>();
    document.attachEvent = vi.fn((event: string, listener: () => void) => void listeners.set(event, listener));
    document.detachEvent = vi.fn((event: string) => void listeners.delete(event));
    const removeListener = vi.spyOn(document, 'removeEventListener');
    const controller = new AbortController();

    const waiting = waitForWeixinBridge({ timeoutMs: 3000, signal: controller.signal });
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners.size).toBe(0);
    expect(removeListener).toHaveBeenCalledWith('WeixinJSBridgeReady', expect.any(Function), false);
  });

  it('rejects at once for an already aborted signal, even with the bridge present', async () => {
    window.WeixinJSBridge = fakeBridge().bridge;
    const controller = new AbortController();
    controller.abort();
    await expect(waitForWeixinBridge({ signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('invokeGetBrandWCPayRequest', () => {
  it('maps get_brand_wcpay_request:ok', async () => {
    const { bridge } = fakeBridge((respond) => respond({ err_msg: 'get_brand_wcpay_request:ok' }));
    await expect(invokeGetBrandWCPayRequest(bridge, payParams)).resolves.toEqual({ result: 'ok' });
  });

  it('maps get_brand_wcpay_request:cancel', async () => {
    const { bridge } = fakeBridge((respond) => respond({ err_msg: 'get_brand_wcpay_request:cancel' }));
    await expect(invokeGetBrandWCPayRequest(bridge, payParams)).resolves.toEqual({ result: 'cancel' });
  });

  it('maps get_brand_wcpay_request:fail with its err_desc', async () => {
    const { bridge } = fakeBridge((respond) =>
      respond({ err_msg: 'get_brand_wcpay_request:fail', err_desc: '支付验证签名失败' }),
    );
    await expect(invokeGetBrandWCPayRequest(bridge, payParams)).resolves.toEqual({
      result: 'fail',
      errDesc: '支付验证签名失败',
    });
  });

  it('ignores pre_verify_jsapi:ok and waits for the real callback', async () => {
    let respond: ((res: WeixinBridgeResponse) => void) | undefined;
    const { bridge } = fakeBridge((cb) => {
      respond = cb;
      cb({ err_msg: 'pre_verify_jsapi:ok' });
    });
    let settled = false;
    const outcome = invokeGetBrandWCPayRequest(bridge, payParams).finally(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    respond?.({ err_msg: 'get_brand_wcpay_request:cancel' });
    await expect(outcome).resolves.toEqual({ result: 'cancel' });
  });

  it('passes the params object through unchanged (timeStamp stays a string)', async () => {
    const { bridge, invoke } = fakeBridge((respond) => respond({ err_msg: 'get_brand_wcpay_request:ok' }));
    const params = { ...payParams };
    await invokeGetBrandWCPayRequest(bridge, params);
    expect(invoke).toHaveBeenCalledTimes(1);
    const [api, passed] = invoke.mock.calls[0]!;
    expect(api).toBe('getBrandWCPayRequest');
    expect(passed).toBe(params);
    expect(passed).toEqual(payParams);
    expect(typeof passed.timeStamp).toBe('string');
  });
});

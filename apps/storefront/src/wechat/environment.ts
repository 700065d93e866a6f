/** WeChat's in-app browser always carries `MicroMessenger/<version>` in its user agent. */
export function isWeChatBrowser(userAgent: string): boolean {
  return /MicroMessenger/i.test(userAgent);
}

/**
 * True when the shopper should sign in with WeChat and pay with JSAPI: the WeChat UA, or
 * a WeixinJSBridge already present (only WeChat — or the emulator's bridge.js in dev — has one).
 */
export function isWeChatEnvironment(): boolean {
  return isWeChatBrowser(navigator.userAgent) || typeof window.WeixinJSBridge !== 'undefined';
}

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

/** A phone or tablet browser (the UA names the platform); a desktop gets a QR code instead. */
export function isMobileBrowser(userAgent: string): boolean {
  return /Android|iPhone|iPad|iPod|HarmonyOS|Mobile/i.test(userAgent);
}

/**
 * How this browser pays: JSAPI inside WeChat, H5 in a phone browser outside it (a QR code on the
 * phone itself cannot be scanned), NATIVE QR on a desktop.
 */
export function payTradeType(): 'JSAPI' | 'H5' | 'NATIVE' {
  if (isWeChatEnvironment()) return 'JSAPI';
  return isMobileBrowser(navigator.userAgent) ? 'H5' : 'NATIVE';
}

/**
 * Content-Security-Policy and HSTS values. The built storefront is one module script, one
 * stylesheet and lazy chunks, all from /assets/ on our own origin, with no inline <script> or
 * <style> (Vue's :style writes through the CSSOM, which CSP leaves alone), so the page policy can
 * say 'self' for code and styles. Inside WeChat, WeixinJSBridge is injected by the client itself,
 * outside the page's CSP: JSAPI pay needs no WeChat origin here. The JS-SDK (wx.config, openAddress,
 * share cards) is WeChat's own script, which must be loaded from res.wx.qq.com.
 */

/** Where WeChat serves the JS-SDK script (jweixin-1.6.0.js); the storefront loads it inside WeChat only. */
export const WECHAT_JSSDK_SCRIPT_SOURCE = 'https://res.wx.qq.com';

/** Where WeChat serves the avatars that snsapi_userinfo's headimgurl points at. */
export const WECHAT_AVATAR_SOURCES = ['https://thirdwx.qlogo.cn', 'https://wx.qlogo.cn'] as const;

const WECHAT_API_ORIGIN = 'https://api.weixin.qq.com';

/** For answers that are not pages (JSON, XML, scripts, styles): nothing may load, nothing may frame them. */
export const NO_CONTENT_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** One year. No includeSubDomains: that binds every host under ours, a call for whoever owns the domain. */
export const HSTS = 'max-age=31536000';

export interface PagePolicyOptions {
  /** img-src beyond 'self' and data: (the QR code, the seeded product tiles and the favicon are data: URLs). */
  imgSources: readonly string[];
  /** Production is https-only: any stray http:// subresource (an old http avatar URL) is fetched over https. */
  upgradeInsecureRequests: boolean;
}

export function pagePolicy({ imgSources, upgradeInsecureRequests }: PagePolicyOptions): string {
  const directives: string[][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'", WECHAT_JSSDK_SCRIPT_SOURCE],
    ['style-src', "'self'"],
    ['img-src', "'self'", 'data:', ...new Set(imgSources)],
    // Vant's icon font (the order timeline's step mark, toasts' icons) is an inline data: font; a font runs nothing.
    ['font-src', "'self'", 'data:'],
    ['connect-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
  ];
  if (upgradeInsecureRequests) directives.push(['upgrade-insecure-requests']);
  return directives.map((d) => d.join(' ')).join('; ');
}

/**
 * Image origins the storefront needs: WeChat's avatar hosts, the stand-in that answers userinfo
 * when WECHAT_API_BASE_URL is not WeChat's (the emulator serves its avatars itself), and the
 * operator's own (CSP_IMG_SOURCES, e.g. a product-image CDN).
 */
export function imageSources(apiBaseUrl: string, extra: readonly string[]): string[] {
  const apiOrigin = new URL(apiBaseUrl).origin;
  return [...WECHAT_AVATAR_SOURCES, ...(apiOrigin === WECHAT_API_ORIGIN ? [] : [apiOrigin]), ...extra];
}

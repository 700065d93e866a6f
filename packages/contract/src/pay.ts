/** Paying an order: the sign types, the JSAPI parameters the page hands WeixinJSBridge, and the pay route's shapes. */
import * as z from 'zod/mini';
import { checked } from './checked';

/** WeChat Pay v2 sign types; the JSAPI `signType` must equal the unifiedorder `sign_type`. */
export const SignTypeSchema = z.enum(['MD5', 'HMAC-SHA256']);
export type SignType = z.infer<typeof SignTypeSchema>;

/** The page's `signType`: a v2 sign type, or `RSA` for WeChat Pay API v3 (SHA256withRSA, merchant key). */
export const PaySignTypeSchema = z.enum(['MD5', 'HMAC-SHA256', 'RSA']);
export type PaySignType = z.infer<typeof PaySignTypeSchema>;

/** v2: upper-case hex, 32 chars for MD5, 64 for HMAC-SHA256; v3: base64 of an RSA-2048 signature (256 bytes). */
const PAY_SIGN_PATTERNS: Record<PaySignType, RegExp> = {
  MD5: /^[0-9A-F]{32}$/,
  'HMAC-SHA256': /^[0-9A-F]{64}$/,
  RSA: /^[A-Za-z0-9+/]{342}==$/,
};

/**
 * Exactly the object `WeixinJSBridge.invoke('getBrandWCPayRequest', params, cb)` takes.
 * Every field is a string; names are case-sensitive (`appId`, `timeStamp`).
 */
export const JsapiPayParamsSchema = checked(
  z.strictObject({
    appId: checked(z.string(), z.minLength(1), z.maxLength(32)),
    /** Seconds since the epoch, as a string of 10 digits (never milliseconds, never a number). */
    timeStamp: checked(z.string(), z.regex(/^\d{10}$/, 'timeStamp must be 10 digits of seconds')),
    nonceStr: checked(z.string(), z.minLength(1), z.maxLength(32)),
    /** `prepay_id=` followed by the prepay_id from unifiedorder. */
    package: checked(z.string(), z.regex(/^prepay_id=[A-Za-z0-9_-]{1,64}$/, 'package must be prepay_id=…')),
    signType: PaySignTypeSchema,
    /** Upper-case hex (32 chars for MD5, 64 for HMAC-SHA256), or 344 chars of base64 for RSA. */
    paySign: checked(
      z.string(),
      z.regex(/^([0-9A-F]{32}|[0-9A-F]{64}|[A-Za-z0-9+/]{342}==)$/, 'paySign must be hex or RSA base64'),
    ),
  }),
  z.refine((p) => PAY_SIGN_PATTERNS[p.signType].test(p.paySign), {
    message: 'paySign does not match signType',
    path: ['paySign'],
  }),
);
export type JsapiPayParams = z.infer<typeof JsapiPayParamsSchema>;

/** POST /api/orders/:outTradeNo/pay */
export const PayRequestSchema = z.strictObject({
  /** JSAPI inside WeChat, NATIVE (QR) on a desktop, H5 in a phone browser outside WeChat. */
  tradeType: z._default(z.enum(['JSAPI', 'NATIVE', 'H5']), 'JSAPI'),
});
export type PayRequest = z.input<typeof PayRequestSchema>;

export const PayResponseSchema = z.discriminatedUnion('tradeType', [
  z.object({ tradeType: z.literal('JSAPI'), payParams: JsapiPayParamsSchema }),
  z.object({ tradeType: z.literal('NATIVE'), codeUrl: checked(z.string(), z.startsWith('weixin://')) }),
  /**
   * H5 pay in a phone browser outside WeChat: open `h5Url` (v2 mweb_url, v3 h5_url; valid 5 minutes),
   * optionally with `&redirect_url=` + the URL-encoded return page.
   */
  z.object({ tradeType: z.literal('H5'), h5Url: z.url({ protocol: /^https?$/ }) }),
]);
export type PayResponse = z.infer<typeof PayResponseSchema>;

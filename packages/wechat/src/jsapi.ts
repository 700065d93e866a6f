/** Parameters for `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`. Pure. */
import { safeEqual, sign, type SignType } from './sign';
import { randomString, unixSeconds } from './nonce';

export interface JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: SignType;
  paySign: string;
}

export interface JsapiPayInput {
  appId: string;
  prepayId: string;
  /** Must equal the sign_type of the unifiedorder that produced prepayId. */
  signType: SignType;
  apiKey: string;
  /** Injectable for tests; defaults to now / a fresh random nonce. */
  timeStamp?: string;
  nonceStr?: string;
}

export function buildJsapiPayParams(input: JsapiPayInput): JsapiPayParams {
  const unsigned = {
    appId: input.appId,
    timeStamp: input.timeStamp ?? unixSeconds(),
    nonceStr: input.nonceStr ?? randomString(32),
    package: `prepay_id=${input.prepayId}`,
    signType: input.signType,
  };
  return { ...unsigned, paySign: sign(unsigned, input.apiKey, input.signType) };
}

/** The emulator's (and WeChat's) check of a pay request coming from the page. */
// Typed by key rather than Record<string, unknown> so that a JsapiPayParams (an interface) is accepted too.
export function verifyJsapiPayParams(params: Readonly<{ [K in keyof JsapiPayParams]?: unknown }>, apiKey: string): boolean {
  const { appId, timeStamp, nonceStr, package: pkg, signType, paySign } = params;
  if (![appId, timeStamp, nonceStr, pkg, paySign].every((v) => typeof v === 'string' && v !== '')) return false;
  if (signType !== 'MD5' && signType !== 'HMAC-SHA256') return false;
  const expected = sign(
    { appId: appId as string, timeStamp: timeStamp as string, nonceStr: nonceStr as string, package: pkg as string, signType },
    apiKey,
    signType,
  );
  return safeEqual(expected, paySign as string);
}

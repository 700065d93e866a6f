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

/** What a unifiedorder prepay_id looks like (`wx` + alphanumerics in practice), without the `prepay_id=` prefix. */
const PREPAY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The fields every JSAPI paySign covers, v2 and v3 alike, checked; timeStamp and nonceStr default to now / random. */
export interface JsapiUnsignedFields {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
}

/** Throws on input the page could not pay with (the same rules as the contract's JsapiPayParamsSchema). */
export function jsapiUnsignedFields(input: {
  appId: string;
  prepayId: string;
  timeStamp?: string;
  nonceStr?: string;
}): JsapiUnsignedFields {
  if (!input.appId) throw new Error('JSAPI pay params: appId is required');
  if (input.prepayId.startsWith('prepay_id='))
    throw new Error('JSAPI pay params: pass the bare prepay_id; package adds the prepay_id= prefix');
  if (!PREPAY_ID.test(input.prepayId))
    throw new Error('JSAPI pay params: prepayId must be 1-64 characters of [A-Za-z0-9_-]');
  if (input.timeStamp !== undefined && !/^\d{10}$/.test(input.timeStamp)) {
    throw new Error('JSAPI pay params: timeStamp must be 10 digits of seconds');
  }
  if (input.nonceStr !== undefined && !/^[A-Za-z0-9]{1,32}$/.test(input.nonceStr)) {
    throw new Error('JSAPI pay params: nonceStr must be 1-32 characters of [A-Za-z0-9]');
  }
  return {
    appId: input.appId,
    timeStamp: input.timeStamp ?? unixSeconds(),
    nonceStr: input.nonceStr ?? randomString(32),
    package: `prepay_id=${input.prepayId}`,
  };
}

/** Throws on input the page could not pay with (see jsapiUnsignedFields). */
export function buildJsapiPayParams(input: JsapiPayInput): JsapiPayParams {
  const unsigned = { ...jsapiUnsignedFields(input), signType: input.signType };
  return { ...unsigned, paySign: sign(unsigned, input.apiKey, input.signType) };
}

/** The emulator's (and WeChat's) check of a pay request coming from the page. */
// Typed by key rather than Record<string, unknown> so that a JsapiPayParams (an interface) is accepted too.
export function verifyJsapiPayParams(
  params: Readonly<{ [K in keyof JsapiPayParams]?: unknown }>,
  apiKey: string,
): boolean {
  const { appId, timeStamp, nonceStr, package: pkg, signType, paySign } = params;
  if (![appId, timeStamp, nonceStr, pkg, paySign].every((v) => typeof v === 'string' && v !== '')) return false;
  if (signType !== 'MD5' && signType !== 'HMAC-SHA256') return false;
  const expected = sign(
    {
      appId: appId as string,
      timeStamp: timeStamp as string,
      nonceStr: nonceStr as string,
      package: pkg as string,
      signType,
    },
    apiKey,
    signType,
  );
  return safeEqual(expected, paySign as string);
}

/** The JS-SDK `wx.config` signature (§1.11): SHA-1 over jsapi_ticket, noncestr, timestamp and the page URL. Pure. */
import { createHash } from 'node:crypto';
import { randomString } from '../nonce';
import { safeEqual } from '../sign';

/** What the page passes to `wx.config` besides `jsApiList` (the names are the wire's). */
export interface JssdkConfig {
  appId: string;
  /** Seconds since the epoch. */
  timestamp: number;
  nonceStr: string;
  signature: string;
}

export interface JssdkSignatureInput {
  jsapiTicket: string;
  nonceStr: string;
  timestampSeconds: number;
  /** The page URL; anything from `#` on is dropped here, as WeChat does. */
  url: string;
}

const NONCE = /^[A-Za-z0-9]{1,32}$/;

/** The URL WeChat signs: the page URL without `#` and what follows (the query stays, unencoded). */
export function signedPageUrl(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/** `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`: the four names in ASCII order, raw values, no URL-encoding. */
export function jssdkSignString(input: JssdkSignatureInput): string {
  if (!input.jsapiTicket) throw new Error('jssdkSignature: jsapiTicket is required');
  if (!NONCE.test(input.nonceStr)) throw new Error('jssdkSignature: nonceStr must be 1-32 characters of [A-Za-z0-9]');
  if (!Number.isSafeInteger(input.timestampSeconds) || input.timestampSeconds <= 0) {
    throw new Error('jssdkSignature: timestampSeconds must be a positive integer');
  }
  if (!input.url) throw new Error('jssdkSignature: url is required');
  const url = signedPageUrl(input.url);
  return `jsapi_ticket=${input.jsapiTicket}&noncestr=${input.nonceStr}&timestamp=${input.timestampSeconds}&url=${url}`;
}

/** Lowercase hex SHA-1 of jssdkSignString(). */
export function jssdkSignature(input: JssdkSignatureInput): string {
  return createHash('sha1').update(jssdkSignString(input), 'utf8').digest('hex');
}

/** A fresh `wx.config` for `url`: now and a random nonce unless given (tests). */
export function buildJssdkConfig(input: {
  appId: string;
  jsapiTicket: string;
  url: string;
  timestampSeconds?: number;
  nonceStr?: string;
}): JssdkConfig {
  if (!input.appId) throw new Error('buildJssdkConfig: appId is required');
  const timestamp = input.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const nonceStr = input.nonceStr ?? randomString(16);
  const signature = jssdkSignature({
    jsapiTicket: input.jsapiTicket,
    nonceStr,
    timestampSeconds: timestamp,
    url: input.url,
  });
  return { appId: input.appId, timestamp, nonceStr, signature };
}

/** WeChat's check of a page's `wx.config` (the emulator's stand-in uses it): false on any malformed field. */
export function verifyJssdkSignature(input: JssdkSignatureInput & { signature: string }): boolean {
  try {
    return safeEqual(jssdkSignature(input), input.signature.toLowerCase());
  } catch {
    return false;
  }
}

/**
 * Verifies a v3 response or notification signature (`Wechatpay-*` headers over the raw body bytes,
 * 协议 §10.3), and signs one (the emulator's side). Pure: the caller supplies the keys and the clock.
 */
import type { KeyObject } from 'node:crypto';
import { randomString, unixSeconds } from '../../nonce';
import { WechatV3SignatureError, type V3Source } from './errors';
import type { WechatpayKeyRing } from './keyring';
import { rsaSign, rsaVerify } from './rsa';

/** WeChat's signature-probe traffic: must never verify. */
export const PROBE_SIGNATURE_PREFIX = 'WECHATPAY/SIGNTEST/';
/** ±5 minutes, the official SDKs' tolerance. */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;

/** Node's lower-cased IncomingHttpHeaders, or a fetch `Headers`. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>> | { get(name: string): string | null };

export interface WechatpayHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
}

function header(bag: HeaderBag, name: string): string | undefined {
  if (typeof (bag as { get?: unknown }).get === 'function') {
    return (bag as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = bag as Readonly<Record<string, string | string[] | undefined>>;
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

/** Throws MISSING_HEADERS when any of the four is absent or empty. */
export function readWechatpayHeaders(bag: HeaderBag, source: V3Source = 'inbound'): WechatpayHeaders {
  const timestamp = header(bag, 'Wechatpay-Timestamp');
  const nonce = header(bag, 'Wechatpay-Nonce');
  const signature = header(bag, 'Wechatpay-Signature');
  const serial = header(bag, 'Wechatpay-Serial');
  if (!timestamp || !nonce || !signature || !serial) {
    const message = 'Wechatpay-Timestamp/Nonce/Signature/Serial header missing';
    throw new WechatV3SignatureError(message, 'MISSING_HEADERS', source);
  }
  return { timestamp, nonce, signature, serial };
}

/** Three lines, each ending in LF, over the exact body bytes (never re-serialised JSON). */
export function responseMessage(timestamp: string, nonce: string, body: string | Buffer = ''): Buffer {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), raw, Buffer.from('\n')]);
}

export interface VerifyOptions {
  now?: Date;
  maxClockSkewSeconds?: number;
  /** 'inbound' (a notification, the default) or 'upstream' (an answer to our call): sets the error's outcome. */
  source?: V3Source;
}

/**
 * Checks, in order: probe signature, timestamp within ±5 minutes, a key for the serial, the signature.
 * Throws WechatV3SignatureError with the failing `reason`.
 */
export function verifyWechatpaySignature(
  headers: WechatpayHeaders,
  body: string | Buffer,
  keys: WechatpayKeyRing,
  options: VerifyOptions = {},
): void {
  const source = options.source ?? 'inbound';
  if (headers.signature.startsWith(PROBE_SIGNATURE_PREFIX)) {
    throw new WechatV3SignatureError('signature-probe traffic (WECHATPAY/SIGNTEST/) never verifies', 'PROBE', source);
  }
  checkTimestamp(headers.timestamp, options);
  const key = keys.find(headers.serial, options.now);
  if (!key) throw new WechatV3SignatureError('no WeChat Pay key for this Wechatpay-Serial', 'UNKNOWN_SERIAL', source);
  if (!rsaVerify(responseMessage(headers.timestamp, headers.nonce, body), headers.signature, key)) {
    throw new WechatV3SignatureError('Wechatpay-Signature does not verify', 'BAD_SIGNATURE', source);
  }
}

/** Throws BAD_TIMESTAMP / STALE_TIMESTAMP / FUTURE_TIMESTAMP. */
export function checkTimestamp(timestamp: string, options: VerifyOptions = {}): void {
  const source = options.source ?? 'inbound';
  if (!/^[1-9][0-9]{0,10}$/.test(timestamp)) {
    throw new WechatV3SignatureError('Wechatpay-Timestamp is not seconds', 'BAD_TIMESTAMP', source);
  }
  const skew = options.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const ageSeconds = nowSeconds - Number(timestamp);
  if (ageSeconds > skew) {
    throw new WechatV3SignatureError('Wechatpay-Timestamp is more than 5 minutes old', 'STALE_TIMESTAMP', source);
  }
  if (-ageSeconds > skew) {
    throw new WechatV3SignatureError('Wechatpay-Timestamp is in the future', 'FUTURE_TIMESTAMP', source);
  }
}

/** The sender's side (emulator, tests): the four `Wechatpay-*` headers for a body. */
export function signWechatpayHeaders(
  body: string | Buffer,
  privateKey: KeyObject,
  serial: string,
  options: { timestamp?: string; nonce?: string } = {},
): WechatpayHeaders {
  const timestamp = options.timestamp ?? unixSeconds();
  const nonce = options.nonce ?? randomString(32);
  return { timestamp, nonce, serial, signature: rsaSign(responseMessage(timestamp, nonce, body), privateKey) };
}

/** The same headers under their wire names, for an HTTP response. */
export function wechatpayHeaderFields(h: WechatpayHeaders): Record<string, string> {
  return {
    'Wechatpay-Timestamp': h.timestamp,
    'Wechatpay-Nonce': h.nonce,
    'Wechatpay-Signature': h.signature,
    'Wechatpay-Serial': h.serial,
  };
}

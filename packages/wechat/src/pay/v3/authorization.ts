/**
 * The v3 request signature: `Authorization: WECHATPAY2-SHA256-RSA2048 …` over method, canonical URL,
 * timestamp, nonce and body (协议 §10.2). Pure; the emulator uses the parser to check merchants.
 */
import type { KeyObject } from 'node:crypto';
import { randomString, unixSeconds } from '../../nonce';
import { rsaSign, rsaVerify } from './rsa';

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

/** Path plus raw query, no scheme or host: what WeChat reconstructs on its side. */
export function canonicalUrl(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url, 'http://canonical.invalid') : url;
  return `${parsed.pathname}${parsed.search}`;
}

/** Five lines, each ending in LF, the last one too; an empty body still contributes its "\n". */
export function requestMessage(method: string, url: string, timestamp: string, nonce: string, body = ''): string {
  return `${method.toUpperCase()}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;
}

export interface AuthorizationInput {
  mchId: string;
  /** The merchant API certificate's serial number (40 upper-case hex). */
  serialNo: string;
  privateKey: KeyObject;
  method: string;
  /** Canonical URL (see `canonicalUrl`). */
  url: string;
  /** The exact body sent; '' for GET. */
  body?: string;
  /** Injectable for tests; default now / 32 random characters. */
  timestamp?: string;
  nonce?: string;
}

export interface AuthorizationParams {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

/** Builds the Authorization header value. */
export function buildAuthorization(input: AuthorizationInput): string {
  const timestamp = input.timestamp ?? unixSeconds();
  const nonce = input.nonce ?? randomString(32);
  const message = requestMessage(input.method, input.url, timestamp, nonce, input.body ?? '');
  const params: AuthorizationParams = {
    mchid: input.mchId,
    nonce_str: nonce,
    signature: rsaSign(message, input.privateKey),
    timestamp,
    serial_no: input.serialNo,
  };
  for (const [name, value] of Object.entries(params)) {
    if (/["\\,\r\n]/.test(value)) {
      throw new Error(`buildAuthorization: ${name} must not contain quotes, commas or newlines`);
    }
  }
  const pairs = Object.entries(params).map(([k, v]) => `${k}="${v}"`);
  return `${AUTH_SCHEME} ${pairs.join(',')}`;
}

/** Reads `WECHATPAY2-SHA256-RSA2048 k="v",…` (pairs in any order); null when malformed or incomplete. */
export function parseAuthorization(header: string | undefined): AuthorizationParams | null {
  if (!header?.startsWith(`${AUTH_SCHEME} `)) return null;
  const found: Record<string, string> = {};
  const pair = /^\s*([a-z_]+)="([^"]*)"\s*$/;
  for (const part of header.slice(AUTH_SCHEME.length + 1).split(',')) {
    const m = pair.exec(part);
    if (!m) return null;
    const [, key, value] = m as unknown as [string, string, string];
    if (key in found) return null;
    found[key] = value;
  }
  const { mchid, nonce_str, signature, timestamp, serial_no } = found;
  if (!mchid || !nonce_str || !signature || !timestamp || !serial_no) return null;
  return { mchid, nonce_str, signature, timestamp, serial_no };
}

/** The receiver's check of a request signature (the emulator's side); the caller checks mchid, serial and time. */
export function verifyAuthorization(
  params: AuthorizationParams,
  request: { method: string; url: string; body?: string },
  merchantPublicKey: KeyObject,
): boolean {
  const message = requestMessage(request.method, request.url, params.timestamp, params.nonce_str, request.body ?? '');
  return rsaVerify(message, params.signature, merchantPublicKey);
}

/** Typed errors of WeChat Pay API v3. Messages never contain keys, secrets or decrypted data. */
import { WechatError, WechatSignatureError, type WechatOutcome } from '../../errors';

/**
 * Why a v3 response or notification is not authentic:
 * - MISSING_HEADERS: a `Wechatpay-Timestamp/Nonce/Signature/Serial` header is absent (a proxy may strip them);
 * - PROBE: a `WECHATPAY/SIGNTEST/` signature, WeChat's deliberate check that merchants verify;
 * - BAD_TIMESTAMP / STALE_TIMESTAMP / FUTURE_TIMESTAMP: not seconds, or more than 5 minutes off our clock;
 * - UNKNOWN_SERIAL: no key we hold (or could fetch) has that `Wechatpay-Serial`;
 * - BAD_SIGNATURE: the key of that serial does not verify the signature (tampered body, wrong key);
 * - DECRYPT_FAILED: an AEAD_AES_256_GCM resource fails authentication (tampered ciphertext, tag,
 *   nonce or associated_data, or another APIv3 key);
 * - UNSUPPORTED_ALGORITHM: a resource encrypted with something other than AEAD_AES_256_GCM.
 */
export type V3AuthFailure =
  | 'MISSING_HEADERS'
  | 'PROBE'
  | 'BAD_TIMESTAMP'
  | 'STALE_TIMESTAMP'
  | 'FUTURE_TIMESTAMP'
  | 'UNKNOWN_SERIAL'
  | 'BAD_SIGNATURE'
  | 'DECRYPT_FAILED'
  | 'UNSUPPORTED_ALGORITHM';

/**
 * Where a v3 message came from: 'upstream' = WeChat's answer to our call (a failure leaves the outcome
 * unknown: WeChat may have done it); 'inbound' = a notification posted to us (refused: change nothing).
 */
export type V3Source = 'upstream' | 'inbound';

/**
 * A v3 response or notification that is not provably from WeChat Pay. A notification so rejected must
 * change nothing (answer 4xx: WeChat retries a real one); after a request it leaves the outcome unknown.
 * Extends `WechatSignatureError` (and keeps its `name`), so code that catches v2's signature failures
 * catches these too; `reason` says which check failed, `outcome`/`source` follow from where it came from.
 */
export class WechatV3SignatureError extends WechatSignatureError {
  constructor(
    message: string,
    readonly reason: V3AuthFailure,
    source: V3Source,
  ) {
    super(message, source);
  }
}

/**
 * A JSON body that is empty, larger than allowed, not JSON, or not an object. From WeChat ('upstream'):
 * the outcome is unknown, settle by query; a notification ('inbound'): refused, change nothing.
 */
export class WechatJsonError extends WechatError {
  override readonly name = 'WechatJsonError';
  constructor(
    message: string,
    readonly reason: 'EMPTY' | 'TOO_LARGE' | 'MALFORMED' | 'NOT_OBJECT',
    source: V3Source,
  ) {
    super(message, source === 'upstream' ? 'unknown' : 'refused', source);
  }
}

/**
 * WeChat Pay v3 answered a non-2xx HTTP status (`{"code","message","detail"}` body).
 * `refused` is decided by status first, since code spellings differ between doc revisions
 * (ORDERNOTEXIST / ORDER_NOT_EXIST): any 4xx means the request was not carried out, 5xx
 * (SYSTEM_ERROR) and anything else leave the outcome unknown. `code` is as sent; `codeKey`
 * is it upper-cased without underscores, for comparisons across spellings.
 */
export class WechatPayV3ApiError extends WechatError {
  override readonly name = 'WechatPayV3ApiError';
  readonly codeKey: string;
  constructor(
    readonly status: number,
    readonly code: string,
    readonly wechatMessage: string,
    readonly detail?: unknown,
  ) {
    const outcome: WechatOutcome = status >= 400 && status <= 499 ? 'refused' : 'unknown';
    const said = wechatMessage ? `: ${wechatMessage}` : '';
    super(`WeChat Pay v3 answered HTTP ${status} ${code || '(no code)'}${said}`, outcome, 'upstream');
    this.codeKey = code.toUpperCase().replace(/_/g, '');
  }
  /** True when WeChat definitely did not do what was asked (4xx). */
  get refused(): boolean {
    return this.status >= 400 && this.status <= 499;
  }
  /** Worth retrying with the same parameters (rate limit, WeChat-side failure). */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/**
 * Signed v3 API calls: Authorization per attempt, verified answers (one certificate refresh on an
 * unknown serial), status-first error mapping (协议 §10.4) and bounded retries of the same body.
 */
import type { KeyObject } from 'node:crypto';
import { endpointUrl } from '../../base-url';
import { WechatPayResponseError, WechatTransportError } from '../../errors';
import { buildAuthorization, canonicalUrl } from './authorization';
import type { CertificateCache } from './certificate-cache';
import { decryptCertificates } from './certificates';
import { WechatPayV3ApiError, WechatV3SignatureError } from './errors';
import { exchange, type HttpAnswer } from './http-transport';
import { DEFAULT_MAX_JSON_BYTES, isObject, parseJsonObject, stringField, type JsonObject } from './json';
import { WechatpayKeyRing, type PlatformCertificate } from './keyring';
import { readWechatpayHeaders, verifyWechatpaySignature, type HeaderBag } from './signature';

export interface V3ApiOptions {
  mchId: string;
  /** Serial of the merchant API certificate whose private key signs requests. */
  merchantSerialNo: string;
  merchantPrivateKey: KeyObject;
  apiV3Key: string | Buffer;
  /** e.g. https://api.mch.weixin.qq.com or http://127.0.0.1:4000 */
  baseUrl: string;
  keys: WechatpayKeyRing;
  /** Set in platform-certificate (or migration) mode. */
  certificates?: CertificateCache;
  timeoutMs?: number;
  /** Extra attempts after the first, for no answer, 429 and 5xx only. */
  retries?: number;
  retryDelayMs?: number;
  maxResponseBytes?: number;
  ca?: string | Buffer;
  userAgent?: string;
}

export interface CallOptions {
  /**
   * For calls that move money: a refusal answered to a retry does not undo an earlier attempt whose
   * outcome is unknown, so it is reported as WechatTransportError (unknown), the refusal as its cause.
   */
  refusalAfterUnknownIsUnknown?: boolean;
  /** A larger cap than `maxResponseBytes`, e.g. for a bill file. */
  maxResponseBytes?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isRetryable(err: unknown): boolean {
  if (err instanceof WechatTransportError) return err.status === undefined;
  return err instanceof WechatPayV3ApiError && err.retryable;
}

/** No answer or a 5xx: WeChat may have done it. */
function mayHaveBeenApplied(err: unknown): boolean {
  if (err instanceof WechatTransportError) return err.status === undefined;
  return err instanceof WechatPayV3ApiError && err.status >= 500;
}

export class V3ApiClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: V3ApiOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = Math.max(0, Math.min(options.retries ?? 2, 5));
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_JSON_BYTES;
  }

  /** A verified 2xx answer's JSON (undefined for an empty body, e.g. 204). */
  async call(
    method: 'GET' | 'POST',
    path: string,
    body?: object,
    callOptions: CallOptions = {},
  ): Promise<JsonObject | undefined> {
    await this.options.certificates?.ensureFresh();
    const answer = await this.send(method, path, body, callOptions);
    await this.verify(answer.headers, answer.body);
    return answer.body.length === 0 ? undefined : parseJsonObject(answer.body, this.maxBytes, 'upstream');
  }

  /**
   * A signed GET of a file WeChat serves unsigned (a bill's `download_url`, which a verified answer
   * named): its bytes, checked by the caller against the digest that answer gave. Retried like any call.
   */
  async download(url: URL, maxBytes: number): Promise<Buffer> {
    const base = new URL(this.options.baseUrl);
    // The merchant's signature travels only to WeChat, never over plain HTTP unless the API itself is.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && base.protocol === 'http:')) {
      throw new WechatPayResponseError(`download_url must be https (got ${url.protocol})`);
    }
    await this.options.certificates?.ensureFresh();
    return (await this.send('GET', url, undefined, { maxResponseBytes: maxBytes })).body;
  }

  /**
   * Verifies a response or notification, refreshing platform certificates once when the serial is
   * unknown (rate-limited by the cache). Throws WechatV3SignatureError.
   */
  async verify(headers: HeaderBag, body: Buffer): Promise<void> {
    const signed = readWechatpayHeaders(headers, 'upstream');
    try {
      verifyWechatpaySignature(signed, body, this.options.keys, { source: 'upstream' });
    } catch (err) {
      const unknown = err instanceof WechatV3SignatureError && err.reason === 'UNKNOWN_SERIAL';
      const certificates = this.options.certificates;
      if (!unknown || !certificates || !(await certificates.refreshForUnknownSerial())) throw err;
      verifyWechatpaySignature(signed, body, this.options.keys, { source: 'upstream' });
    }
  }

  /**
   * GET /v3/certificates: each certificate decrypts with the APIv3 key (which proves its origin), then
   * the answer must verify with the key ring plus the downloaded certificates.
   */
  async downloadCertificates(): Promise<PlatformCertificate[]> {
    const answer = await this.send('GET', '/v3/certificates', undefined, {});
    const certs = decryptCertificates(parseJsonObject(answer.body, this.maxBytes, 'upstream'), this.options.apiV3Key);
    const trial = new WechatpayKeyRing();
    for (const cert of certs) trial.addCertificate(cert);
    const signed = readWechatpayHeaders(answer.headers, 'upstream');
    const ring = trial.find(signed.serial) ? trial : this.options.keys;
    verifyWechatpaySignature(signed, answer.body, ring, { source: 'upstream' });
    return certs;
  }

  /** Signs and sends, retrying the same body; returns a 2xx answer, unverified. */
  private async send(
    method: 'GET' | 'POST',
    path: string | URL,
    body: object | undefined,
    options: CallOptions,
  ): Promise<HttpAnswer> {
    const url = typeof path === 'string' ? new URL(endpointUrl(this.options.baseUrl, path)) : path;
    // Serialised once: every attempt sends (and signs) the same bytes.
    const payload = body === undefined ? '' : JSON.stringify(body);
    let outcomeUnknown = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await exchange(
          url,
          { method, headers: this.headers(method, url, payload), body: payload },
          {
            timeoutMs: this.timeoutMs,
            maxBytes: options.maxResponseBytes ?? this.maxBytes,
            ca: this.options.ca,
          },
        );
        if (answer.status < 200 || answer.status > 299) throw this.apiError(answer);
        return answer;
      } catch (err) {
        if (attempt >= this.retries || !isRetryable(err)) {
          const refused = err instanceof WechatPayV3ApiError && err.refused;
          if (outcomeUnknown && options.refusalAfterUnknownIsUnknown && refused) {
            throw new WechatTransportError(
              `${method} ${url.pathname}: an earlier attempt may have been applied and the retry was refused: ` +
                (err as Error).message,
              undefined,
              { cause: err },
            );
          }
          throw err;
        }
        outcomeUnknown ||= mayHaveBeenApplied(err);
        await sleep(this.retryDelayMs * 2 ** attempt);
      }
    }
  }

  private headers(method: string, url: URL, payload: string): Record<string, string> {
    const { mchId, merchantSerialNo, merchantPrivateKey } = this.options;
    const authorization = buildAuthorization({
      mchId,
      serialNo: merchantSerialNo,
      privateKey: merchantPrivateKey,
      method,
      url: canonicalUrl(url),
      body: payload,
    });
    const headers: Record<string, string> = {
      Authorization: authorization,
      Accept: 'application/json',
      'User-Agent': this.options.userAgent ?? 'wxpay-shop (+node)',
    };
    if (method === 'POST') headers['Content-Type'] = 'application/json';
    return headers;
  }

  /** Status first; the body's code/message/detail are read when they are there. */
  private apiError(answer: HttpAnswer): WechatPayV3ApiError {
    let json: JsonObject | undefined;
    try {
      json = parseJsonObject(answer.body, this.maxBytes, 'upstream');
    } catch {
      json = undefined;
    }
    const detail = json && isObject(json.detail) ? json.detail : undefined;
    const code = stringField(json, 'code') ?? '';
    return new WechatPayV3ApiError(answer.status, code, stringField(json, 'message') ?? '', detail);
  }
}

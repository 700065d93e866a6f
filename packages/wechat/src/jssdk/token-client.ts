/**
 * The Official Account's global access_token (`POST /cgi-bin/stable_token`) and the JS-SDK jsapi_ticket
 * (`GET /cgi-bin/ticket/getticket`): only the HTTP exchanges. Caching and locking are the caller's job.
 * The AppSecret and tokens travel in bodies and query strings, so errors name the path only.
 */
import { endpointUrl } from '../base-url';
import { WechatApiError, WechatTransportError } from '../errors';
import { parseLenientJson, readCapped } from '../oauth';

export interface JssdkTokenClientOptions {
  appId: string;
  appSecret: string;
  /** e.g. `https://api.weixin.qq.com` or the emulator's base URL. */
  apiBaseUrl: string;
  timeoutMs?: number;
}

/** A credential and how long WeChat says it lives. */
export interface IssuedCredential {
  value: string;
  expiresInSeconds: number;
}

const STABLE_TOKEN_PATH = '/cgi-bin/stable_token';
const TICKET_PATH = '/cgi-bin/ticket/getticket';
const MAX_JSON_BYTES = 64 * 1024;

type Json = Record<string, unknown>;

export class JssdkTokenClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: JssdkTokenClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /**
   * The stable access_token. Normal mode returns the token WeChat already holds while it is valid;
   * `forceRefresh` issues a new one (limited by WeChat: about 20 a day, 30 s apart), for use only after
   * WeChat said the token is invalid.
   */
  async fetchAccessToken(options: { forceRefresh?: boolean } = {}): Promise<IssuedCredential> {
    const body = await this.call(STABLE_TOKEN_PATH, false, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credential',
        appid: this.options.appId,
        secret: this.options.appSecret,
        force_refresh: options.forceRefresh === true,
      }),
    });
    return credential(body, 'access_token', STABLE_TOKEN_PATH);
  }

  /** The jsapi_ticket for `wx.config`; WechatApiError with isTokenInvalid when the token is not (or no longer) valid. */
  async fetchJsapiTicket(accessToken: string): Promise<IssuedCredential> {
    if (!accessToken) throw new Error('fetchJsapiTicket: accessToken is required');
    const query = new URLSearchParams({ access_token: accessToken, type: 'jsapi' });
    const body = await this.call(`${TICKET_PATH}?${query}`, true, { method: 'GET' }, TICKET_PATH);
    return credential(body, 'ticket', TICKET_PATH);
  }

  /** One request; `errcode ≠ 0` → WechatApiError. `label` is what errors name (never the query). */
  private async call(pathAndQuery: string, sentToken: boolean, init: RequestInit, label = pathAndQuery): Promise<Json> {
    let url: URL;
    try {
      url = new URL(endpointUrl(this.options.apiBaseUrl, pathAndQuery));
    } catch {
      throw new Error('JssdkTokenClient: apiBaseUrl is not a valid URL');
    }
    const method = init.method ?? 'GET';
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
      status = res.status;
      text = await readCapped(res, MAX_JSON_BYTES);
    } catch (err) {
      throw transportError(err, `${method} ${label}`, this.timeoutMs);
    }
    if (status < 200 || status > 299)
      throw new WechatTransportError(`${method} ${label} answered HTTP ${status}`, status);
    const body = parseLenientJson(text);
    if (!body) throw new WechatTransportError(`${method} ${label} returned a body that is not a JSON object`, status);
    if (body.errcode !== undefined && body.errcode !== 0 && body.errcode !== '0') {
      const errcode = Number(body.errcode);
      const errmsg = typeof body.errmsg === 'string' ? body.errmsg : '';
      throw new WechatApiError(label, Number.isFinite(errcode) ? errcode : -1, errmsg, sentToken);
    }
    return body;
  }
}

function credential(body: Json, field: 'access_token' | 'ticket', path: string): IssuedCredential {
  const value = body[field];
  const expiresIn = Number(body.expires_in);
  if (typeof value !== 'string' || value === '' || !Number.isInteger(expiresIn) || expiresIn <= 0) {
    throw new WechatTransportError(`${path} answered without a usable ${field} and expires_in`);
  }
  return { value, expiresInSeconds: expiresIn };
}

function transportError(err: unknown, what: string, timeoutMs: number): WechatTransportError {
  if (err instanceof WechatTransportError) return err;
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return new WechatTransportError(`${what} timed out after ${timeoutMs} ms`);
  // Only the error code survives: undici errors can carry the request URL, which holds the token.
  const cause = err instanceof Error ? (err as Error & { cause?: { code?: unknown } }).cause : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : name || 'network error';
  return new WechatTransportError(`${what} failed: ${code}`);
}

/**
 * Official Account web authorization (网页授权): the authorize URL (pure) and the
 * api.weixin.qq.com `/sns/*` calls. The AppSecret travels in a query string, so errors
 * never include URLs, query strings or the underlying error objects.
 */
import { endpointUrl } from './base-url';
import { WechatOAuthError, WechatTransportError, type OAuthErrorKind } from './errors';

export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo';

export interface AuthorizeUrlInput {
  /** e.g. `https://open.weixin.qq.com` or the emulator's base URL. */
  openBaseUrl: string;
  appId: string;
  /** Absolute callback URL; encoded here, so pass it raw. */
  redirectUri: string;
  scope: OAuthScope;
  /** CSRF token echoed back by WeChat: 1–128 characters of [a-zA-Z0-9]. */
  state: string;
  forcePopup?: boolean;
}

const STATE_PATTERN = /^[a-zA-Z0-9]{1,128}$/;

export function isValidState(state: unknown): state is string {
  return typeof state === 'string' && STATE_PATTERN.test(state);
}

export function buildAuthorizeUrl(input: AuthorizeUrlInput): string {
  if (!isValidState(input.state)) throw new Error('OAuth state must be 1-128 characters of [a-zA-Z0-9]');
  if (input.scope !== 'snsapi_base' && input.scope !== 'snsapi_userinfo')
    throw new Error('OAuth scope must be snsapi_base or snsapi_userinfo');
  if (!input.appId) throw new Error('OAuth appId is required');
  let redirect: URL;
  try {
    redirect = new URL(input.redirectUri);
  } catch {
    throw new Error('OAuth redirectUri must be an absolute URL');
  }
  if (redirect.protocol !== 'https:' && redirect.protocol !== 'http:')
    throw new Error('OAuth redirectUri must be http(s)');
  // WeChat appends code/state to the query; a fragment would swallow them.
  if (input.redirectUri.includes('#')) throw new Error('OAuth redirectUri must not contain a #fragment');

  const query = [
    `appid=${encodeURIComponent(input.appId)}`,
    `redirect_uri=${encodeURIComponent(input.redirectUri)}`,
    'response_type=code',
    `scope=${input.scope}`,
    `state=${input.state}`,
  ];
  if (input.forcePopup) query.push('forcePopup=true');
  // Everything after `#` is never sent, so every parameter must precede the fragment.
  return `${endpointUrl(input.openBaseUrl, '/connect/oauth2/authorize')}?${query.join('&')}#wechat_redirect`;
}

export interface OAuthClientOptions {
  appId: string;
  appSecret: string;
  openBaseUrl: string;
  /** e.g. `https://api.weixin.qq.com`. */
  apiBaseUrl: string;
  timeoutMs?: number;
}

export interface WebAccessToken {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  openid: string;
  scope: string;
  unionid?: string;
  /** `is_snapshotuser: 1`: a virtual snapshot-page account, not a real user; never bind it. */
  isSnapshotUser: boolean;
}

export interface WechatUserInfo {
  openid: string;
  nickname: string;
  /** Always 0 since October 2021. */
  sex: number;
  province: string;
  city: string;
  country: string;
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}

/** WeChat's JSON bodies are small; anything bigger is not a WeChat answer. */
const MAX_JSON_BYTES = 256 * 1024;

/** Error kinds of `/sns/auth` that mean "this token/openid pair is not valid" rather than "try later". */
const TOKEN_NOT_VALID: ReadonlySet<OAuthErrorKind> = new Set(['INVALID_TOKEN', 'TOKEN_EXPIRED', 'REAUTHORIZE']);

type Json = Record<string, unknown>;

export class OAuthClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: OAuthClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  authorizeUrl(input: { redirectUri: string; scope: OAuthScope; state: string; forcePopup?: boolean }): string {
    return buildAuthorizeUrl({ ...input, openBaseUrl: this.options.openBaseUrl, appId: this.options.appId });
  }

  async exchangeCode(code: string): Promise<WebAccessToken> {
    if (!code) throw new WechatOAuthError(41008, 'missing code');
    const body = await this.get('/sns/oauth2/access_token', {
      appid: this.options.appId,
      secret: this.options.appSecret,
      code,
      grant_type: 'authorization_code',
    });
    return toWebAccessToken(body, '/sns/oauth2/access_token');
  }

  async refreshToken(refreshToken: string): Promise<WebAccessToken> {
    const body = await this.get('/sns/oauth2/refresh_token', {
      appid: this.options.appId,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    return toWebAccessToken(body, '/sns/oauth2/refresh_token');
  }

  async userInfo(
    accessToken: string,
    openid: string,
    lang: 'zh_CN' | 'zh_TW' | 'en' = 'zh_CN',
  ): Promise<WechatUserInfo> {
    const body = await this.get('/sns/userinfo', { access_token: accessToken, openid, lang });
    if (typeof body.openid !== 'string' || body.openid === '') throw malformed('/sns/userinfo');
    const info: WechatUserInfo = {
      openid: body.openid,
      nickname: stringOr(body.nickname),
      sex: typeof body.sex === 'number' ? body.sex : 0,
      province: stringOr(body.province),
      city: stringOr(body.city),
      country: stringOr(body.country),
      headimgurl: stringOr(body.headimgurl),
      privilege: Array.isArray(body.privilege) ? body.privilege.filter((p): p is string => typeof p === 'string') : [],
    };
    if (typeof body.unionid === 'string' && body.unionid !== '') info.unionid = body.unionid;
    return info;
  }

  /** true when WeChat accepts the token for this openid; false when it says the pair is invalid. */
  async checkToken(accessToken: string, openid: string): Promise<boolean> {
    try {
      await this.get('/sns/auth', { access_token: accessToken, openid });
      return true;
    } catch (err) {
      if (err instanceof WechatOAuthError && TOKEN_NOT_VALID.has(err.kind)) return false;
      throw err;
    }
  }

  /** GET + JSON; `errcode ≠ 0` → WechatOAuthError. Errors name the path only, never the query. */
  private async get(path: string, query: Record<string, string>): Promise<Json> {
    let url: URL;
    try {
      url = new URL(endpointUrl(this.options.apiBaseUrl, path));
    } catch {
      throw new Error('OAuth apiBaseUrl is not a valid URL');
    }
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);

    let status: number;
    let text: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
      status = res.status;
      text = await readCapped(res, MAX_JSON_BYTES);
    } catch (err) {
      throw transportError(err, path, this.timeoutMs);
    }
    if (status < 200 || status > 299) throw new WechatTransportError(`GET ${path} answered HTTP ${status}`, status);

    const body = parseLenientJson(text);
    if (!body) throw malformed(path, status);
    if (body.errcode !== undefined && body.errcode !== 0 && body.errcode !== '0') {
      const errcode = Number(body.errcode);
      throw new WechatOAuthError(Number.isFinite(errcode) ? errcode : -1, stringOr(body.errmsg));
    }
    return body;
  }
}

function toWebAccessToken(body: Json, path: string): WebAccessToken {
  const { access_token, expires_in, refresh_token, openid, scope } = body;
  if (
    typeof access_token !== 'string' ||
    access_token === '' ||
    typeof openid !== 'string' ||
    openid === '' ||
    typeof expires_in !== 'number' ||
    typeof refresh_token !== 'string'
  ) {
    throw malformed(path);
  }
  const token: WebAccessToken = {
    accessToken: access_token,
    expiresIn: expires_in,
    refreshToken: refresh_token,
    openid,
    scope: stringOr(scope),
    isSnapshotUser: body.is_snapshotuser === 1,
  };
  if (typeof body.unionid === 'string' && body.unionid !== '') token.unionid = body.unionid;
  return token;
}

function stringOr(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function malformed(path: string, status?: number): WechatTransportError {
  return new WechatTransportError(`GET ${path} returned a body that is not the expected JSON object`, status);
}

function transportError(err: unknown, path: string, timeoutMs: number): WechatTransportError {
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return new WechatTransportError(`GET ${path} timed out after ${timeoutMs} ms`);
  if (err instanceof WechatTransportError) return err;
  // Only the error code survives: undici errors can carry the request URL, which holds the secret.
  const cause = err instanceof Error ? (err as Error & { cause?: { code?: unknown } }).cause : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : name || 'network error';
  return new WechatTransportError(`GET ${path} failed: ${code}`);
}

/** The body as text, at most maxBytes (else WechatTransportError); invalid UTF-8 is replaced, not fatal. */
export async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new WechatTransportError(`response larger than ${maxBytes} bytes`, res.status);
    chunks.push(chunk);
  }
  // Non-fatal decoding: nicknames occasionally carry invalid UTF-8, which must not sink the login.
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

/**
 * JSON.parse, retried with raw control characters escaped: WeChat has sent nicknames with
 * unescaped control characters inside strings. Its JSON is compact, so every such
 * character is inside a string. Returns null unless the result is a plain object.
 */
export function parseLenientJson(text: string): Json | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      const escaped = text.replace(
        // eslint-disable-next-line no-control-regex -- matching control characters is the point
        /[\u0000-\u001f]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
      value = JSON.parse(escaped);
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

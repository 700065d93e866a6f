/** Typed errors of the WeChat protocol core. Messages never contain keys or secrets. */

/** Malformed, hostile (DOCTYPE/ENTITY) or oversized XML, or a value XML cannot carry. */
export class WechatXmlError extends Error {
  override readonly name = 'WechatXmlError';
  constructor(
    message: string,
    readonly reason: 'EMPTY' | 'TOO_LARGE' | 'DOCTYPE' | 'MALFORMED' | 'NOT_FLAT' | 'BAD_ROOT' | 'INVALID_CHAR',
  ) {
    super(message);
  }
}

/** A response or notification whose sign does not verify, or whose appid/mch_id is not ours. */
export class WechatSignatureError extends Error {
  override readonly name = 'WechatSignatureError';
}

/**
 * A notification that is well-formed and authentic enough to read but must not be accepted
 * (return_code≠SUCCESS, another merchant's appid/mch_id, bad amounts, missing fields).
 * The message is fixed text, safe to log and to send back in a FAIL reply.
 */
export class WechatNotifyError extends Error {
  override readonly name = 'WechatNotifyError';
}

/**
 * What a caller should do about an OAuth errcode:
 * - BAD_CODE: the code is reused (40163), invalid (40029), expired (42003) or missing (41008) — start a new authorization;
 * - TOKEN_EXPIRED: the web access_token expired (42001) — refresh it;
 * - REAUTHORIZE: the refresh_token is invalid (40030) or expired (42002), or the user changed password (42007) — start over;
 * - INVALID_TOKEN: access_token/openid invalid or missing (40001, 40003, 40014, 41001, 41009);
 *   during a code exchange 40001 means a wrong AppSecret;
 * - SCOPE: the token's scope or the user's grant does not cover the API (48001, 50001), or the user is restricted (50002);
 * - CONFIG: a merchant configuration problem (grant_type, appid, secret, IP whitelist: 40002, 40013, 40125, 40164, 41002, 41004);
 * - BUSY: WeChat is busy (-1) — retry later;
 * - OTHER: anything else.
 */
export type OAuthErrorKind = 'BAD_CODE' | 'TOKEN_EXPIRED' | 'REAUTHORIZE' | 'INVALID_TOKEN' | 'SCOPE' | 'CONFIG' | 'BUSY' | 'OTHER';

const OAUTH_ERROR_KINDS: Record<Exclude<OAuthErrorKind, 'OTHER'>, readonly number[]> = {
  BAD_CODE: [40029, 40163, 42003, 41008],
  TOKEN_EXPIRED: [42001],
  REAUTHORIZE: [40030, 42002, 42007],
  INVALID_TOKEN: [40001, 40003, 40014, 41001, 41009],
  SCOPE: [48001, 50001, 50002],
  CONFIG: [40002, 40013, 40125, 40164, 41002, 41004],
  BUSY: [-1],
};

export function oauthErrorKind(errcode: number): OAuthErrorKind {
  for (const [kind, codes] of Object.entries(OAUTH_ERROR_KINDS)) {
    if (codes.includes(errcode)) return kind as OAuthErrorKind;
  }
  return 'OTHER';
}

/** `api.weixin.qq.com` answered `{errcode, errmsg}` with errcode ≠ 0. Branch on `kind`/`errcode`, never on `errmsg`. */
export class WechatOAuthError extends Error {
  override readonly name = 'WechatOAuthError';
  readonly kind: OAuthErrorKind;
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat OAuth error ${errcode}: ${oauthErrorMeaning(errcode) ?? errmsg}`);
    this.kind = oauthErrorKind(errcode);
  }
  /** The code was reused (40163), invalid (40029), expired (42003) or missing (41008). */
  get isBadCode(): boolean {
    return this.kind === 'BAD_CODE';
  }
}

const OAUTH_ERRORS: Record<number, string> = {
  [-1]: 'system busy',
  40001: 'invalid credential (wrong AppSecret?)',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid oauth code',
  40030: 'invalid refresh_token',
  40163: 'oauth code already used',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'secret missing',
  41008: 'oauth code missing',
  41009: 'openid missing',
  42001: 'access_token expired',
  42002: 'refresh_token expired',
  42003: 'oauth code expired',
  42007: 'user changed password; tokens revoked, re-authorize',
  48001: 'api unauthorized for this scope',
  50001: 'user has not authorized this api',
  50002: 'user restricted',
};

export function oauthErrorMeaning(errcode: number): string | undefined {
  return OAUTH_ERRORS[errcode];
}

/** Pay v2 `return_code=FAIL`: the request itself was refused (sign, format, permission). */
export class WechatPayCommunicationError extends Error {
  override readonly name = 'WechatPayCommunicationError';
  constructor(readonly returnMsg: string) {
    super(`WeChat Pay refused the request: ${returnMsg}`);
  }
}

/** Pay v2 `result_code=FAIL`: the request was understood but the business operation failed. */
export class WechatPayBusinessError extends Error {
  override readonly name = 'WechatPayBusinessError';
  constructor(
    readonly errCode: string,
    readonly errCodeDes: string,
  ) {
    super(`WeChat Pay business error ${errCode}: ${errCodeDes}`);
  }
  /** Errors the docs say to retry with identical parameters. */
  get retryable(): boolean {
    return this.errCode === 'SYSTEMERROR' || this.errCode === 'BIZERR_NEED_RETRY';
  }
}

/**
 * True when WeChat Pay definitely did not do what was asked: return_code=FAIL, or a result_code=FAIL
 * that no retry would change. Anything else (no answer, an unverifiable or unusable reply) is unknown.
 */
export function isPayRefusal(err: unknown): boolean {
  return err instanceof WechatPayCommunicationError || (err instanceof WechatPayBusinessError && !err.retryable);
}

/**
 * Pay v2 SUCCESS/SUCCESS, signed and verified, yet unusable: a needed field missing or not an integer,
 * or an answer about another order or refund than the one asked for. WeChat accepted the request, so
 * it may have done what was asked: the outcome is unknown, never a refusal.
 */
export class WechatPayResponseError extends Error {
  override readonly name = 'WechatPayResponseError';
}

/**
 * Network failure, timeout or non-2xx HTTP status talking to WeChat: the outcome is unknown. Also a
 * refund refused on a retry after an unanswered attempt (that attempt may have been applied; `cause`
 * is the refusal).
 */
export class WechatTransportError extends Error {
  override readonly name = 'WechatTransportError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Typed errors of the WeChat protocol core. Messages never contain keys or secrets. */

/** Malformed, hostile (DOCTYPE/ENTITY) or oversized XML. */
export class WechatXmlError extends Error {
  override readonly name = 'WechatXmlError';
  constructor(
    message: string,
    readonly reason: 'EMPTY' | 'TOO_LARGE' | 'DOCTYPE' | 'MALFORMED' | 'NOT_FLAT' | 'BAD_ROOT',
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

/** `api.weixin.qq.com` answered `{errcode, errmsg}` with errcode ≠ 0. */
export class WechatOAuthError extends Error {
  override readonly name = 'WechatOAuthError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat OAuth error ${errcode}: ${oauthErrorMeaning(errcode) ?? errmsg}`);
  }
  /** The code was reused (40163), invalid (40029), expired (42003) or missing (41008). */
  get isBadCode(): boolean {
    return [40029, 40163, 42003, 41008].includes(this.errcode);
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
  48001: 'api unauthorized for this scope',
  50001: 'user has not authorized this api',
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

/** Network failure, timeout or non-2xx HTTP status talking to WeChat. */
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

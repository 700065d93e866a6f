/**
 * Typed errors of the WeChat protocol core, one family under `WechatError`: catch the root once and
 * branch on `outcome` and `source`. Messages never contain keys or secrets.
 */

/**
 * Whether what was asked definitely did not happen:
 * - 'refused': it did not. WeChat refused it, it was never sent, or (for a message posted to us) we
 *   refused the message. Nothing changed, so giving up or asking again is safe.
 * - 'unknown': WeChat may have done it (no answer, a 5xx, SYSTEMERROR, an answer we cannot read or
 *   trust). Money moves only on a known outcome: settle it by query or notification.
 */
export type WechatOutcome = 'refused' | 'unknown';

/**
 * Where the failure lies:
 * - 'upstream': WeChat's answer to a call we made, or the lack of one (an upstream failure, 502 at an API edge);
 * - 'inbound': a message posted to us as if by WeChat (a notification) that must not be trusted: the sender's bad
 *   input;
 * - 'local': a request we could not build (a value XML cannot carry); nothing was sent: a bug of the caller.
 */
export type WechatErrorSource = 'upstream' | 'inbound' | 'local';

/**
 * Root of every error this package throws on purpose (argument checks before sending throw a plain
 * `Error`). Catch it once and branch on the fields, not on a list of subclasses.
 */
export class WechatError extends Error {
  override readonly name: string = 'WechatError';
  constructor(
    message: string,
    readonly outcome: WechatOutcome,
    readonly source: WechatErrorSource,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The outcome of an XML problem follows from where the XML came from: an unreadable answer may hide a done deed. */
const outcomeOf = (source: WechatErrorSource): WechatOutcome => (source === 'upstream' ? 'unknown' : 'refused');

/**
 * Malformed, hostile (DOCTYPE/ENTITY) or oversized XML, or a value XML cannot carry. Thrown by `parseXml`
 * (source 'inbound' unless told the XML is WeChat's answer), by the Pay client for an unreadable or
 * oversized answer ('upstream', outcome unknown: settle by query) and by `buildXml` ('local': fix the value).
 */
export class WechatXmlError extends WechatError {
  override readonly name = 'WechatXmlError';
  constructor(
    message: string,
    readonly reason: 'EMPTY' | 'TOO_LARGE' | 'DOCTYPE' | 'MALFORMED' | 'NOT_FLAT' | 'BAD_ROOT' | 'INVALID_CHAR',
    source: WechatErrorSource,
  ) {
    super(message, outcomeOf(source), source);
  }
}

/**
 * A sign that does not verify, or an appid/mch_id that is not ours. On a Pay answer ('upstream') the outcome
 * is unknown: WeChat may have done what was asked, so settle by query. On a notification ('inbound') the
 * message is refused: reply FAIL and change nothing.
 */
export class WechatSignatureError extends WechatError {
  override readonly name = 'WechatSignatureError';
  constructor(message: string, source: 'upstream' | 'inbound') {
    super(message, outcomeOf(source), source);
  }
}

/**
 * A notification that is well-formed and authentic enough to read but must not be accepted
 * (return_code≠SUCCESS, another merchant's appid/mch_id, bad amounts, missing fields): reply FAIL
 * with the message, which is fixed text, safe to log and to send back.
 */
export class WechatNotifyError extends WechatError {
  override readonly name = 'WechatNotifyError';
  constructor(message: string) {
    super(message, 'refused', 'inbound');
  }
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
export type OAuthErrorKind =
  'BAD_CODE' | 'TOKEN_EXPIRED' | 'REAUTHORIZE' | 'INVALID_TOKEN' | 'SCOPE' | 'CONFIG' | 'BUSY' | 'OTHER';

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

/**
 * `api.weixin.qq.com` answered `{errcode, errmsg}` with errcode ≠ 0: WeChat refused the call. Branch on
 * `kind`/`errcode` (what to do next), never on `errmsg`.
 */
export class WechatOAuthError extends WechatError {
  override readonly name = 'WechatOAuthError';
  readonly kind: OAuthErrorKind;
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat OAuth error ${errcode}: ${oauthErrorMeaning(errcode) ?? errmsg}`, 'refused', 'upstream');
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

/**
 * What a caller should do about an errcode of the `/cgi-bin` calls behind the JS-SDK (global access_token,
 * jsapi_ticket):
 * - TOKEN_INVALID: the access_token sent is not (or no longer) valid — 40001, 42001, 40014 on a call that sent one;
 *   get a fresh token (force refresh) and retry once;
 * - QUOTA: a call limit is reached (45009 daily quota, 45011 too frequent) — wait, never retry at once;
 * - CONFIG: appid, secret or the API IP allowlist is wrong (40013, 40125, 40164, 41002, 41004, 40002, and 40001
 *   when fetching a token, where it means a wrong AppSecret) — an operator must fix the configuration;
 * - BUSY: WeChat is busy (-1) — retry later;
 * - OTHER: anything else.
 */
export type WechatApiErrorKind = 'TOKEN_INVALID' | 'QUOTA' | 'CONFIG' | 'BUSY' | 'OTHER';

const API_TOKEN_INVALID = [40001, 42001, 40014];
const API_QUOTA = [45009, 45011];
const API_CONFIG = [40002, 40013, 40125, 40164, 41002, 41004];

/** `sentToken`: the call carried an access_token (getticket), so 40001 is about that token, not the AppSecret. */
export function wechatApiErrorKind(errcode: number, sentToken: boolean): WechatApiErrorKind {
  if (API_TOKEN_INVALID.includes(errcode)) return sentToken ? 'TOKEN_INVALID' : 'CONFIG';
  if (API_QUOTA.includes(errcode)) return 'QUOTA';
  if (API_CONFIG.includes(errcode)) return 'CONFIG';
  return errcode === -1 ? 'BUSY' : 'OTHER';
}

/**
 * `api.weixin.qq.com/cgi-bin/*` answered `{errcode, errmsg}` with errcode ≠ 0: WeChat refused the call (nothing
 * was issued). Branch on `kind`, never on errmsg; `path` names the call, never its query (it may hold a token).
 */
export class WechatApiError extends WechatError {
  override readonly name = 'WechatApiError';
  readonly kind: WechatApiErrorKind;
  constructor(
    readonly path: string,
    readonly errcode: number,
    readonly errmsg: string,
    sentToken: boolean,
  ) {
    super(`WeChat ${path} error ${errcode}`, 'refused', 'upstream');
    this.kind = wechatApiErrorKind(errcode, sentToken);
  }
  /** The access_token sent is invalid or expired: refresh it and retry once. */
  get isTokenInvalid(): boolean {
    return this.kind === 'TOKEN_INVALID';
  }
}

/**
 * Pay v2 `return_code=FAIL`: WeChat refused the request itself (sign, format, permission) and did nothing.
 * Fix the request or configuration; resending it unchanged will be refused again.
 */
export class WechatPayCommunicationError extends WechatError {
  override readonly name = 'WechatPayCommunicationError';
  constructor(readonly returnMsg: string) {
    super(`WeChat Pay refused the request: ${returnMsg}`, 'refused', 'upstream');
  }
}

/** Errors the docs say to retry with identical parameters: WeChat may still complete the request. */
const RETRYABLE_ERR_CODES: ReadonlySet<string> = new Set(['SYSTEMERROR', 'BIZERR_NEED_RETRY']);

/**
 * Pay v2 `result_code=FAIL`: the request was understood but the business operation failed. Branch on
 * `errCode` (ORDERPAID, ORDERCLOSED, NOTENOUGH, …). A `retryable` one (SYSTEMERROR, BIZERR_NEED_RETRY)
 * has an unknown outcome; any other is a refusal.
 */
export class WechatPayBusinessError extends WechatError {
  override readonly name = 'WechatPayBusinessError';
  constructor(
    readonly errCode: string,
    readonly errCodeDes: string,
  ) {
    const outcome = RETRYABLE_ERR_CODES.has(errCode) ? 'unknown' : 'refused';
    super(`WeChat Pay business error ${errCode}: ${errCodeDes}`, outcome, 'upstream');
  }
  /** Errors the docs say to retry with identical parameters. */
  get retryable(): boolean {
    return RETRYABLE_ERR_CODES.has(this.errCode);
  }
}

/**
 * Pay v2 SUCCESS/SUCCESS, signed and verified, yet unusable: a needed field missing or not an integer,
 * or an answer about another order or refund than the one asked for. WeChat accepted the request, so
 * it may have done what was asked: the outcome is unknown, never a refusal. Settle by query or notification.
 */
export class WechatPayResponseError extends WechatError {
  override readonly name = 'WechatPayResponseError';
  constructor(message: string) {
    super(message, 'unknown', 'upstream');
  }
}

/**
 * Network failure, timeout, non-2xx HTTP status or a body that is not WeChat's (OAuth JSON) talking to
 * WeChat: the outcome is unknown, so retry with the same request or settle by query. Also a refund
 * refused on a retry after an unanswered attempt (that attempt may have been applied; `cause` is the refusal).
 */
export class WechatTransportError extends WechatError {
  override readonly name = 'WechatTransportError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, 'unknown', 'upstream', options);
  }
}

/**
 * True when WeChat definitely did not do what was asked of it: return_code=FAIL, a result_code=FAIL that
 * no retry would change, an OAuth errcode. Anything else (no answer, an unverifiable or unusable reply,
 * a bug of ours) is not a refusal. The same as `err.source === 'upstream' && err.outcome === 'refused'`.
 */
export function isPayRefusal(err: unknown): boolean {
  return err instanceof WechatError && err.source === 'upstream' && err.outcome === 'refused';
}

/** return_msg values of downloadbill that mean "not yet": the bill is still being made (账单未生成). */
const BILL_NOT_YET: ReadonlySet<string> = new Set(['Bill Creating', 'SYSTEMERROR']);

/**
 * Pay v2 `downloadbill` answered `return_code=FAIL` (other than `No Bill Exist`, which is an empty day):
 * bad bill_date, a bill still being made, a sign WeChat refused. Nothing was downloaded; `retryLater`
 * says whether asking again later may succeed (otherwise fix the request or configuration).
 */
export class WechatBillDownloadError extends WechatError {
  override readonly name = 'WechatBillDownloadError';
  constructor(
    readonly returnMsg: string,
    /** WeChat's numeric error_code (e.g. `20001`), '' when absent. */
    readonly errorCode: string,
  ) {
    super(
      `WeChat Pay refused the bill download: ${returnMsg}${errorCode ? ` (${errorCode})` : ''}`,
      'refused',
      'upstream',
    );
  }
  get retryLater(): boolean {
    return BILL_NOT_YET.has(this.returnMsg);
  }
}

/**
 * A v3 bill file whose digest is not the `hash_value` WeChat gave with its download URL: corrupt or
 * truncated on the way, or not the file applied for. Nothing was parsed; apply for the bill again later.
 */
export class WechatBillHashError extends WechatError {
  override readonly name = 'WechatBillHashError';
  constructor(
    readonly hashType: string,
    /** WeChat's `hash_value` and ours, lower-case hex. */
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`bill file ${hashType} ${actual} is not the ${expected} WeChat announced`, 'unknown', 'upstream');
  }
  get retryLater(): boolean {
    return true;
  }
}

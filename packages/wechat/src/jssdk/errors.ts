/** Errors of the /cgi-bin calls behind the JS-SDK (global access_token, jsapi_ticket). No secrets in messages. */

/**
 * What a caller should do about a /cgi-bin errcode:
 * - TOKEN_INVALID: the access_token sent is not (or no longer) valid — 40001, 42001, 40014 on a call that sent one;
 *   get a fresh token (force refresh) and retry once;
 * - QUOTA: a call limit is reached (45009 daily quota, 45011 too frequent) — wait, never retry at once;
 * - CONFIG: appid, secret or the API IP allowlist is wrong (40013, 40125, 40164, 41002, 41004, 40002, and 40001
 *   when fetching a token, where it means a wrong AppSecret) — an operator must fix the configuration;
 * - BUSY: WeChat is busy (-1) — retry later;
 * - OTHER: anything else.
 */
export type WechatApiErrorKind = 'TOKEN_INVALID' | 'QUOTA' | 'CONFIG' | 'BUSY' | 'OTHER';

const TOKEN_INVALID = [40001, 42001, 40014];
const QUOTA = [45009, 45011];
const CONFIG = [40002, 40013, 40125, 40164, 41002, 41004];

/** `sentToken`: the call carried an access_token (getticket), so 40001 is about that token, not the AppSecret. */
export function wechatApiErrorKind(errcode: number, sentToken: boolean): WechatApiErrorKind {
  if (TOKEN_INVALID.includes(errcode)) return sentToken ? 'TOKEN_INVALID' : 'CONFIG';
  if (QUOTA.includes(errcode)) return 'QUOTA';
  if (CONFIG.includes(errcode)) return 'CONFIG';
  return errcode === -1 ? 'BUSY' : 'OTHER';
}

/** `api.weixin.qq.com/cgi-bin/*` answered `{errcode, errmsg}` with errcode ≠ 0. Branch on `kind`, never on errmsg. */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError';
  readonly kind: WechatApiErrorKind;
  constructor(
    /** The path called, e.g. `/cgi-bin/ticket/getticket` (never the query: it may hold a token). */
    readonly path: string,
    readonly errcode: number,
    readonly errmsg: string,
    sentToken: boolean,
  ) {
    super(`WeChat ${path} error ${errcode}`);
    this.kind = wechatApiErrorKind(errcode, sentToken);
  }
  /** The access_token sent is invalid or expired: refresh it and retry once. */
  get isTokenInvalid(): boolean {
    return this.kind === 'TOKEN_INVALID';
  }
}

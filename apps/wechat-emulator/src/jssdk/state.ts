/** The emulator's world of global access_tokens, jsapi_tickets and /cgi-bin call counters. Plain data. */

/** A global ("basic support") access_token: `stable` from /cgi-bin/stable_token, `classic` from /cgi-bin/token. */
export interface GlobalToken {
  token: string;
  appId: string;
  kind: 'stable' | 'classic';
  issuedAt: number;
  expiresAt: number;
}

export interface JsapiTicket {
  ticket: string;
  appId: string;
  issuedAt: number;
  expiresAt: number;
}

export const CGI_ENDPOINTS = ['stable_token', 'stable_token_force', 'token', 'getticket'] as const;
export type CgiEndpoint = (typeof CGI_ENDPOINTS)[number];

/** Calls per endpoint (every call, failed ones too) and how many were answered with an errcode. */
export type CgiCounters = Record<CgiEndpoint, { calls: number; errors: number }>;

const emptyCounters = (): CgiCounters =>
  Object.fromEntries(CGI_ENDPOINTS.map((e) => [e, { calls: 0, errors: 0 }])) as CgiCounters;

/** A share card a page set with updateAppMessageShareData / updateTimelineShareData. */
export interface SharedCard {
  kind: 'appMessage' | 'timeline';
  title: string;
  desc?: string;
  link: string;
  imgUrl: string;
  /** The page that set it. */
  pageUrl: string;
  at: number;
}

/** How many shared cards are kept (the newest). */
export const MAX_SHARED_CARDS = 50;

export class JssdkState {
  /** Every token still known by its value; an invalidated token is deleted (WeChat then answers 40001). */
  readonly tokens = new Map<string, GlobalToken>();
  /** The current stable token per appid, which normal-mode stable_token hands out again. */
  readonly stableByApp = new Map<string, string>();
  /** The current classic token per appid: the next /cgi-bin/token call invalidates it. */
  readonly classicByApp = new Map<string, string>();
  readonly tickets = new Map<string, JsapiTicket>();
  /** `${appId}:${endpoint}` → calls on the current (Beijing) day, for the daily quotas. */
  readonly dailyCalls = new Map<string, { day: string; count: number }>();
  /** appid → when its force refreshes happened (ms), for the 30 s spacing. */
  readonly lastForceAt = new Map<string, number>();
  counters: CgiCounters = emptyCounters();
  /** `wx.config` verdicts of the stand-in script. */
  configs = { ok: 0, failed: 0 };
  /** Newest last. */
  shares: SharedCard[] = [];

  recordShare(card: SharedCard): void {
    this.shares.push(card);
    if (this.shares.length > MAX_SHARED_CARDS) this.shares.shift();
  }

  reset(): void {
    for (const map of [
      this.tokens,
      this.stableByApp,
      this.classicByApp,
      this.tickets,
      this.dailyCalls,
      this.lastForceAt,
    ])
      map.clear();
    this.counters = emptyCounters();
    this.configs = { ok: 0, failed: 0 };
    this.shares = [];
  }
}

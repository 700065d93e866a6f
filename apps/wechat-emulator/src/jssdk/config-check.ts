/** WeChat's check of a page's `wx.config` (§1.11): appId, JS safe domain, then the signature with a live ticket. */
import { verifyJssdkSignature } from '@wxpay-shop/wechat';
import type { MerchantDirectory } from '../merchants';
import { findValidTicket } from './tokens';
import type { JssdkState } from './state';

export type ConfigVerdict = { ok: true } | { ok: false; errMsg: string };

export interface WxConfigRequest {
  appId?: unknown;
  timestamp?: unknown;
  nonceStr?: unknown;
  signature?: unknown;
  /** The URL the client validates: the landing URL on iOS, the current one on Android (the stand-in picks it). */
  url?: unknown;
}

/** Messages exactly as WeChat words them. */
export const INVALID_SIGNATURE = 'config:invalid signature';
export const INVALID_URL_DOMAIN = 'config:invalid url domain';

export function checkWxConfig(
  req: WxConfigRequest,
  merchants: MerchantDirectory,
  state: JssdkState,
  now = Date.now(),
): ConfigVerdict {
  const merchant = merchants.byAppId(typeof req.appId === 'string' ? req.appId : undefined);
  if (!merchant) return { ok: false, errMsg: 'config:invalid appid' };
  let host: string;
  try {
    host = new URL(String(req.url)).hostname;
  } catch {
    return { ok: false, errMsg: INVALID_URL_DOMAIN };
  }
  if (!(merchant.jsSafeDomains ?? merchant.oauthDomains).includes(host))
    return { ok: false, errMsg: INVALID_URL_DOMAIN };
  const timestamp =
    typeof req.timestamp === 'string' && /^\d+$/.test(req.timestamp) ? Number(req.timestamp) : req.timestamp;
  if (typeof timestamp !== 'number' || typeof req.nonceStr !== 'string' || typeof req.signature !== 'string') {
    return { ok: false, errMsg: INVALID_SIGNATURE };
  }
  for (const ticket of state.tickets.values()) {
    if (!findValidTicket(state, merchant.appId, ticket.ticket, now)) continue;
    const input = {
      jsapiTicket: ticket.ticket,
      nonceStr: req.nonceStr,
      timestampSeconds: timestamp,
      url: String(req.url),
      signature: req.signature,
    };
    if (verifyJssdkSignature(input)) return { ok: true };
  }
  return { ok: false, errMsg: INVALID_SIGNATURE };
}

/** Whether a share card's link may be shared from this appid's pages: its domain must be a JS safe domain. */
export function isShareableLink(link: unknown, appId: unknown, merchants: MerchantDirectory): boolean {
  const merchant = merchants.byAppId(typeof appId === 'string' ? appId : undefined);
  if (!merchant || typeof link !== 'string') return false;
  try {
    return (merchant.jsSafeDomains ?? merchant.oauthDomains).includes(new URL(link).hostname);
  } catch {
    return false;
  }
}

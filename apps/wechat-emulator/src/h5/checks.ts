/**
 * What WeChat checks when a phone browser opens an H5 pay URL (协议 §9.2), each refusal with the
 * wording of WeChat's error page. Pure: the caller passes the request's headers and the clock.
 */
import type { MerchantConfig } from '../config';
import type { Deps } from '../deps';
import { payabilityProblem } from '../pay/payment';
import type { Order } from '../pay/order';

export interface H5Visit {
  prepayId: string;
  referer: string | undefined;
  redirectUrl: string | undefined;
  userAgent: string;
  clientIp: string;
}

export type H5Check = { ok: true; order: Order; merchant: MerchantConfig } | { ok: false; message: string };

export const H5_MESSAGES = {
  badParams: '商家参数格式有误，请联系商家解决',
  unknownDomain: '商家存在未配置的参数，请联系商家解决',
  expired: '支付请求已失效，请重新发起支付',
  network: '网络环境未能通过安全验证，请稍后再试',
  inWechat: '请在微信外打开订单，进行支付',
} as const;

/** The merchant's H5 pay domains (H5支付域名), its OAuth domains when none are set. */
export function h5Domains(merchant: MerchantConfig): string[] {
  return merchant.h5Domains ?? merchant.oauthDomains;
}

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.hostname.replace(/^\[|\]$/g, '') : null;
  } catch {
    return null;
  }
}

/** The same address, whatever the notation: IPv4-mapped IPv6 unwrapped, every loopback address alike. */
function sameClient(a: string, b: string): boolean {
  const norm = (ip: string) => {
    const v4 = ip.replace(/^::ffff:/i, '');
    return v4 === '::1' || v4.startsWith('127.') ? 'loopback' : v4.toLowerCase();
  };
  return norm(a) === norm(b);
}

export function checkH5Visit(visit: H5Visit, deps: Deps, now = Date.now()): H5Check {
  const order = deps.state.findOrderByH5Url(visit.prepayId);
  if (!order) return { ok: false, message: H5_MESSAGES.badParams };
  const merchant = deps.merchants.byMchId(order.mchId)!;
  if (/MicroMessenger/i.test(visit.userAgent)) return { ok: false, message: H5_MESSAGES.inWechat };
  const refererHost = hostOf(visit.referer);
  if (!refererHost) return { ok: false, message: H5_MESSAGES.badParams };
  const domains = h5Domains(merchant);
  if (!domains.includes(refererHost)) return { ok: false, message: H5_MESSAGES.unknownDomain };
  if (visit.redirectUrl !== undefined) {
    const redirectHost = hostOf(visit.redirectUrl);
    if (!redirectHost || !domains.includes(redirectHost)) return { ok: false, message: H5_MESSAGES.unknownDomain };
  }
  const issuedAt = deps.state.prepays.get(visit.prepayId)?.issuedAt ?? 0;
  if (now - issuedAt > deps.config.h5UrlTtlMs) return { ok: false, message: H5_MESSAGES.expired };
  if (order.spbillCreateIp && !sameClient(order.spbillCreateIp, visit.clientIp))
    return { ok: false, message: H5_MESSAGES.network };
  const problem = payabilityProblem(order, visit.prepayId, deps, now);
  return problem ? { ok: false, message: problem } : { ok: true, order, merchant };
}

/**
 * Limits on creating orders, because every order holds stock until it is paid or expires: a rate
 * per client (anyone can order, without signing in and without a cookie) and a cap per shopper
 * (unexpired PENDING orders, the stock one shopper holds at a time), counted by the place_order
 * function as it creates the order.
 */
import type { Context } from 'koa';
import type pg from 'pg';
import type { Config } from '../config';
import { tooManyRequests, type HttpError } from '../http/errors';
import { clientKey, createRateLimiter } from '../http/rate-limit';
import { clientIp } from '../http/client-ip';
import { existingShopper } from '../sessions/session';

function waitText(seconds: number): string {
  return seconds <= 90 ? `${Math.max(1, Math.ceil(seconds))} 秒` : `${Math.ceil(seconds / 60)} 分钟`;
}

/**
 * Counts POST /api/orders per signed-in WeChat user, else per client IP (X-Forwarded-For only as far
 * as TRUST_PROXY allows). Shoppers inside WeChat are signed in, and many of them share one public IP
 * behind a mobile carrier's NAT: counting them by IP would refuse one for another's orders. With
 * PostgreSQL (`pool`) the count is shared by every BFF instance.
 */
export function orderRateLimit(config: Config, pool: pg.Pool | null): (ctx: Context) => Promise<HttpError | null> {
  const limiter = createRateLimiter({ ...config.orderRateLimit, name: 'orders', pool });
  /** The 429 to answer when this request is one too many, else null. */
  return async (ctx) => {
    const openid = existingShopper(ctx)?.openid;
    const ip = clientIp(ctx.ip, ctx.req.socket.remoteAddress);
    const decision = await limiter.take(openid ? `openid:${openid}` : `ip:${clientKey(ip)}`);
    if (decision.allowed) return null;
    const seconds = decision.retryAfterMs / 1000;
    return tooManyRequests(`下单太频繁，请 ${waitText(seconds)}后再试`, seconds);
  };
}

/** The 429 for a shopper holding more than `max` unpaid orders, the first of which expires in `seconds`. */
export function pendingCapRefusal(max: number, seconds: number): HttpError {
  return tooManyRequests(`您已有 ${max} 个待支付订单，请先支付，或 ${waitText(seconds)}后再下单`, seconds);
}

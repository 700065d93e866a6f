/**
 * Errors as contract ApiError JSON. Anything unexpected becomes a generic 500: stack traces,
 * keys and upstream raw messages stay in the (redacted) log, never in the response.
 */
import { createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { ApiError, ApiErrorCode } from '@wxpay-shop/contract';
import { $ZodError } from 'zod/v4/core';
import { WechatError, WechatOAuthError, WechatPayBusinessError, WechatPayV3ApiError } from '@wxpay-shop/wechat';
import { isDatabaseUnavailable } from '../db/unavailable';
import { isApiPath } from './paths';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    /** Response headers that belong to the error (Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'BAD_REQUEST', message, details);
export const unauthenticated = (message = 'Sign in with WeChat first') =>
  new HttpError(401, 'UNAUTHENTICATED', message);
export const notFound = (message = 'Not found') => new HttpError(404, 'NOT_FOUND', message);
export const conflict = (message: string, details?: unknown) => new HttpError(409, 'CONFLICT', message, details);
export const upstreamError = (message: string) => new HttpError(502, 'UPSTREAM_ERROR', message);
/** 429 with Retry-After; the message is Chinese, so the storefront shows it as it is. */
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new HttpError(429, 'TOO_MANY_REQUESTS', message, undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });

/** How long a client is asked to wait while the database is unreachable (a restart takes seconds). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
/** 503 with Retry-After: the database is unreachable; the same request will work once it is back. */
export const serviceUnavailable = () =>
  new HttpError(503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable, please retry', undefined, {
    'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS),
  });

function errorBody(code: ApiErrorCode, message: string, requestId?: string, details?: unknown): ApiError {
  return {
    error: { code, message, ...(requestId ? { requestId } : {}), ...(details === undefined ? {} : { details }) },
  };
}

/** Maps a thrown error to status + public body; WeChat failures become 502 without their raw text. */
function classify(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  // $ZodError: thrown by zod classic and by the contract's zod/mini schemas alike.
  if (err instanceof $ZodError) {
    return badRequest(
      'Invalid request',
      err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const status = (err as { status?: unknown; expose?: unknown }).status;
  if (status === 413) return new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Request body too large');
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
    return new HttpError(status, status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', (err as Error).message);
  }
  // Whatever WeChat answered to our call (or failed to) is its failure; a bad value of ours ('local') stays a 500.
  if (err instanceof WechatError && err.source === 'upstream') return upstreamError(upstreamMessage(err));
  if (isDatabaseUnavailable(err)) return serviceUnavailable();
  return new HttpError(500, 'INTERNAL', 'Internal error');
}

/** Public text for a failed WeChat call: the error code WeChat defines, never its raw message. */
function upstreamMessage(err: WechatError): string {
  if (err instanceof WechatPayBusinessError) return `WeChat Pay rejected the request (${err.errCode})`;
  if (err instanceof WechatPayV3ApiError && err.refused)
    return `WeChat Pay rejected the request (${err.code || err.status})`;
  if (err instanceof WechatOAuthError) return `WeChat sign-in failed (${err.errcode}), please retry`;
  return 'WeChat is unavailable, please retry';
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What the shopper reads on the sign-in failure page; the developer's (English) message goes to the log only. */
function loginFailureText(status: number): string {
  return status >= 500
    ? '登录服务暂时不可用，请稍后重新登录。'
    : '登录链接已失效（已过期、已使用或不是在本浏览器中发起的），请重新登录。';
}

/** The failure page's only styling, allowed by its hash: the page itself runs no script and loads nothing. */
// #595959 on white is 7:1, readable at small size (WCAG AA asks 4.5:1).
const ERROR_PAGE_STYLE = 'body{font-family:sans-serif;padding:2em}.detail{color:#595959;font-size:small}';
const ERROR_PAGE_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(ERROR_PAGE_STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** For browser navigations (the OAuth callback), a readable page instead of JSON, with a fresh sign-in. */
function errorPage(status: number, requestId: string | undefined): string {
  return (
    `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>登录失败</title><style>${ERROR_PAGE_STYLE}</style><body><h1>登录失败</h1><p>${loginFailureText(status)}</p>` +
    `<p><a href="/api/auth/login?returnTo=%2F">重新登录</a> · <a href="/">返回首页</a></p>` +
    (requestId ? `<p class="detail">请求编号：${escapeHtml(requestId)}</p>` : '') +
    '</body></html>'
  );
}

function bodilessError(ctx: Context): HttpError {
  if (ctx.status === 404) return notFound(`No route for ${ctx.method} ${ctx.path}`);
  if (ctx.status === 405)
    return new HttpError(405, 'BAD_REQUEST', `${ctx.method} is not allowed here (Allow: ${ctx.response.get('Allow')})`);
  if (ctx.status === 501) return new HttpError(501, 'BAD_REQUEST', `Method ${ctx.method} is not supported`);
  return new HttpError(ctx.status, ctx.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', 'Request failed');
}

export async function errorMiddleware(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    // Statuses set without a body (no route, koa-router's 405 / 501) would go out as Koa's plain text.
    if (ctx.status >= 400 && ctx.body == null && isApiPath(ctx.path)) throw bodilessError(ctx);
  } catch (err) {
    const httpError = classify(err);
    const log = ctx.state.log;
    if (httpError.code === 'UPSTREAM_ERROR') log?.error({ err }, 'upstream call failed');
    else if (httpError.code === 'SERVICE_UNAVAILABLE') log?.warn({ err }, 'database unavailable');
    else if (httpError.status >= 500) log?.error({ err }, 'request failed');
    else log?.info({ code: httpError.code, message: httpError.message }, 'request rejected');
    ctx.status = httpError.status;
    ctx.set(httpError.headers);
    if (ctx.state.htmlErrors && ctx.accepts('json', 'html') === 'html') {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Content-Security-Policy', ERROR_PAGE_POLICY);
      ctx.body = errorPage(httpError.status, ctx.state.requestId);
      return;
    }
    ctx.type = 'application/json';
    ctx.body = errorBody(httpError.code, httpError.message, ctx.state.requestId, httpError.details);
  }
}

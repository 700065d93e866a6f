/** api.weixin.qq.com/cgi-bin/{stable_token,token,ticket/getticket}, and the control call that invalidates tokens. */
import type { Context } from 'koa';
import { Router } from '@koa/router';
import type { Deps } from '../deps';
import { readJsonBody, readRawBodyOrNull, str } from '../http/body';
import { jsonOrNoBody } from '../http/origin';
import { newRid } from '../ids';
import type { CgiEndpoint } from './state';
import { classicToken, getTicket, invalidateTokens, stableToken, type CgiResult, type TokenContext } from './tokens';

/** Like /sns: HTTP 200 and JSON labelled text/plain, errors with a request id in errmsg (§1.9). */
function sendCgi(ctx: Context, deps: Deps, endpoint: CgiEndpoint, result: CgiResult<unknown>): void {
  const counter = deps.state.jssdk.counters[endpoint];
  counter.calls += 1;
  if (!result.ok) {
    counter.errors += 1;
    deps.log(`/cgi-bin ${endpoint} → errcode ${result.errcode}`);
  }
  ctx.status = 200;
  ctx.type = 'text/plain';
  ctx.body = JSON.stringify(
    result.ok ? result.value : { errcode: result.errcode, errmsg: `${result.errmsg}, rid: ${newRid()}` },
  );
}

export function jssdkRouter(deps: Deps): Router {
  const router = new Router();
  const context = (ctx: Context): TokenContext => ({
    state: deps.state.jssdk,
    merchants: deps.merchants,
    limits: deps.config.jssdk,
    ip: ctx.request.socket.remoteAddress ?? '',
    now: Date.now(),
  });

  router.post('/cgi-bin/stable_token', async (ctx) => {
    const raw = await readRawBodyOrNull(ctx, 16 * 1024);
    let body: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = raw ? JSON.parse(raw.toString('utf8')) : null;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = null;
    }
    // WeChat answers an unreadable body as a request without parameters.
    if (!body) return sendCgi(ctx, deps, 'stable_token', { ok: false, errcode: 47001, errmsg: 'data format error' });
    const forceRefresh = body.force_refresh === true;
    const result = stableToken(context(ctx), {
      grantType: str(body.grant_type),
      appId: str(body.appid),
      secret: str(body.secret),
      forceRefresh,
    });
    sendCgi(ctx, deps, forceRefresh ? 'stable_token_force' : 'stable_token', result);
  });

  router.get('/cgi-bin/token', (ctx) => {
    const q = (name: string) => str(ctx.query[name]);
    sendCgi(
      ctx,
      deps,
      'token',
      classicToken(context(ctx), { grantType: q('grant_type'), appId: q('appid'), secret: q('secret') }),
    );
  });

  router.get('/cgi-bin/ticket/getticket', (ctx) => {
    const q = { accessToken: str(ctx.query.access_token), type: str(ctx.query.type) };
    sendCgi(ctx, deps, 'getticket', getTicket(deps.state.jssdk, deps.config.jssdk, q, Date.now()));
  });

  /** As if another server had fetched a token: every global token of the appid now answers 40001. */
  router.post('/__emulator/jssdk/invalidate-tokens', async (ctx) => {
    if (!jsonOrNoBody(ctx)) {
      ctx.status = 415;
      ctx.body = { error: 'control API bodies must be Content-Type: application/json' };
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = await readJsonBody(ctx);
    } catch {
      ctx.status = 400;
      ctx.body = { error: 'invalid JSON body' };
      return;
    }
    const appId = str(body.appId) ?? deps.config.merchants[0]!.appId;
    if (!deps.merchants.byAppId(appId)) {
      ctx.status = 400;
      ctx.body = { error: `unknown appId ${appId}` };
      return;
    }
    const invalidated = invalidateTokens(deps.state.jssdk, appId);
    deps.log(`global access_tokens of ${appId} invalidated (${invalidated})`);
    ctx.body = { appId, invalidated };
  });

  return router;
}

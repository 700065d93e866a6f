/** open.weixin.qq.com (authorize + consent) and api.weixin.qq.com (/sns/*) routes. */
import type { Context } from 'koa';
import { randomString } from '@wxpay-shop/wechat';
import { Router } from '@koa/router';
import type { Deps } from '../deps';
import { applyEarlyFault, destroyResponse, isBusinessFault, isTransportFault } from '../faults';
import { readJsonBody, str } from '../http/body';
import { errorPage } from '../http/html';
import { newRid } from '../ids';
import type { FaultTarget } from '../faults';
import { AVATAR_SIZES, avatarSvg, findUser } from '../users';
import { consentPage } from './consent-page';
import {
  checkAccessToken,
  checkCodeExchange,
  checkRefresh,
  checkTokenParams,
  checkUserInfo,
  exchangeCode,
  issueCode,
  refreshAccessToken,
  userInfo,
  type OauthCheck,
  type OauthResult,
  type Query,
} from './tokens';
import { callbackUrl, checkAuthorizeRequest } from './validate';

const CONSENT_TTL_MS = 10 * 60_000;

function queryOf(ctx: Context): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries(ctx.query)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

/**
 * WeChat answers every /sns call, success or error, with HTTP 200 and JSON labelled text/plain
 * (§1.9 [obs]); errors carry a request id in errmsg.
 */
function sendOauth(ctx: Context, result: OauthResult<unknown>): void {
  ctx.status = 200;
  ctx.type = 'text/plain';
  ctx.body = JSON.stringify(
    result.ok ? result.value : { errcode: result.errcode, errmsg: `${result.errmsg}, rid: ${newRid()}` },
  );
}

function sendPage(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = body;
}

export function oauthRouter(deps: Deps): Router {
  const router = new Router();

  router.get('/connect/oauth2/authorize', (ctx) => {
    const check = checkAuthorizeRequest(queryOf(ctx), deps.merchants);
    if (!check.ok) return sendPage(ctx, 200, errorPage(check.code, check.message));
    if (check.scope === 'snsapi_base') {
      // Silent: the "current test user" authorises without any page.
      const code = issueCode(deps, check.appId, deps.state.currentUserId, 'snsapi_base');
      return ctx.redirect(callbackUrl(check.redirectUri, { code, state: check.state }));
    }
    const request = {
      id: randomString(24),
      appId: check.appId,
      redirectUri: check.redirectUri,
      scope: check.scope,
      state: check.state,
      createdAt: Date.now(),
    };
    deps.state.consents.set(request.id, request);
    const merchant = deps.merchants.byAppId(check.appId)!;
    sendPage(ctx, 200, consentPage(request, merchant, deps.merchants.displayName(merchant), deps.state.currentUserId));
  });

  router.post('/__emulator/oauth/consent', async (ctx) => {
    const body = await readJsonBody(ctx);
    const request = deps.state.consents.get(str(body.request) ?? '');
    if (!request || Date.now() - request.createdAt > CONSENT_TTL_MS)
      return sendPage(ctx, 400, errorPage('consent', '授权请求已失效，请重新进入页面'));
    const decision = str(body.decision);
    if (decision !== 'allow' && decision !== 'deny') return sendPage(ctx, 400, errorPage('consent', '无效的授权操作'));
    deps.state.consents.delete(request.id);
    if (decision === 'deny') return ctx.redirect(callbackUrl(request.redirectUri, { state: request.state }));
    const user = findUser(str(body.userId) ?? deps.state.currentUserId);
    if (!user) return sendPage(ctx, 400, errorPage('consent', '未知的测试用户'));
    const code = issueCode(deps, request.appId, user.id, 'snsapi_userinfo');
    ctx.redirect(callbackUrl(request.redirectUri, { code, state: request.state }));
  });

  /**
   * An /sns/* endpoint with its fault target: transport faults strike whatever arrives (drop
   * processes and loses the reply); systemerror waits for a request that passes `check`, then
   * answers errcode -1 without processing it.
   */
  const snsRoute = (path: string, target: FaultTarget, check: OauthCheck, handle: (q: Query) => OauthResult<unknown>) =>
    router.get(path, async (ctx) => {
      const fault = deps.state.takeFault(target, isTransportFault);
      if (await applyEarlyFault(ctx, fault, deps.timers, 'json')) return;
      const q = queryOf(ctx);
      const problem = check(deps, q);
      const business = fault || problem ? undefined : deps.state.takeFault(target, isBusinessFault);
      if (problem) sendOauth(ctx, problem);
      else if (business?.kind === 'systemerror') sendOauth(ctx, { ok: false, errcode: -1, errmsg: 'system error' });
      else sendOauth(ctx, handle(q));
      if (fault?.kind === 'drop') destroyResponse(ctx);
    });

  snsRoute('/sns/oauth2/access_token', 'oauth_token', checkCodeExchange, (q) => exchangeCode(deps, q));
  snsRoute('/sns/oauth2/refresh_token', 'oauth_refresh', checkRefresh, (q) => refreshAccessToken(deps, q));
  snsRoute('/sns/userinfo', 'oauth_userinfo', checkUserInfo, (q) => userInfo(deps, q));
  snsRoute('/sns/auth', 'oauth_auth', checkTokenParams, (q) => {
    const checked = checkAccessToken(deps, q);
    return checked.ok ? { ok: true, value: { errcode: 0, errmsg: 'ok' } } : checked;
  });

  router.post('/__emulator/oauth/current-user', async (ctx) => {
    const userId = str((await readJsonBody(ctx)).userId);
    if (!userId || !findUser(userId)) {
      ctx.status = 400;
      ctx.body = { error: `unknown userId ${JSON.stringify(userId ?? null)}` };
      return;
    }
    deps.state.currentUserId = userId;
    ctx.body = { currentUserId: userId };
  });

  router.get('/__emulator/avatar/:userId/:size', (ctx) => {
    const user = findUser(ctx.params.userId ?? '');
    const size = Number(ctx.params.size);
    if (!user || !(AVATAR_SIZES as readonly number[]).includes(size)) {
      ctx.status = 404;
      return;
    }
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = avatarSvg(user, size);
  });

  return router;
}

/** GET /api/wechat/js-config: a `wx.config` signature, only for pages of the shop's own origin. */
import Router from '@koa/router';
import { JsConfigSchema } from '@wxpay-shop/contract';
import { WechatError, buildJssdkConfig } from '@wxpay-shop/wechat';
import { badRequest, upstreamError } from '../http/errors';
import type { Services } from '../services';
import { ForceRefreshLimitedError } from './credentials';
import { signablePageUrl } from './page-url';

export function jssdkRoutes(services: Services): Router {
  const router = new Router();
  router.get('/api/wechat/js-config', async (ctx) => {
    const url = signablePageUrl(ctx.query.url, services.urls.base);
    if (!url.ok) throw badRequest(url.problem);
    let jsapiTicket: string;
    try {
      jsapiTicket = await services.jssdk.jsapiTicket();
    } catch (err) {
      if ((err instanceof WechatError && err.source === 'upstream') || err instanceof ForceRefreshLimitedError) {
        ctx.state.log?.warn({ err }, 'jsapi_ticket unavailable');
        throw upstreamError('WeChat JS-SDK is unavailable, please retry');
      }
      throw err;
    }
    // A signature is good for this page only and carries a fresh nonce: never cached.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = JsConfigSchema.parse(
      buildJssdkConfig({ appId: services.config.wechat.appId, jsapiTicket, url: url.value }),
    );
  });
  return router;
}

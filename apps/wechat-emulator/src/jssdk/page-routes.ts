/** /jweixin.js (the JS-SDK stand-in) and the endpoints it calls: wx.config's check, the address book, share cards. */
import { Router } from '@koa/router';
import { admitBridgeCall } from '../bridge/routes';
import type { Deps } from '../deps';
import { readJsonBody, str } from '../http/body';
import { TEST_ADDRESSES } from './addresses';
import { checkWxConfig, isShareableLink } from './config-check';
import { jssdkScript } from './script';

const MAX_CARD_TEXT = 512;

export function jssdkPageRouter(deps: Deps): Router {
  const router = new Router();

  router.get('/jweixin.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = jssdkScript(deps.publicUrl());
  });

  router.options(/^\/__jssdk\//, (ctx) => {
    admitBridgeCall(ctx, deps);
    ctx.status = 204;
  });

  router.post('/__jssdk/config', async (ctx) => {
    if (!admitBridgeCall(ctx, deps)) return;
    const verdict = checkWxConfig(await readJsonBody(ctx).catch(() => ({})), deps.merchants, deps.state.jssdk);
    if (verdict.ok) deps.state.jssdk.configs.ok += 1;
    else {
      deps.state.jssdk.configs.failed += 1;
      deps.log(`wx.config refused: ${verdict.errMsg}`);
    }
    ctx.body = verdict;
  });

  router.get('/__jssdk/addresses', (ctx) => {
    admitBridgeCall(ctx, deps);
    ctx.body = { addresses: TEST_ADDRESSES };
  });

  router.post('/__jssdk/share', async (ctx) => {
    if (!admitBridgeCall(ctx, deps)) return;
    const body = await readJsonBody(ctx).catch(() => ({}) as Record<string, unknown>);
    const text = (v: unknown) => (str(v) ?? '').slice(0, MAX_CARD_TEXT);
    if (!isShareableLink(body.link, body.appId, deps.merchants)) {
      deps.log(`share card refused: link ${text(body.link)} is not on a JS safe domain`);
      ctx.body = { ok: false, errMsg: 'fail, the link domain is not a JS safe domain' };
      return;
    }
    const kind = body.kind === 'timeline' ? 'timeline' : 'appMessage';
    deps.state.jssdk.recordShare({
      kind,
      title: text(body.title),
      ...(kind === 'appMessage' ? { desc: text(body.desc) } : {}),
      link: text(body.link),
      imgUrl: text(body.imgUrl),
      pageUrl: text(body.pageUrl),
      at: Date.now(),
    });
    ctx.body = { ok: true };
  });

  return router;
}

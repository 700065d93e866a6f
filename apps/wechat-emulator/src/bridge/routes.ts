/** /bridge.js, the endpoints it talks to, and the NATIVE scan-and-pay page. */
import type { Context } from 'koa';
import { Router } from '@koa/router';
import { randomString } from '@wxpay-shop/wechat';
import type { Deps } from '../deps';
import { readJsonBody, str } from '../http/body';
import { errorPage } from '../http/html';
import { isSafeMethod, jsonOrNoBody, siteOf } from '../http/origin';
import { pay, PaymentError } from '../pay/payment';
import type { PayTicket } from './pay-ticket';
import { checkPayRequest } from './check';
import { fen, nativePage } from './native-page';
import { bridgeScript } from './script';

/**
 * The bridge runs on the shop's origin: only origins configured as allowed (and same-origin or
 * non-browser callers) may open, confirm or cancel a pay sheet, and only they get CORS answers.
 * Bodies must be JSON, so any other page's attempt stops at the CORS preflight.
 */
export function admitBridgeCall(ctx: Context, deps: Deps): boolean {
  ctx.vary('Origin');
  const verdict = siteOf(ctx, deps.config.allowedOrigins, deps.publicUrl());
  if (verdict.ok && verdict.corsOrigin) {
    ctx.set('Access-Control-Allow-Origin', verdict.corsOrigin);
    ctx.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    ctx.set('Access-Control-Allow-Headers', 'Content-Type');
  }
  if (isSafeMethod(ctx.method)) return true;
  if (!verdict.ok) {
    const allowed = [...deps.config.allowedOrigins].join(', ') || 'none';
    deps.log(
      `${ctx.method} ${ctx.path} refused: ${verdict.reason} (allowed: ${allowed}; a shop page's origin goes in EMULATOR_ALLOWED_ORIGINS)`,
    );
    ctx.status = 403;
    ctx.body = { ok: false, err_desc: `模拟器拒绝跨站请求：${verdict.reason}` };
    return false;
  }
  if (!jsonOrNoBody(ctx)) {
    ctx.status = 415;
    ctx.body = { ok: false, err_desc: '请求体必须是 application/json' };
    return false;
  }
  return true;
}

export function bridgeRouter(deps: Deps): Router {
  const router = new Router();

  router.get('/bridge.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = bridgeScript(deps.publicUrl());
  });

  router.options(/^\/__bridge\//, (ctx) => {
    admitBridgeCall(ctx, deps);
    ctx.status = 204;
  });

  router.post('/__bridge/pay-request', async (ctx) => {
    if (!admitBridgeCall(ctx, deps)) return;
    let params: Record<string, unknown>;
    try {
      params = await readJsonBody(ctx);
    } catch {
      ctx.body = { ok: false, err_desc: '参数格式错误' };
      return;
    }
    const check = checkPayRequest(params, deps);
    if (!check.ok) {
      deps.log(`bridge pay refused: ${check.reason}`);
      ctx.body = { ok: false, err_desc: check.reason };
      return;
    }
    // A test asked for cancel before this sheet opened: the sheet shows, then answers cancel.
    const status = deps.state.cancelNextSheet.delete(check.prepayId) ? 'cancelled' : 'open';
    const ticket: PayTicket = { id: randomString(24), prepayId: check.prepayId, status, createdAt: Date.now() };
    deps.state.tickets.set(ticket.id, ticket);
    const merchant = deps.merchants.byAppId(check.order.appId)!;
    ctx.body = {
      ok: true,
      ticket: ticket.id,
      sheet: {
        amount: fen(check.order.totalFee),
        merchantName: deps.merchants.displayName(merchant),
        body: check.order.body,
      },
    };
  });

  router.get('/__bridge/tickets/:id', (ctx) => {
    admitBridgeCall(ctx, deps);
    const ticket = deps.state.tickets.get(ctx.params.id ?? '');
    ctx.status = ticket ? 200 : 404;
    ctx.body = ticket ? { status: ticket.status } : { error: 'unknown ticket' };
  });

  router.post('/__bridge/tickets/:id/confirm', (ctx) => {
    if (!admitBridgeCall(ctx, deps)) return;
    const ticket = deps.state.tickets.get(ctx.params.id ?? '');
    if (!ticket || ticket.status !== 'open') {
      ctx.body = { ok: false, err_desc: ticket?.status === 'paid' ? '该订单已支付' : '支付会话已失效' };
      return;
    }
    try {
      // pay() marks every open ticket of the order, this one included, as paid.
      pay(ticket.prepayId, deps);
      ctx.body = { ok: true };
    } catch (err) {
      if (!(err instanceof PaymentError)) throw err;
      ticket.status = 'cancelled';
      ctx.body = { ok: false, err_desc: err.message };
    }
  });

  router.post('/__bridge/tickets/:id/cancel', (ctx) => {
    if (!admitBridgeCall(ctx, deps)) return;
    const ticket = deps.state.tickets.get(ctx.params.id ?? '');
    if (ticket?.status === 'open') ticket.status = 'cancelled';
    ctx.body = { ok: true };
  });

  /** The order a scanned code_url names, or a 404 page (then null). */
  function scannedOrder(ctx: Context, codeUrl: string) {
    const order = deps.state.findOrderByCodeUrl(codeUrl);
    ctx.type = 'text/html; charset=utf-8';
    if (!order) {
      ctx.status = 404;
      ctx.body = errorPage('code_url', '二维码无效或已过期');
      return null;
    }
    return { order, merchantName: deps.merchants.displayName(deps.merchants.byMchId(order.mchId)!) };
  }

  router.get('/native', (ctx) => {
    const codeUrl = typeof ctx.query.code_url === 'string' ? ctx.query.code_url : '';
    const scanned = scannedOrder(ctx, codeUrl);
    if (scanned) ctx.body = nativePage(scanned.order, scanned.merchantName, codeUrl);
  });

  router.post('/native/pay', async (ctx) => {
    const codeUrl = str((await readJsonBody(ctx)).code_url) ?? '';
    const scanned = scannedOrder(ctx, codeUrl);
    if (!scanned) return;
    const { order, merchantName } = scanned;
    try {
      pay(order.prepayId, deps);
      ctx.body = nativePage(order, merchantName, codeUrl, { ok: true, text: '支付成功' });
    } catch (err) {
      if (!(err instanceof PaymentError)) throw err;
      ctx.status = 409;
      ctx.body = nativePage(order, merchantName, codeUrl, { ok: false, text: err.message });
    }
  });

  return router;
}

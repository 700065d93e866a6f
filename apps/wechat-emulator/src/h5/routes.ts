/**
 * The H5 pay URL (mweb_url / h5_url): a page standing in for WeChat's 正在跳转微信支付 step, where the
 * tester pays or cancels, then the browser goes to the shop's redirect_url (URL-encoded in the query).
 */
import type { Context } from 'koa';
import { Router } from '@koa/router';
import type { Deps } from '../deps';
import { fen } from '../bridge/native-page';
import { readJsonBody, str } from '../http/body';
import { html, mobilePage } from '../http/html';
import { pay, PaymentError } from '../pay/payment';
import { checkH5Visit, type H5Visit } from './checks';

function errorPage(message: string): string {
  return mobilePage('微信支付', html`<div class="wx-error" data-testid="wx-h5-error"><h1>${message}</h1></div>`);
}

function payPage(visit: H5Visit, merchantName: string, amountFen: number, body: string, referer: string): string {
  return mobilePage(
    '微信支付',
    html`<div class="card">
        <p class="wx-muted">正在跳转微信支付…（模拟器：请选择支付结果）</p>
        <p class="wx-muted">${merchantName}</p>
        <p class="amount" data-testid="wx-pay-amount">¥${fen(amountFen)}</p>
        <p>${body}</p>
      </div>
      <form method="post" action="/h5/checkmweb">
        <input type="hidden" name="prepay_id" value="${visit.prepayId}" />
        <input type="hidden" name="redirect_url" value="${visit.redirectUrl ?? ''}" />
        <input type="hidden" name="referer" value="${referer}" />
        <button class="wx-btn wx-btn-primary" type="submit" name="action" value="pay" data-testid="wx-h5-pay">
          支付
        </button>
        <button class="wx-btn wx-btn-default" type="submit" name="action" value="cancel" data-testid="wx-h5-cancel">
          取消支付
        </button>
      </form>`,
    '.card{background:#fff;border-radius:8px;padding:20px;text-align:center}.amount{font-size:36px;font-weight:600;margin:8px 0}',
  );
}

export function h5Router(deps: Deps): Router {
  const router = new Router();

  const visitOf = (ctx: Context, fields: Record<string, unknown>, referer: string | undefined): H5Visit => ({
    prepayId: str(fields.prepay_id) ?? '',
    redirectUrl: str(fields.redirect_url) || undefined,
    referer,
    userAgent: ctx.get('user-agent'),
    clientIp: ctx.ip,
  });

  router.get('/h5/checkmweb', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    const referer = ctx.get('referer') || undefined;
    const visit = visitOf(ctx, ctx.query, referer);
    const check = checkH5Visit(visit, deps);
    if (!check.ok) {
      deps.log(`h5 ${visit.prepayId} refused: ${check.message}`);
      ctx.body = errorPage(check.message);
      return;
    }
    ctx.body = payPage(
      visit,
      deps.merchants.displayName(check.merchant),
      check.order.totalFee,
      check.order.body,
      referer!,
    );
  });

  router.post('/h5/checkmweb', async (ctx) => {
    const fields = await readJsonBody(ctx);
    ctx.type = 'text/html; charset=utf-8';
    // The shop page's Referer, carried over from the first step (this POST's own is the emulator's page).
    const visit = visitOf(ctx, fields, str(fields.referer));
    const check = checkH5Visit(visit, deps);
    if (!check.ok) {
      ctx.body = errorPage(check.message);
      return;
    }
    if (fields.action === 'pay') {
      try {
        pay(visit.prepayId, deps);
      } catch (err) {
        if (!(err instanceof PaymentError)) throw err;
        ctx.body = errorPage(err.message);
        return;
      }
    }
    if (visit.redirectUrl) return ctx.redirect(visit.redirectUrl);
    ctx.body = mobilePage(
      '微信支付',
      html`<p class="wx-muted" data-testid="wx-h5-done">${fields.action === 'pay' ? '支付成功' : '已取消支付'}</p>`,
    );
  });

  return router;
}

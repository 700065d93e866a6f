/** Operator API, guarded by a bearer token compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { AdminOrderListSchema, OrderSchema, RefundRequestSchema } from '@wxpay-shop/contract';
import { WechatPayBusinessError, WechatPayCommunicationError } from '@wxpay-shop/wechat';
import { readJson } from '../http/body';
import { HttpError, badRequest, conflict, upstreamError } from '../http/errors';
import { findOrderOr404, loadOrder, toOrders, transition } from '../orders/repository';
import type { Services } from '../services';
import { newOutRefundNo, settleRefund } from './refunds';

/** Flagged orders are rare; a cap keeps one response bounded if something floods them. */
const ATTENTION_LIST_LIMIT = 200;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function requireAdmin(token: string) {
  const expected = digest(token);
  return async (ctx: Context, next: () => Promise<unknown>) => {
    const header = ctx.get('Authorization');
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    // Hashing first makes the comparison length-independent as well as constant-time.
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'UNAUTHENTICATED', 'Admin token required');
    }
    await next();
  };
}

export function adminRoutes(services: Services): Router {
  const { db } = services;
  const router = new Router();
  router.use('/api/admin', requireAdmin(services.config.adminToken));

  router.get('/api/admin/orders', async (ctx) => {
    // Only the attention list exists; refusing anything else keeps a typo from looking like "nothing to do".
    if (ctx.query.attention !== '1') throw badRequest('Use ?attention=1');
    const rows = await db
      .selectFrom('orders')
      .selectAll()
      .where('needs_attention', '=', true)
      .orderBy('updated_at', 'desc')
      .limit(ATTENTION_LIST_LIMIT)
      .execute();
    const orders = await toOrders(db, rows);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = AdminOrderListSchema.parse({
      orders: orders.map((o, i) => ({ ...o, attention: rows[i]!.attention_reason })),
    });
  });

  router.post('/api/admin/orders/:outTradeNo/refund', async (ctx) => {
    const request = await readJson(ctx, RefundRequestSchema);
    const order = await findOrderOr404(db, ctx.params.outTradeNo);
    const outTradeNo = order.out_trade_no;
    const refundPay = services.refundPay;
    if (!refundPay) throw new HttpError(503, 'INTERNAL', 'Refunds are not configured (merchant client certificate missing)');
    if (order.status !== 'PAID') throw conflict(`Order is ${order.status}; only PAID orders can be refunded`);
    const remaining = order.total_fen - order.refunded_fen;
    const amount = request.amountFen ?? remaining;
    if (amount > remaining) throw badRequest(`At most ${remaining} fen can be refunded`);

    const outRefundNo = newOutRefundNo(outTradeNo);
    const started = await db.transaction().execute(async (trx) => {
      const moved = await transition(trx, outTradeNo, 'PAID', 'REFUNDING', 'admin-refund', {}, outRefundNo);
      if (!moved) return false;
      await trx
        .insertInto('refunds')
        .values({ out_refund_no: outRefundNo, order_id: order.id, refund_fen: amount, reason: request.reason ?? null, status: 'PROCESSING' })
        .execute();
      return true;
    });
    if (!started) throw conflict('Order changed; retry');

    try {
      const result = await refundPay.refund({
        outTradeNo,
        outRefundNo,
        totalFee: order.total_fen,
        refundFee: amount,
        notifyUrl: services.urls.refundNotify,
        ...(request.reason ? { refundDesc: request.reason } : {}),
      });
      await db.updateTable('refunds').set({ refund_id: result.refundId, updated_at: new Date() }).where('out_refund_no', '=', outRefundNo).execute();
    } catch (err) {
      // Only a refusal WeChat signed, or a request it rejected outright, means nothing happened. A
      // reply whose sign does not verify may come after WeChat did refund: that outcome is unknown.
      const definite = (err instanceof WechatPayBusinessError && !err.retryable) || err instanceof WechatPayCommunicationError;
      ctx.state.log.error({ err, outTradeNo, outRefundNo }, 'refund request failed');
      if (definite) {
        // WeChat refused it: nothing happened, so the order is refundable again.
        await settleRefund(db, ctx.state.log, { outRefundNo, status: 'FAILED' }, 'refund-rejected');
        throw upstreamError(
          err instanceof WechatPayBusinessError ? `WeChat Pay rejected the refund (${err.errCode})` : 'WeChat Pay rejected the refund',
        );
      }
      // Outcome unknown (timeout, unverifiable reply): stay REFUNDING; the reconciler asks refundquery.
      throw upstreamError('Refund outcome unknown; it will be reconciled automatically');
    }
    ctx.status = 202;
    ctx.body = OrderSchema.parse(await loadOrder(db, outTradeNo));
  });

  return router;
}

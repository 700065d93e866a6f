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

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;

function idempotencyKeyOf(ctx: Context): string | null {
  const key = ctx.get('Idempotency-Key');
  if (!key) return null;
  if (!IDEMPOTENCY_KEY.test(key)) throw badRequest('Idempotency-Key must be 1-64 characters of A-Z a-z 0-9 _ -');
  return key;
}

/**
 * True when a request with this key already started this refund. A key names one refund: reused for
 * another order or amount, or after WeChat refused that refund, it is a conflict, not a new refund.
 */
async function startedBefore(services: Services, key: string, orderId: number, amountFen: number | undefined): Promise<boolean> {
  const earlier = await services.db
    .selectFrom('refunds')
    .select(['order_id', 'refund_fen', 'status'])
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!earlier) return false;
  if (earlier.order_id !== orderId || (amountFen !== undefined && amountFen !== earlier.refund_fen)) {
    throw conflict('This Idempotency-Key was used for another refund');
  }
  if (earlier.status === 'FAILED') throw conflict('The refund with this Idempotency-Key was refused by WeChat; use a new key to try again');
  return true;
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
    ctx.body = AdminOrderListSchema.parse({
      orders: orders.map((o, i) => ({ ...o, attention: rows[i]!.attention_reason })),
    });
  });

  router.post('/api/admin/orders/:outTradeNo/refund', async (ctx) => {
    const request = await readJson(ctx, RefundRequestSchema);
    const key = idempotencyKeyOf(ctx);
    const order = await findOrderOr404(db, ctx.params.outTradeNo);
    const outTradeNo = order.out_trade_no;
    const refundPay = services.refundPay;
    if (!refundPay) throw new HttpError(503, 'INTERNAL', 'Refunds are not configured (merchant client certificate missing)');
    if (key && (await startedBefore(services, key, order.id, request.amountFen))) {
      // A retry of a request that got through (its answer was lost): report, never refund twice.
      ctx.status = 202;
      ctx.body = OrderSchema.parse(await loadOrder(db, outTradeNo));
      return;
    }
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
        .values({ out_refund_no: outRefundNo, order_id: order.id, refund_fen: amount, reason: request.reason ?? null, idempotency_key: key, status: 'PROCESSING' })
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
      // Outcome unknown (timeout, an unverifiable or unusable reply, a refusal after a lost reply):
      // stay REFUNDING; the refund notification or the reconciler's refundquery settles it.
      throw upstreamError('Refund outcome unknown; it will be reconciled automatically');
    }
    ctx.status = 202;
    ctx.body = OrderSchema.parse(await loadOrder(db, outTradeNo));
  });

  return router;
}

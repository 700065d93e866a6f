/** Operator API (refunds, shipping, after-sale decisions), guarded by a bearer token compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import {
  AdminAfterSaleListSchema,
  AdminOrderListSchema,
  AfterSaleStatusSchema,
  OrderSchema,
  RefundRequestSchema,
  RejectAfterSaleRequestSchema,
  ShipRequestSchema,
} from '@wxpay-shop/contract';
import { readJson } from '../http/body';
import { HttpError, badRequest, conflict } from '../http/errors';
import { afterSalesWithStatus, findAfterSaleOr404, rejectAfterSale } from '../orders/after-sales';
import { shipOrder } from '../orders/fulfilment';
import { findOrderOr404, loadOrder, toOrders } from '../orders/repository';
import type { Services } from '../services';
import { audit } from '../operators/audit';
import { auditView } from '../orders/operator-queries';
import { REFUND_COLUMNS, refundPayOr503, sendRefund, startRefund, type RefundRowPart } from './start-refund';

/** Flagged orders are rare; a cap keeps one response bounded if something floods them. */
const ATTENTION_LIST_LIMIT = 200;
/** The after-sale queue is worked oldest first; a page of this many is plenty for one operator. */
const AFTER_SALE_LIST_LIMIT = 200;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Bearer ADMIN_TOKEN guard for /api/admin routes (automation). */
export function requireAdmin(token: string) {
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
 * The refund a request with this key already named. A key names one refund: reused for another order
 * or amount it is a conflict, not a new refund.
 */
async function refundWithKey(
  services: Services,
  key: string,
  orderId: number,
  amountFen: number | undefined,
): Promise<RefundRowPart | undefined> {
  const earlier = await services.db
    .selectFrom('refunds')
    .select(REFUND_COLUMNS)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (earlier && (earlier.order_id !== orderId || (amountFen !== undefined && amountFen !== earlier.refund_fen))) {
    throw conflict('This Idempotency-Key was used for another refund');
  }
  return earlier;
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
    refundPayOr503(services);
    const named = key ? await refundWithKey(services, key, order.id, request.amountFen) : undefined;
    if (named && named.status !== 'FAILED') {
      // WeChat never acknowledged it (our request failed with an unknown outcome): send it again under
      // its own out_refund_no, which WeChat refunds at most once, instead of reporting a refund that may
      // never have reached it. Otherwise it got through (its answer was lost): report, never refund twice.
      if (named.status === 'PROCESSING' && named.refund_id === null) {
        const again = {
          outRefundNo: named.out_refund_no,
          amountFen: named.refund_fen,
          reason: named.reason,
          resend: true,
        };
        await sendRefund(services, ctx.state.log, { outTradeNo, totalFen: order.total_fen, ...again });
      }
      ctx.status = 202;
      ctx.body = OrderSchema.parse(await loadOrder(db, outTradeNo));
      return;
    }
    const outRefundNo = await startRefund(services, ctx.state.log, order, {
      amountFen: request.amountFen,
      reason: request.reason ?? null,
      key,
      named,
    });
    const after = await findOrderOr404(db, outTradeNo);
    await audit(db, {
      actor: 'admin-token',
      action: 'order.refund',
      target: `order:${outTradeNo}`,
      before: auditView(order),
      after: { ...auditView(after), amountFen: request.amountFen ?? order.total_fen - order.refunded_fen, outRefundNo },
    });
    ctx.status = 202;
    ctx.body = OrderSchema.parse(await loadOrder(db, outTradeNo));
  });

  router.post('/api/admin/orders/:outTradeNo/ship', async (ctx) => {
    const request = await readJson(ctx, ShipRequestSchema);
    const order = await findOrderOr404(db, ctx.params.outTradeNo);
    await shipOrder(db, order, request, services.config.autoReceiveDays);
    ctx.state.log.info({ outTradeNo: order.out_trade_no, carrier: request.carrier }, 'order shipped');
    ctx.body = OrderSchema.parse(await loadOrder(db, order.out_trade_no));
  });

  router.get('/api/admin/after-sales', async (ctx) => {
    const status = AfterSaleStatusSchema.safeParse(ctx.query.status ?? 'PENDING');
    if (!status.success) throw badRequest('status must be PENDING, APPROVED or REJECTED');
    const rows = await afterSalesWithStatus(db, status.data, AFTER_SALE_LIST_LIMIT);
    const orders = new Map(
      (
        await toOrders(
          db,
          await ordersByNumber(
            services,
            rows.map((r) => r.out_trade_no),
          ),
        )
      ).map((o) => [o.outTradeNo, o]),
    );
    ctx.body = AdminAfterSaleListSchema.parse({
      afterSales: rows.map((r) => ({
        ...orders.get(r.out_trade_no)!.afterSales.find((a) => a.id === r.id)!,
        outTradeNo: r.out_trade_no,
      })),
    });
  });

  router.post('/api/admin/after-sales/:id/approve', async (ctx) => {
    const { afterSale, order } = await findAfterSaleOr404(db, ctx.params.id);
    const refund = afterSale.out_refund_no
      ? await db
          .selectFrom('refunds')
          .select(REFUND_COLUMNS)
          .where('out_refund_no', '=', afterSale.out_refund_no)
          .executeTakeFirst()
      : undefined;
    if (afterSale.status === 'REJECTED')
      throw conflict('After-sale request was rejected', { status: afterSale.status });
    // Approved before: a retry reports; only a refund WeChat refused is sent again (same out_refund_no).
    if (afterSale.status === 'APPROVED' && refund?.status !== 'FAILED') {
      ctx.status = 202;
      ctx.body = OrderSchema.parse(await loadOrder(db, order.out_trade_no));
      return;
    }
    await startRefund(services, ctx.state.log, order, {
      amountFen: afterSale.amount_fen,
      reason: afterSale.reason,
      key: null,
      named: refund,
      afterSaleId: afterSale.id,
    });
    ctx.state.log.info({ outTradeNo: order.out_trade_no, afterSaleId: afterSale.id }, 'after-sale approved');
    ctx.status = 202;
    ctx.body = OrderSchema.parse(await loadOrder(db, order.out_trade_no));
  });

  router.post('/api/admin/after-sales/:id/reject', async (ctx) => {
    const request = await readJson(ctx, RejectAfterSaleRequestSchema);
    const { afterSale, order } = await findAfterSaleOr404(db, ctx.params.id);
    await rejectAfterSale(db, afterSale, request.reason);
    ctx.state.log.info({ outTradeNo: order.out_trade_no, afterSaleId: afterSale.id }, 'after-sale rejected');
    ctx.body = OrderSchema.parse(await loadOrder(db, order.out_trade_no));
  });

  return router;
}

function ordersByNumber(services: Services, outTradeNos: string[]) {
  if (outTradeNos.length === 0) return Promise.resolve([]);
  return services.db
    .selectFrom('orders')
    .selectAll()
    .where('out_trade_no', 'in', [...new Set(outTradeNos)])
    .execute();
}

/** Operator API, guarded by a bearer token compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { AdminOrderListSchema, OrderSchema, RefundRequestSchema } from '@wxpay-shop/contract';
import { readJson } from '../http/body';
import { HttpError, badRequest } from '../http/errors';
import { findOrderOr404, loadOrder, toOrders } from '../orders/repository';
import type { Services } from '../services';
import { audit } from '../operators/audit';
import { auditView } from '../orders/operator-queries';
import { startRefund } from './start-refund';

/** Flagged orders are rare; a cap keeps one response bounded if something floods them. */
const ATTENTION_LIST_LIMIT = 200;

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
    const started = await startRefund(services, ctx.state.log, order.out_trade_no, request, key);
    const after = await findOrderOr404(db, order.out_trade_no);
    await audit(db, {
      actor: 'admin-token',
      action: 'order.refund',
      target: `order:${order.out_trade_no}`,
      before: auditView(order),
      after: { ...auditView(after), amountFen: request.amountFen ?? order.total_fen - order.refunded_fen, started },
    });
    ctx.status = 202;
    ctx.body = OrderSchema.parse(await loadOrder(db, order.out_trade_no));
  });

  return router;
}

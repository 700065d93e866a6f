/**
 * The operator console's API under /api/operator: sign-in (rate-limited per account and client), the
 * session, and the console's reads and actions by role, every change written to the audit log.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { sql } from 'kysely';
import { RefundRequestSchema, RejectAfterSaleRequestSchema, ShipRequestSchema } from '@wxpay-shop/contract';
import { z } from 'zod';
import { billDayResponse, billListResponse, dayParam, parseListLimit, rerunBillDay } from '../bills/routes';
import { beijingDayBounds, beijingDayOf } from '../bills/bill-day';
import { readJson } from '../http/body';
import { HttpError, badRequest, conflict, tooManyRequests } from '../http/errors';
import { clientKey } from '../http/rate-limit';
import { auditView, exportOrders, listOrdersPage, orderDetail, parseOrderFilter } from '../orders/operator-queries';
import { findAfterSaleOr404, rejectAfterSale } from '../orders/after-sales';
import { shipOrder } from '../orders/fulfilment';
import { findOrderOr404 } from '../orders/repository';
import { startRefund } from '../payments/start-refund';
import type { Services } from '../services';
import { createOperatorSession, deleteOperatorSession, findOperatorByName } from './accounts';
import { audit, auditPage } from './audit';
import {
  OPERATOR_COOKIE,
  OPERATOR_SESSION_TTL_MS,
  actorOf,
  requireOperator,
  setOperatorCookie,
  type SignedInOperator,
} from './operator-auth';
import { dummyHash, verifyPassword } from './password';
import { SignInLimiter } from './sign-in-limiter';

const SignInSchema = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const ResolveSchema = z.object({ note: z.string().trim().min(1).max(500) });
const CSV_MAX_ROWS = 10_000;

const operatorOf = (ctx: Context) => ctx.state.operator as SignedInOperator;

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  // A leading = + - @ would be a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The dashboard's chart: paid amount per Beijing day (no DST there, so a day is always 24 h). */
const DASHBOARD_DAYS = 30;
const DAY_MS = 24 * 3600_000;

export function operatorRoutes(services: Services, limiter = new SignInLimiter(services.pool)): Router {
  const { db } = services;
  const production = services.config.env === 'production';
  const router = new Router({ prefix: '/api/operator' });
  const viewer = requireOperator(db, 'viewer');
  const operator = requireOperator(db, 'operator');

  router.post('/sign-in', async (ctx) => {
    const { name, password } = await readJson(ctx, SignInSchema);
    const keys = [`account:${name.toLowerCase()}`, `client:${clientKey(ctx.ip)}`];
    const waitMs = await limiter.blockedForMs(keys);
    if (waitMs > 0) throw tooManyRequests('Too many wrong passwords; try again later', Math.ceil(waitMs / 1000));
    const account = await findOperatorByName(db, name);
    // A missing account costs the same scrypt as a wrong password, so timing does not tell names apart.
    const valid = await verifyPassword(password, account?.password_hash ?? (await dummyHash()));
    if (!account || !valid) {
      await limiter.fail(keys);
      throw new HttpError(401, 'UNAUTHENTICATED', 'Wrong name or password');
    }
    await limiter.succeed(keys[0]!);
    const { token, csrfToken } = await createOperatorSession(db, account.id, OPERATOR_SESSION_TTL_MS);
    setOperatorCookie(ctx, token, production);
    await audit(db, {
      actor: `operator:${account.name}`,
      action: 'operator.sign-in',
      target: `operator:${account.name}`,
    });
    ctx.body = { name: account.name, role: account.role, csrfToken };
  });

  router.post('/sign-out', viewer, async (ctx) => {
    const token = ctx.cookies.get(OPERATOR_COOKIE);
    if (token) await deleteOperatorSession(db, token);
    setOperatorCookie(ctx, null, production);
    ctx.status = 204;
  });

  router.get('/me', viewer, (ctx) => {
    const { name, role, csrfToken } = operatorOf(ctx);
    ctx.body = {
      name,
      role,
      csrfToken,
      refundLimitFen: role === 'operator' ? services.config.operatorRefundLimitFen : null,
    };
  });

  router.get('/orders', viewer, async (ctx) => {
    ctx.body = await listOrdersPage(db, parseOrderFilter(ctx.query));
  });

  router.get('/orders.csv', viewer, async (ctx) => {
    const rows = await exportOrders(db, { ...parseOrderFilter(ctx.query), limit: CSV_MAX_ROWS }, CSV_MAX_ROWS);
    const header = [
      'out_trade_no',
      'status',
      'total_fen',
      'refunded_fen',
      'transaction_id',
      'openid',
      'created_at',
      'paid_at',
      'attention',
    ];
    const lines = rows.map((r) =>
      [
        r.out_trade_no,
        r.status,
        r.total_fen,
        r.refunded_fen,
        r.transaction_id,
        r.openid,
        r.created_at,
        r.paid_at,
        r.attention_reason,
      ]
        .map(csvCell)
        .join(','),
    );
    ctx.type = 'text/csv; charset=utf-8';
    ctx.attachment(`orders-${beijingDayOf(new Date())}.csv`);
    ctx.body = `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`;
  });

  router.get('/orders/:outTradeNo', viewer, async (ctx) => {
    ctx.body = await orderDetail(db, await findOrderOr404(db, ctx.params.outTradeNo));
  });

  router.post('/orders/:outTradeNo/refund', operator, async (ctx) => {
    const request = await readJson(ctx, RefundRequestSchema);
    const me = operatorOf(ctx);
    const before = await findOrderOr404(db, ctx.params.outTradeNo);
    const amountFen = request.amountFen ?? before.total_fen - before.refunded_fen;
    const cap = services.config.operatorRefundLimitFen;
    if (me.role !== 'admin' && amountFen > cap)
      throw new HttpError(403, 'FORBIDDEN', `Your role may refund at most ${cap} fen at a time`);
    const started = await startRefund(services, ctx.state.log, before, {
      amountFen: request.amountFen,
      reason: request.reason ?? null,
      key: null,
    });
    const after = await findOrderOr404(db, before.out_trade_no);
    await audit(db, {
      actor: actorOf(me),
      action: 'order.refund',
      target: `order:${before.out_trade_no}`,
      before: auditView(before),
      after: { ...auditView(after), amountFen, reason: request.reason ?? null, outRefundNo: started },
    });
    ctx.status = 202;
    ctx.body = await orderDetail(db, after);
  });

  // Fulfilment and 申请退款 answers use the lifecycle's own functions (orders/fulfilment, orders/after-sales).
  router.post('/orders/:outTradeNo/ship', operator, async (ctx) => {
    const request = await readJson(ctx, ShipRequestSchema);
    const before = await findOrderOr404(db, ctx.params.outTradeNo);
    const after = await shipOrder(db, before, request, services.config.autoReceiveDays);
    await audit(db, {
      actor: actorOf(operatorOf(ctx)),
      action: 'order.ship',
      target: `order:${before.out_trade_no}`,
      before: { fulfilment: before.fulfilment },
      after: { fulfilment: after.fulfilment, carrier: request.carrier, trackingNo: request.trackingNo },
    });
    ctx.body = await orderDetail(db, after);
  });

  router.post('/after-sales/:id/approve', operator, async (ctx) => {
    const me = operatorOf(ctx);
    const { afterSale, order } = await findAfterSaleOr404(db, ctx.params.id);
    if (afterSale.status !== 'PENDING')
      throw conflict(`After-sale request is ${afterSale.status}`, { status: afterSale.status });
    const cap = services.config.operatorRefundLimitFen;
    if (me.role !== 'admin' && afterSale.amount_fen > cap)
      throw new HttpError(403, 'FORBIDDEN', `Your role may refund at most ${cap} fen at a time`);
    const outRefundNo = await startRefund(services, ctx.state.log, order, {
      amountFen: afterSale.amount_fen,
      reason: afterSale.reason,
      key: null,
      afterSaleId: afterSale.id,
    });
    await audit(db, {
      actor: actorOf(me),
      action: 'after-sale.approve',
      target: `order:${order.out_trade_no}`,
      before: { afterSaleId: afterSale.id, afterSaleStatus: 'PENDING', order: auditView(order) },
      after: { afterSaleId: afterSale.id, afterSaleStatus: 'APPROVED', amountFen: afterSale.amount_fen, outRefundNo },
    });
    ctx.status = 202;
    ctx.body = await orderDetail(db, await findOrderOr404(db, order.out_trade_no));
  });

  router.post('/after-sales/:id/reject', operator, async (ctx) => {
    const request = await readJson(ctx, RejectAfterSaleRequestSchema);
    const { afterSale, order } = await findAfterSaleOr404(db, ctx.params.id);
    await rejectAfterSale(db, afterSale, request.reason);
    await audit(db, {
      actor: actorOf(operatorOf(ctx)),
      action: 'after-sale.reject',
      target: `order:${order.out_trade_no}`,
      before: { afterSaleId: afterSale.id, status: afterSale.status },
      after: { afterSaleId: afterSale.id, status: 'REJECTED', reason: request.reason },
    });
    ctx.body = await orderDetail(db, await findOrderOr404(db, order.out_trade_no));
  });

  router.post('/orders/:outTradeNo/resolve', operator, async (ctx) => {
    const { note } = await readJson(ctx, ResolveSchema);
    const me = operatorOf(ctx);
    const before = await findOrderOr404(db, ctx.params.outTradeNo);
    if (!before.needs_attention) throw badRequest('This order is not flagged');
    const after = await db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('orders')
        .set({ needs_attention: false, attention_reason: null, updated_at: new Date() })
        .where('id', '=', before.id)
        .where('needs_attention', '=', true)
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(trx, {
        actor: actorOf(me),
        action: 'order.resolve-attention',
        target: `order:${before.out_trade_no}`,
        before: auditView(before),
        after: { ...auditView(row), note },
      });
      return row;
    });
    ctx.body = await orderDetail(db, after);
  });

  router.get('/audit', viewer, async (ctx) => {
    const beforeId = ctx.query.before === undefined ? undefined : Number(ctx.query.before);
    if (beforeId !== undefined && !Number.isInteger(beforeId)) throw badRequest('before must be an entry id');
    const target = typeof ctx.query.target === 'string' ? ctx.query.target : undefined;
    const entries = await auditPage(db, { beforeId, limit: parseListLimit(ctx.query.limit ?? '50'), target });
    ctx.body = { entries, nextBefore: entries.length > 0 ? entries.at(-1)!.id : null };
  });

  router.get('/bills', viewer, async (ctx) => {
    ctx.body = await billListResponse(db, parseListLimit(ctx.query.limit));
  });
  router.get('/bills/:day', viewer, async (ctx) => {
    ctx.body = await billDayResponse(db, dayParam(ctx.params.day));
  });
  router.post('/bills/:day/reconcile', operator, async (ctx) => {
    ctx.body = await rerunBillDay(services, ctx.state.log, dayParam(ctx.params.day), actorOf(operatorOf(ctx)));
  });

  router.get('/dashboard', viewer, async (ctx) => {
    const today = beijingDayOf(new Date());
    const { start, end } = beijingDayBounds(today);
    const since = beijingDayBounds(beijingDayOf(new Date(Date.now() - (DASHBOARD_DAYS - 1) * DAY_MS))).start;
    const [orders, paid, refunds, waiting, attention, perDay, latest] = await Promise.all([
      db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('created_at', '>=', start)
        .where('created_at', '<', end)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('orders')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('total_fen'), sql<string>`0`).as('fen'))
        .where('paid_at', '>=', start)
        .where('paid_at', '<', end)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('refunds')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('refund_fen'), sql<string>`0`).as('fen'))
        .where('status', '=', 'SUCCESS')
        .where('updated_at', '>=', start)
        .where('updated_at', '<', end)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('status', '=', 'PAID')
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('needs_attention', '=', true)
        .executeTakeFirstOrThrow(),
      sql<{
        day: string;
        fen: string;
      }>`select to_char(paid_at + interval '8 hours', 'YYYY-MM-DD') as day, sum(total_fen) as fen
        from orders where paid_at >= ${since} group by 1 order by 1`.execute(db),
      billListResponse(db, 1),
    ]);
    ctx.body = {
      day: today,
      orders: Number(orders.n),
      paidFen: Number(paid.fen),
      refundedFen: Number(refunds.fen),
      // Until fulfilment lands (issue 15), every PAID order is one waiting to ship.
      waitingToShip: Number(waiting.n),
      attention: Number(attention.n),
      // Every one of the 30 days (0 without payments), so a chart's bars line up with the calendar.
      paidPerDay: Array.from({ length: DASHBOARD_DAYS }, (_, i) => {
        const day = beijingDayOf(new Date(Date.now() - (DASHBOARD_DAYS - 1 - i) * DAY_MS));
        return { day, paidFen: Number(perDay.rows.find((r) => r.day === day)?.fen ?? 0) };
      }),
      latestReconciliation: latest.days[0] ?? null,
    };
  });

  return router;
}

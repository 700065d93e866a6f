/** Shopper-facing orders: create, list, read (authoritative, with a rate-limited orderquery). */
import Router from '@koa/router';
import type { Context } from 'koa';
import {
  CreateOrderRequestSchema,
  IDEMPOTENT_REPLAYED_HEADER,
  OrderListSchema,
  OrderSchema,
  type CreateOrderRequest,
  type Order,
} from '@wxpay-shop/contract';
import { ago } from '../db/clock';
import type { OrderRow } from '../db/schema';
import { readJson } from '../http/body';
import { badRequest, notFound } from '../http/errors';
import { syncFromOrderQuery } from '../payments/settle';
import type { Services } from '../services';
import { pageSignTypeOf } from '../config';
import { existingShopper, keepShopper, prospectiveShopper, type Shopper } from '../sessions/session';
import { requireDeliveryAddress } from './delivery-address';
import { idempotencyKeyOf, orderForKey } from './idempotency';
import { orderRateLimit } from './order-limits';
import { ownsOrder } from './ownership';
import { placeOrder } from './place-order';
import { findOrderOr404, loadOrder, toOrders } from './repository';

/** While PENDING, a read may ask WeChat at most this often per order (across instances). */
const ORDER_QUERY_MIN_INTERVAL_MS = 5_000;

export function orderRoutes(services: Services): Router {
  const { db, config } = services;
  const router = new Router();
  const rateLimit = orderRateLimit(config, services.pool);

  router.post('/api/orders', async (ctx) => {
    // Counted first, and a refused request starts no session (a row for 7 days).
    const refusal = await rateLimit(ctx);
    const request: CreateOrderRequest = await readJson(ctx, CreateOrderRequestSchema);
    const key = idempotencyKeyOf(ctx);
    const quantities = new Map<string, number>();
    for (const item of request.items)
      quantities.set(item.productId, (quantities.get(item.productId) ?? 0) + item.quantity);
    if (refusal) {
      // The limit is on creating orders: a retry whose first answer was lost still gets the order it created.
      const owner = existingShopper(ctx);
      const earlier = key && owner ? await orderForKey(db, owner.ownerId, key, quantities) : undefined;
      if (!earlier) throw refusal;
      return replay(ctx, earlier);
    }
    // A new guest's session is stored only with the order it creates: a refused request leaves none.
    const shopper = prospectiveShopper(ctx);
    // Repeated lines for one product are summed, so the per-line limit is checked again here.
    const tooMany = [...quantities].filter(([, quantity]) => quantity > 99).map(([productId]) => productId);
    if (tooMany.length > 0) throw badRequest('At most 99 of one product per order', { productIds: tooMany });
    await requireDeliveryAddress(db, config, [...quantities.keys()], request.deliveryAddress);
    const now = new Date();
    // One statement: unknown products, stock and the unpaid-order cap are checked there, prices read there.
    const created = await placeOrder(db, {
      shopper,
      idempotencyKey: key,
      quantities,
      deliveryAddress: request.deliveryAddress,
      signType: pageSignTypeOf(config),
      now,
      expiresAt: new Date(now.getTime() + config.orderTtlMinutes * 60_000),
      onSaleOnly: config.env === 'production',
      maxPendingOrders: config.maxPendingOrders,
    });
    if (!created) {
      const earlier = key ? await orderForKey(db, shopper.ownerId, key, quantities) : undefined;
      if (!earlier) throw new Error('order insert conflicted, but no order has this Idempotency-Key');
      return replay(ctx, earlier);
    }
    keepShopper(ctx, shopper);
    ctx.state.log.info({ outTradeNo: created.outTradeNo, totalFen: created.totalFen }, 'order created');
    services.metrics.ordersCreated.inc();
    ctx.status = 201;
    ctx.body = OrderSchema.parse(created);
  });

  router.get('/api/orders', async (ctx) => {
    const shopper = existingShopper(ctx);
    if (!shopper) {
      ctx.body = OrderListSchema.parse({ orders: [] });
      return;
    }
    const rows = await db
      .selectFrom('orders')
      .selectAll()
      .where((eb) =>
        shopper.openid
          ? eb.or([eb('owner_id', '=', shopper.ownerId), eb('openid', '=', shopper.openid)])
          : eb('owner_id', '=', shopper.ownerId),
      )
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute();
    const orders = await toOrders(db, rows);
    ctx.body = OrderListSchema.parse({ orders });
  });

  router.get('/api/orders/:outTradeNo', async (ctx) => {
    const row = await ownedOrder(services, ctx.params.outTradeNo, existingShopper(ctx));
    // Only an orderquery can have changed the row since it was read.
    const queried =
      row.status === 'PENDING' && !!row.prepay_id && (await maybeQueryWechat(services, row, ctx.state.log));
    ctx.body = OrderSchema.parse(queried ? await loadOrder(db, row.out_trade_no) : (await toOrders(db, [row]))[0]);
  });

  return router;
}

/** The answer to a retried create: 200 (not 201, nothing was created) with the order as it is now. */
function replay(ctx: Context, order: Order): void {
  ctx.state.log.info({ outTradeNo: order.outTradeNo, status: order.status }, 'order create replayed (Idempotency-Key)');
  ctx.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
  ctx.status = 200;
  ctx.body = OrderSchema.parse(order);
}

/** 404 (not 403) for someone else's order, so order numbers cannot be probed. */
export async function ownedOrder(
  services: Services,
  outTradeNo: string | undefined,
  shopper: Shopper | null,
): Promise<OrderRow> {
  const row = await findOrderOr404(services.db, outTradeNo);
  if (!shopper || !ownsOrder(shopper, row)) throw notFound('No such order');
  return row;
}

/** True when this read claimed the query slot and asked WeChat (so the row may have changed). */
async function maybeQueryWechat(services: Services, row: OrderRow, log: Services['logger']): Promise<boolean> {
  // Claiming the query slot with a conditional UPDATE rate-limits across BFF instances too.
  const claimed = await services.db
    .updateTable('orders')
    .set({ last_queried_at: new Date() })
    .where('out_trade_no', '=', row.out_trade_no)
    .where('status', '=', 'PENDING')
    .where((eb) =>
      eb.or([eb('last_queried_at', 'is', null), eb('last_queried_at', '<', ago(ORDER_QUERY_MIN_INTERVAL_MS))]),
    )
    .returning('id')
    .executeTakeFirst();
  if (!claimed) return false;
  try {
    await syncFromOrderQuery(
      services.db,
      services.pay,
      log,
      services.metrics,
      row.out_trade_no,
      row.total_fen,
      'order-read',
    );
  } catch (err) {
    // The read still answers from the database; the reconciler will try again.
    log.warn({ err, outTradeNo: row.out_trade_no }, 'orderquery on read failed');
  }
  return true;
}

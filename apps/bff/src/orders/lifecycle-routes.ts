/** The shopper's actions on an order after checkout: 取消订单, 确认收货 and 申请退款. */
import Router from '@koa/router';
import type { Context } from 'koa';
import { AfterSaleRequestSchema, OrderSchema } from '@wxpay-shop/contract';
import { readJson } from '../http/body';
import { notFound } from '../http/errors';
import type { Services } from '../services';
import { existingShopper } from '../sessions/session';
import { requestAfterSale } from './after-sales';
import { cancelOrder } from './cancel';
import { receiveOrder } from './fulfilment';
import { loadOrder } from './repository';
import { ownedOrder } from './routes';

export function lifecycleRoutes(services: Services): Router {
  const { db } = services;
  const router = new Router();

  /** Someone else's order, or no session at all, is 404 like an unknown number. */
  const shopperOrder = (ctx: Context & { params: Record<string, string | undefined> }) => {
    const shopper = existingShopper(ctx);
    if (!shopper) throw notFound('No such order');
    return ownedOrder(services, ctx.params.outTradeNo, shopper);
  };

  router.post('/api/orders/:outTradeNo/cancel', async (ctx) => {
    const order = await shopperOrder(ctx);
    await cancelOrder(services, order, ctx.state.log);
    ctx.body = OrderSchema.parse(await loadOrder(db, order.out_trade_no));
  });

  router.post('/api/orders/:outTradeNo/confirm-receipt', async (ctx) => {
    const order = await shopperOrder(ctx);
    await receiveOrder(db, order);
    ctx.state.log.info({ outTradeNo: order.out_trade_no }, 'order received (shopper)');
    ctx.body = OrderSchema.parse(await loadOrder(db, order.out_trade_no));
  });

  router.post('/api/orders/:outTradeNo/after-sales', async (ctx) => {
    const request = await readJson(ctx, AfterSaleRequestSchema);
    const order = await shopperOrder(ctx);
    const afterSale = await requestAfterSale(db, order, request);
    ctx.state.log.info(
      { outTradeNo: order.out_trade_no, afterSaleId: afterSale.id, amountFen: afterSale.amount_fen },
      'after-sale requested',
    );
    ctx.status = 201;
    ctx.body = OrderSchema.parse(await loadOrder(db, order.out_trade_no));
  });

  return router;
}

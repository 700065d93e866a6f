/** Test control API under /__emulator/ (JSON). */
import type { Context } from 'koa';
import { Router } from '@koa/router';
import type { Deps } from '../deps';
import { parseFaultSpec } from '../faults';
import { readJsonBody, str } from '../http/body';
import { NotifyError } from '../notify/notifier';
import { pay, PaymentError, resolvePayable } from '../pay/payment';
import { snapshot } from './snapshot';

function problem(ctx: Context, status: number, error: string): void {
  ctx.status = status;
  ctx.body = { error };
}

export function controlRouter(deps: Deps, reset: () => void): Router {
  const router = new Router({ prefix: '/__emulator' });

  // Control calls come from test pages too; answer CORS so fetch() from any origin works.
  router.use(async (ctx, next) => {
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('Access-Control-Allow-Headers', 'Content-Type');
    ctx.set('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
    try {
      await next();
    } catch (err) {
      if (err instanceof SyntaxError) return problem(ctx, 400, `invalid JSON body: ${err.message}`);
      if (err instanceof PaymentError || err instanceof NotifyError) return problem(ctx, 409, err.message);
      throw err;
    }
  });

  router.get('/state', (ctx) => {
    ctx.body = snapshot(deps);
  });

  router.post('/pay', async (ctx) => {
    const body = await readJsonBody(ctx);
    const id = str(body.prepayId) ?? str(body.outTradeNo);
    if (!id) return problem(ctx, 400, 'prepayId or outTradeNo is required');
    const order = pay(id, deps);
    ctx.body = { outTradeNo: order.outTradeNo, transactionId: order.transactionId, state: order.state };
  });

  router.post('/cancel', async (ctx) => {
    const prepayId = str((await readJsonBody(ctx)).prepayId);
    if (!prepayId) return problem(ctx, 400, 'prepayId is required');
    if (!deps.state.findOrderByPrepayId(prepayId)) return problem(ctx, 404, `unknown prepay_id ${prepayId}`);
    let cancelled = 0;
    for (const ticket of deps.state.tickets.values()) {
      if (ticket.prepayId === prepayId && ticket.status === 'open') {
        ticket.status = 'cancelled';
        cancelled += 1;
      }
    }
    ctx.body = { cancelled };
  });

  router.post('/faults', async (ctx) => {
    const spec = parseFaultSpec(await readJsonBody(ctx));
    if (typeof spec === 'string') return problem(ctx, 400, spec);
    const fault = { ...spec, id: Number(deps.state.nextId('')), createdAt: Date.now() };
    deps.state.faults.push(fault);
    ctx.status = 201;
    ctx.body = fault;
  });

  router.delete('/faults', (ctx) => {
    deps.state.faults = [];
    ctx.status = 204;
  });

  router.post('/notifications/:id/replay', async (ctx) => {
    const attempt = await deps.notifier.replay(ctx.params.id ?? '');
    ctx.body = { attempt, notification: deps.state.deliveries.get(ctx.params.id ?? '') };
  });

  router.post('/notify-duplicates', async (ctx) => {
    const body = await readJsonBody(ctx);
    const outTradeNo = str(body.outTradeNo);
    const times = body.times === undefined ? 2 : body.times;
    if (!outTradeNo) return problem(ctx, 400, 'outTradeNo is required');
    if (!Number.isInteger(times) || (times as number) < 1 || (times as number) > 50) return problem(ctx, 400, 'times must be an integer in 1..50');
    const { order } = resolvePayable(outTradeNo, deps);
    ctx.body = await deps.notifier.duplicates(order, times as number);
  });

  router.post('/reset', (ctx) => {
    reset();
    ctx.body = { ok: true };
  });

  router.options(/.*/, (ctx) => {
    ctx.status = 204;
  });

  return router;
}

/** Test control API under /__emulator/ (JSON only). */
import type { Context } from 'koa';
import { Router } from '@koa/router';
import type { Deps } from '../deps';
import { parseFaultSpec } from '../faults';
import { readJsonBody, str } from '../http/body';
import { isSafeMethod, jsonOrNoBody } from '../http/origin';
import { NotifyError } from '../notify/notifier';
import { pay, payabilityProblem, PaymentError, resolvePayable } from '../pay/payment';
import { billEntries } from '../pay/downloadbill';
import { isUnpaid, UNPAID_STATES } from '../pay/order';
import { renderTradeBill } from '../pay/trade-bill';
import { REFUND_ENDS, type RefundOutcome } from '../pay/refund-record';
import { injectBillDiscrepancy } from './bill-discrepancy-control';
import { snapshot } from './snapshot';

function problem(ctx: Context, status: number, error: string): void {
  ctx.status = status;
  ctx.body = { error };
}

export function controlRouter(deps: Deps, reset: () => void): Router {
  const router = new Router({ prefix: '/__emulator' });

  // Callers are the same-origin console and non-browser tests, so no CORS is answered: no other
  // page may read the state (codes, tokens). Cross-site writes are refused in app.ts; requiring
  // JSON also means no other page can even send one without a preflight.
  router.use(async (ctx, next) => {
    if (!isSafeMethod(ctx.method) && !jsonOrNoBody(ctx))
      return problem(ctx, 415, 'control API bodies must be Content-Type: application/json');
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
    const order = deps.state.findOrderByPrepayId(prepayId);
    if (!order) return problem(ctx, 404, `unknown prepay_id ${prepayId}`);
    let cancelled = 0;
    for (const ticket of deps.state.tickets.values()) {
      if (ticket.prepayId === prepayId && ticket.status === 'open') {
        ticket.status = 'cancelled';
        cancelled += 1;
      }
    }
    if (cancelled > 0) {
      ctx.body = { cancelled };
      return;
    }
    // No sheet open yet: a test may call this before its page pays, so the next sheet answers cancel.
    const unpayable = payabilityProblem(order, prepayId, deps);
    if (unpayable) return problem(ctx, 409, `no pay sheet can open for ${prepayId}: ${unpayable}`);
    deps.state.cancelNextSheet.add(prepayId);
    ctx.body = { cancelled: 0, nextSheetCancels: true };
  });

  router.post('/trade-state', async (ctx) => {
    const body = await readJsonBody(ctx);
    const id = str(body.prepayId) ?? str(body.outTradeNo);
    if (!id) return problem(ctx, 400, 'prepayId or outTradeNo is required');
    const tradeState = UNPAID_STATES.find((s) => s === body.tradeState);
    if (!tradeState) return problem(ctx, 400, `tradeState must be one of ${UNPAID_STATES.join(', ')}`);
    const { order } = resolvePayable(id, deps);
    if (!isUnpaid(order))
      return problem(
        ctx,
        409,
        `order ${order.outTradeNo} is ${order.state}; only an unpaid order can become ${tradeState}`,
      );
    order.state = tradeState;
    ctx.body = { outTradeNo: order.outTradeNo, state: order.state };
  });

  router.post('/refund-outcome', async (ctx) => {
    const body = await readJsonBody(ctx);
    const status = REFUND_ENDS.find((s) => s === body.status);
    if (!status) return problem(ctx, 400, `status must be one of ${REFUND_ENDS.join(', ')}`);
    const outRefundNo = body.outRefundNo === undefined ? undefined : str(body.outRefundNo);
    if (body.outRefundNo !== undefined && !outRefundNo) return problem(ctx, 400, 'outRefundNo must be a string');
    const count = body.count ?? 1;
    if (!Number.isInteger(count) || (count as number) < 1) return problem(ctx, 400, 'count must be a positive integer');
    const existing = outRefundNo ? [...deps.state.refunds.values()].filter((r) => r.outRefundNo === outRefundNo) : [];
    if (existing.length > 1) return problem(ctx, 409, `out_refund_no ${outRefundNo} exists for several merchants`);
    const refund = existing[0];
    if (refund) {
      // An existing refund ends now; a CHANGE one may still be settled (as by hand in the merchant console).
      if (refund.status !== 'PROCESSING' && !(refund.status === 'CHANGE' && status !== 'CHANGE')) {
        return problem(ctx, 409, `refund ${outRefundNo} has already ended ${refund.status}`);
      }
      deps.notifier.endRefund(refund, status);
      ctx.body = { refund };
      return;
    }
    const outcome: RefundOutcome = {
      id: Number(deps.state.nextId('')),
      status,
      ...(outRefundNo ? { outRefundNo } : {}),
      remaining: count as number,
      createdAt: Date.now(),
    };
    deps.state.refundOutcomes.push(outcome);
    ctx.status = 201;
    ctx.body = outcome;
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

  router.delete('/faults/:id', (ctx) => {
    const id = Number(ctx.params.id);
    const left = deps.state.faults.filter((f) => f.id !== id);
    if (left.length === deps.state.faults.length) return problem(ctx, 404, `no active fault ${ctx.params.id}`);
    deps.state.faults = left;
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
    if (!Number.isInteger(times) || (times as number) < 1 || (times as number) > 50)
      return problem(ctx, 400, 'times must be an integer in 1..50');
    const { order } = resolvePayable(outTradeNo, deps);
    ctx.body = await deps.notifier.duplicates(order, times as number);
  });

  router.post('/bill-discrepancy', async (ctx) => {
    const result = injectBillDiscrepancy(deps, await readJsonBody(ctx));
    if (typeof result === 'string') return problem(ctx, 400, result);
    ctx.status = 201;
    ctx.body = result;
  });

  // The day's bill as /pay/downloadbill would send it (ALL, uncompressed), for the console's 下载对账单.
  router.get('/bill', (ctx) => {
    const date = str(ctx.query.date);
    const merchant = deps.merchants.byMchId(str(ctx.query.mchId) || deps.merchants.all[0]?.mchId);
    if (!date || !/^\d{8}$/.test(date)) return problem(ctx, 400, 'date must be yyyyMMdd');
    if (!merchant) return problem(ctx, 400, 'unknown mchId');
    const entries = billEntries(deps, merchant.mchId, date);
    if (entries.length === 0) return problem(ctx, 404, 'No Bill Exist');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Content-Disposition', `inline; filename="bill-${merchant.mchId}-${date}.csv"`);
    ctx.body = renderTradeBill(entries);
  });

  router.delete('/bill-discrepancy', (ctx) => {
    deps.state.billDiscrepancies = [];
    ctx.status = 204;
  });

  router.delete('/refund-outcome', (ctx) => {
    deps.state.refundOutcomes = [];
    ctx.status = 204;
  });

  router.post('/reset', (ctx) => {
    reset();
    ctx.body = { ok: true };
  });

  return router;
}

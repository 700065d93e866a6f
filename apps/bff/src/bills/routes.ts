/** Operator API of bill reconciliation: the stored days, one day's result, and an on-demand re-run. */
import Router from '@koa/router';
import type { Selectable } from 'kysely';
import {
  BillDayResponseSchema,
  BillReconciliationListSchema,
  BillReconciliationSchema,
  type BillReconciliation,
} from '@wxpay-shop/contract';
import { isPayRefusal, WechatError } from '@wxpay-shop/wechat';
import type { BillDiscrepanciesTable, BillReconciliationsTable } from '../db/schema';
import { badRequest, conflict, upstreamError } from '../http/errors';
import { requireAdmin } from '../payments/admin-routes';
import type { Logger } from '../logger';
import { audit } from '../operators/audit';
import type { Services } from '../services';
import { beijingDayOf, parseBillDay } from './bill-day';
import { BillRunBusyError, runBillDay } from './bill-job';
import { findBillResult, findBillRun, listBillResults } from './repository';

const LIST_LIMIT_MAX = 366;

function toReconciliation(row: Selectable<BillReconciliationsTable>): BillReconciliation {
  return BillReconciliationSchema.parse({
    day: row.bill_date,
    status: row.status,
    wechat: {
      count: row.wechat_count,
      paidFen: Number(row.wechat_paid_fen),
      refundFen: Number(row.wechat_refund_fen),
      feeMilliFen: Number(row.wechat_fee_milli_fen),
    },
    ours: {
      paymentCount: row.our_payment_count,
      paidFen: Number(row.our_paid_fen),
      refundCount: row.our_refund_count,
      refundFen: Number(row.our_refund_fen),
    },
    matchedPayments: row.matched_payments,
    matchedRefunds: row.matched_refunds,
    discrepancyCount: row.discrepancy_count,
    source: row.source,
    reconciledAt: row.reconciled_at.toISOString(),
  });
}

const toDiscrepancy = (row: Selectable<BillDiscrepanciesTable>) => ({
  kind: row.kind,
  outTradeNo: row.out_trade_no,
  outRefundNo: row.out_refund_no,
  transactionId: row.transaction_id,
  wechatFen: row.wechat_fen,
  ourFen: row.our_fen,
  orderKnown: row.order_id !== null,
  note: row.note,
});

/** A day that exists and has begun in Beijing (a bill of a day to come cannot exist). */
export function dayParam(value: string | undefined): string {
  const day = parseBillDay(value ?? '');
  if (!day) throw badRequest('day must be a real day, yyyy-MM-dd');
  if (day > beijingDayOf(new Date())) throw badRequest('day has not begun in Beijing yet');
  return day;
}

export async function billDayResponse(db: Services['db'], day: string) {
  const [found, run] = await Promise.all([findBillResult(db, day), findBillRun(db, day)]);
  return BillDayResponseSchema.parse({
    reconciliation: found ? toReconciliation(found.result) : null,
    discrepancies: found ? found.discrepancies.map(toDiscrepancy) : [],
    run: run
      ? { attempts: run.attempts, lastError: run.last_error, nextAttemptAt: run.next_attempt_at?.toISOString() ?? null }
      : null,
  });
}

export function parseListLimit(value: unknown): number {
  const limit = value === undefined ? 30 : Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX)
    throw badRequest(`limit must be 1-${LIST_LIMIT_MAX}`);
  return limit;
}

export async function billListResponse(db: Services['db'], limit: number) {
  return BillReconciliationListSchema.parse({ days: (await listBillResults(db, limit)).map(toReconciliation) });
}

/** Re-runs a day now for `actor` (audited with the result's status before and after). */
export async function rerunBillDay(services: Services, log: Logger, day: string, actor: string) {
  const before = await findBillResult(services.db, day);
  try {
    await runBillDay({ db: services.db, pay: services.pay, log, metrics: services.metrics }, day, {
      due: false,
      source: actor,
    });
  } catch (err) {
    if (err instanceof BillRunBusyError) throw conflict('This day is being reconciled right now; try again shortly');
    // The last good result stays; the message names WeChat's refusal, never a key.
    if (err instanceof WechatError) {
      throw upstreamError(
        isPayRefusal(err)
          ? `WeChat Pay refused the bill download: ${err.message}`
          : 'Bill download failed; retry later',
      );
    }
    throw err;
  }
  const response = await billDayResponse(services.db, day);
  const summary = (r: BillReconciliation | null | undefined) =>
    r ? { status: r.status, discrepancyCount: r.discrepancyCount } : null;
  await audit(services.db, {
    actor,
    action: 'bill.reconcile',
    target: `bill:${day}`,
    before: summary(before ? toReconciliation(before.result) : null),
    after: summary(response.reconciliation),
  });
  return response;
}

export function billRoutes(services: Services): Router {
  const router = new Router({ prefix: '/api/admin/bills' });
  router.use(requireAdmin(services.config.adminToken));
  router.get('/', async (ctx) => {
    ctx.body = await billListResponse(services.db, parseListLimit(ctx.query.limit));
  });
  router.get('/:day', async (ctx) => {
    ctx.body = await billDayResponse(services.db, dayParam(ctx.params.day));
  });
  router.post('/:day/reconcile', async (ctx) => {
    ctx.body = await rerunBillDay(services, ctx.state.log, dayParam(ctx.params.day), 'admin-token');
  });
  return router;
}

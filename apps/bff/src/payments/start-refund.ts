/**
 * Starting a refund for an operator (console or ADMIN_TOKEN automation): idempotency keys, the resubmission
 * of a refused refund under its own out_refund_no, and the call to WeChat. The caller reports the order.
 */
import type { Selectable } from 'kysely';
import { isPayRefusal, WechatPayBusinessError } from '@wxpay-shop/wechat';
import type { RefundsTable } from '../db/schema';
import { HttpError, badRequest, conflict, upstreamError } from '../http/errors';
import type { Logger } from '../logger';
import { findOrderOr404, transition } from '../orders/repository';
import type { Services } from '../services';
import { newOutRefundNo, settleRefund } from './refunds';

const REFUND_COLUMNS = ['out_refund_no', 'order_id', 'refund_fen', 'reason', 'idempotency_key', 'status'] as const;
type RefundRow = Pick<Selectable<RefundsTable>, (typeof REFUND_COLUMNS)[number]>;

/**
 * The refund a request with this key already named. A key names one refund: reused for another order
 * or amount it is a conflict, not a new refund.
 */
async function refundWithKey(services: Services, key: string, orderId: number, amountFen: number | undefined): Promise<RefundRow | undefined> {
  const earlier = await services.db.selectFrom('refunds').select(REFUND_COLUMNS).where('idempotency_key', '=', key).executeTakeFirst();
  if (earlier && (earlier.order_id !== orderId || (amountFen !== undefined && amountFen !== earlier.refund_fen))) {
    throw conflict('This Idempotency-Key was used for another refund');
  }
  return earlier;
}

/** The latest refund of this order and amount that WeChat refused (or never received), if any. */
function refusedRefund(services: Services, orderId: number, amountFen: number): Promise<RefundRow | undefined> {
  return services.db
    .selectFrom('refunds')
    .select(REFUND_COLUMNS)
    .where('order_id', '=', orderId)
    .where('refund_fen', '=', amountFen)
    .where('status', '=', 'FAILED')
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export interface RefundRequest {
  amountFen?: number | undefined;
  reason?: string | undefined;
}

/**
 * Starts (or, for a repeated Idempotency-Key, finds) the refund. 'ALREADY_STARTED': a retry of a request that
 * got through. Throws HttpError for a refusal (ours or WeChat's) and 502 when the outcome is unknown.
 * `maxAmountFen` caps one refund (an operator role's limit).
 */
export async function startRefund(
  services: Services,
  log: Logger,
  outTradeNoParam: string,
  request: RefundRequest,
  key: string | null,
  maxAmountFen?: number,
): Promise<'STARTED' | 'ALREADY_STARTED'> {
  const { db } = services;
  const order = await findOrderOr404(db, outTradeNoParam);
  const outTradeNo = order.out_trade_no;
  const refundPay = services.refundPay;
  if (!refundPay) throw new HttpError(503, 'INTERNAL', 'Refunds are not configured (merchant client certificate missing)');
  const named = key ? await refundWithKey(services, key, order.id, request.amountFen) : undefined;
  if (named && named.status !== 'FAILED') {
    // A retry of a request that got through (its answer was lost): report, never refund twice.
    return 'ALREADY_STARTED';
  }
  if (order.status !== 'PAID') throw conflict(`Order is ${order.status}; only PAID orders can be refunded`);
  const remaining = order.total_fen - order.refunded_fen;
  const amount = named?.refund_fen ?? request.amountFen ?? remaining;
  if (amount > remaining) throw badRequest(`At most ${remaining} fen can be refunded`);
  if (maxAmountFen !== undefined && amount > maxAmountFen) {
    throw new HttpError(403, 'FORBIDDEN', `Your role may refund at most ${maxAmountFen} fen at a time`);
  }

  // WeChat: "一笔退款失败后重新提交，请不要更换退款单号，请使用原商户退款单号". A refund of the same
  // order and amount as one WeChat refused is that refund retried, so it goes out again under the
  // refused one's out_refund_no (WeChat stored nothing for a refusal, and should the refusal have
  // been wrong, the same number still refunds only once). Another amount is another refund: a new number.
  const refused = named ?? (await refusedRefund(services, order.id, amount));
  if (refused?.idempotency_key && key && refused.idempotency_key !== key) {
    // One refund, one key: taking the new key would leave the old one naming nothing, and a late retry
    // carrying it would then start a second refund.
    throw conflict('A refund of this amount was refused earlier under another Idempotency-Key; retry it with that key or without one');
  }
  const outRefundNo = refused?.out_refund_no ?? newOutRefundNo(outTradeNo);
  const reason = request.reason ?? refused?.reason ?? null;
  const started = await db.transaction().execute(async (trx) => {
    const moved = await transition(trx, outTradeNo, 'PAID', 'REFUNDING', 'admin-refund', {}, refused ? `${outRefundNo} resubmitted` : outRefundNo);
    if (!moved) return false;
    if (!refused) {
      await trx
        .insertInto('refunds')
        .values({ out_refund_no: outRefundNo, order_id: order.id, refund_fen: amount, reason, idempotency_key: key, status: 'PROCESSING' })
        .execute();
      return true;
    }
    const reopened = await trx
      .updateTable('refunds')
      .set({ status: 'PROCESSING', reason, idempotency_key: key ?? refused.idempotency_key, updated_at: new Date() })
      .where('out_refund_no', '=', outRefundNo)
      .where('status', '=', 'FAILED')
      .executeTakeFirst();
    // Another request retried it meanwhile (and it went through): undo the transition, send nothing.
    if (reopened.numUpdatedRows !== 1n) throw conflict('Refund changed; retry');
    return true;
  });
  if (!started) throw conflict('Order changed; retry');

  let answered = false;
  try {
    const result = await refundPay.refund({
      outTradeNo,
      outRefundNo,
      totalFee: order.total_fen,
      refundFee: amount,
      notifyUrl: services.urls.refundNotify,
      ...(reason ? { refundDesc: reason } : {}),
    });
    answered = true;
    services.metrics.refundRequests.inc({ result: 'accepted' });
    await db.updateTable('refunds').set({ refund_id: result.refundId, updated_at: new Date() }).where('out_refund_no', '=', outRefundNo).execute();
  } catch (err) {
    // Only a refusal WeChat signed, or a request it rejected outright, means nothing happened. A
    // reply whose sign does not verify may come after WeChat did refund: that outcome is unknown.
    const definite = isPayRefusal(err);
    if (!answered) services.metrics.refundRequests.inc({ result: definite ? 'refused' : 'unknown' });
    log.error({ err, outTradeNo, outRefundNo }, 'refund request failed');
    if (definite) {
      // WeChat refused it: nothing happened, so the order is refundable again.
      await settleRefund(db, log, services.metrics, { outRefundNo, status: 'FAILED' }, 'refund-rejected');
      throw upstreamError(
        err instanceof WechatPayBusinessError ? `WeChat Pay rejected the refund (${err.errCode})` : 'WeChat Pay rejected the refund',
      );
    }
    // Outcome unknown (timeout, an unverifiable or unusable reply, a refusal after a lost reply):
    // stay REFUNDING; the refund notification or the reconciler's refundquery settles it.
    throw upstreamError('Refund outcome unknown; it will be reconciled automatically');
  }
  return 'STARTED';
}

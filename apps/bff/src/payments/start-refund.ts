/**
 * Starting a refund at WeChat, for the operator's refund request and for an approved 申请退款 alike.
 * The order goes PAID → REFUNDING (and the refunds row is written) before WeChat is called, so two
 * refunds of one order never run at once; the notification or the reconciler settles it later.
 */
import type { Selectable } from 'kysely';
import { payErrorCode, payRefusalOf } from '@wxpay-shop/wechat';
import type { OrderRow, RefundsTable } from '../db/schema';
import { HttpError, badRequest, conflict, upstreamError } from '../http/errors';
import type { Logger } from '../logger';
import { transition } from '../orders/repository';
import type { Services } from '../services';
import { newOutRefundNo, settleRefund } from './refunds';

export const REFUND_COLUMNS = [
  'out_refund_no',
  'order_id',
  'refund_id',
  'refund_fen',
  'reason',
  'idempotency_key',
  'status',
] as const;
export type RefundRowPart = Pick<Selectable<RefundsTable>, (typeof REFUND_COLUMNS)[number]>;

export interface RefundStart {
  /** Omitted: everything left. */
  amountFen?: number | undefined;
  reason: string | null;
  /** The operator's Idempotency-Key, if any. */
  key: string | null;
  /** The refund this key already named (a retry of one WeChat refused). */
  named?: RefundRowPart | undefined;
  /** The after-sale request this refund answers; it becomes APPROVED in the same transaction. */
  afterSaleId?: number;
}

/** The refund service, or 503 when no merchant client certificate is configured. */
export function refundPayOr503(services: Services) {
  if (!services.refundPay)
    throw new HttpError(503, 'INTERNAL', 'Refunds are not configured (merchant client certificate missing)');
  return services.refundPay;
}

/** The latest refund of this order and amount that WeChat refused (or never received), if any. */
function refusedRefund(services: Services, orderId: number, amountFen: number): Promise<RefundRowPart | undefined> {
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

/**
 * Starts (or resubmits) a refund and returns its out_refund_no. Throws 409 unless the order is PAID,
 * 400 for more than is left, 502 when WeChat refused it (the order is refundable again) or when
 * the outcome is unknown (it stays REFUNDING until reconciled).
 */
export async function startRefund(
  services: Services,
  log: Logger,
  order: OrderRow,
  start: RefundStart,
): Promise<string> {
  const { db } = services;
  refundPayOr503(services); // before the order moves: no refund service, no REFUNDING order
  const outTradeNo = order.out_trade_no;
  const { named, key } = start;
  if (order.status !== 'PAID') throw conflict(`Order is ${order.status}; only PAID orders can be refunded`);
  const remaining = order.total_fen - order.refunded_fen;
  const amount = named?.refund_fen ?? start.amountFen ?? remaining;
  if (amount > remaining) throw badRequest(`At most ${remaining} fen can be refunded`);

  // WeChat: "一笔退款失败后重新提交，请不要更换退款单号，请使用原商户退款单号". A refund of the same
  // order and amount as one WeChat refused is that refund retried, so it goes out again under the
  // refused one's out_refund_no (WeChat stored nothing for a refusal, and should the refusal have
  // been wrong, the same number still refunds only once). Another amount is another refund: a new number.
  const refused = named ?? (await refusedRefund(services, order.id, amount));
  if (refused?.idempotency_key && key && refused.idempotency_key !== key) {
    // One refund, one key: taking the new key would leave the old one naming nothing, and a late retry
    // carrying it would then start a second refund.
    throw conflict(
      'A refund of this amount was refused earlier under another Idempotency-Key; retry it with that key or without one',
    );
  }
  const outRefundNo = refused?.out_refund_no ?? newOutRefundNo(outTradeNo);
  const reason = start.reason ?? refused?.reason ?? null;
  const source = start.afterSaleId === undefined ? 'admin-refund' : 'after-sale-approved';
  const started = await db.transaction().execute(async (trx) => {
    const moved = await transition(
      trx,
      outTradeNo,
      'PAID',
      'REFUNDING',
      source,
      {},
      refused ? `${outRefundNo} resubmitted` : outRefundNo,
    );
    if (!moved) return false;
    if (!refused) {
      await trx
        .insertInto('refunds')
        .values({
          out_refund_no: outRefundNo,
          order_id: order.id,
          refund_fen: amount,
          reason,
          idempotency_key: key,
          status: 'PROCESSING',
        })
        .execute();
    } else {
      const reopened = await trx
        .updateTable('refunds')
        .set({ status: 'PROCESSING', reason, idempotency_key: key ?? refused.idempotency_key, updated_at: new Date() })
        .where('out_refund_no', '=', outRefundNo)
        .where('status', '=', 'FAILED')
        .executeTakeFirst();
      // Another request retried it meanwhile (and it went through): undo the transition, send nothing.
      if (reopened.numUpdatedRows !== 1n) throw conflict('Refund changed; retry');
    }
    if (start.afterSaleId !== undefined) {
      const approved = await trx
        .updateTable('after_sales')
        .set({ status: 'APPROVED', out_refund_no: outRefundNo, decided_at: new Date() })
        .where('id', '=', start.afterSaleId)
        .where((eb) =>
          eb.or([
            eb('status', '=', 'PENDING'),
            eb.and([eb('status', '=', 'APPROVED'), eb('out_refund_no', '=', outRefundNo)]),
          ]),
        )
        .executeTakeFirst();
      if (approved.numUpdatedRows !== 1n) throw conflict('After-sale request changed; retry');
    }
    return true;
  });
  if (!started) throw conflict('Order changed; retry');

  await sendRefund(services, log, { outTradeNo, totalFen: order.total_fen, outRefundNo, amountFen: amount, reason });
  return outRefundNo;
}

export interface RefundRequest {
  outTradeNo: string;
  totalFen: number;
  outRefundNo: string;
  amountFen: number;
  reason: string | null;
  /** An earlier attempt's outcome is unknown: a refusal now may answer a refund WeChat already made. */
  resend?: boolean;
}

/**
 * Asks WeChat for a refund recorded PROCESSING (order REFUNDING). A refusal WeChat signed puts the order
 * back to PAID (502); any other failure leaves the outcome unknown (502), and the refund open for a retry
 * with the same Idempotency-Key (which re-sends it), the notification or refundquery.
 */
export async function sendRefund(services: Services, log: Logger, refund: RefundRequest): Promise<void> {
  const { db } = services;
  const refundPay = refundPayOr503(services);
  const { outTradeNo, outRefundNo } = refund;
  let answered = false;
  try {
    const result = await refundPay.refund({
      outTradeNo,
      outRefundNo,
      totalFen: refund.totalFen,
      refundFen: refund.amountFen,
      notifyUrl: services.urls.refundNotify,
      ...(refund.reason ? { reason: refund.reason } : {}),
    });
    answered = true;
    services.metrics.refundRequests.inc({ result: 'accepted' });
    await db
      .updateTable('refunds')
      .set({ refund_id: result.refundId, updated_at: new Date() })
      .where('out_refund_no', '=', outRefundNo)
      .execute();
  } catch (err) {
    // Only a refusal WeChat signed, or a request it rejected outright, means nothing happened. A
    // reply whose sign does not verify may come after WeChat did refund: that outcome is unknown.
    const definite = payRefusalOf(err) !== null && !refund.resend;
    if (!answered) services.metrics.refundRequests.inc({ result: definite ? 'refused' : 'unknown' });
    log.error({ err, outTradeNo, outRefundNo }, 'refund request failed');
    if (definite) {
      // WeChat refused it: nothing happened, so the order is refundable again.
      await settleRefund(db, log, services.metrics, { outRefundNo, status: 'FAILED' }, 'refund-rejected');
      const code = payErrorCode(err);
      throw upstreamError(code ? `WeChat Pay rejected the refund (${code})` : 'WeChat Pay rejected the refund');
    }
    // Outcome unknown (timeout, an unverifiable or unusable reply, a refusal after a lost reply): stay
    // REFUNDING. If WeChat never got it, refundquery finds no refund and flags the order for an operator.
    throw upstreamError(
      `Refund outcome unknown (${outRefundNo}): retry with the same Idempotency-Key to send it again, ` +
        'or it will be reconciled automatically (a refund WeChat never received is put on the attention list)',
    );
  }
}

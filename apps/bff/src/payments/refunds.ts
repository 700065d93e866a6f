/**
 * Refunds. The order goes PAID → REFUNDING before WeChat is called, so two operators cannot
 * refund concurrently; the refund notification or refundquery then settles it.
 */
import type { Kysely, Transaction } from 'kysely';
import { randomString } from '@wxpay-shop/wechat';
import { inTransaction, type AfterCommit } from '../db/after-commit';
import type { DB, RefundStatus } from '../db/schema';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/metrics';
import { findOrder, markForAttention, transition } from '../orders/repository';

export function newOutRefundNo(outTradeNo: string): string {
  return `${outTradeNo}R${randomString(8)}`;
}

/** Final statuses after which the shopper got nothing back. */
const NO_MONEY_MOVED = new Set<RefundStatus>(['FAILED', 'REFUNDCLOSE']);

export type RefundSettlement =
  'SETTLED' | 'ALREADY_SETTLED' | 'CONTRADICTED' | 'NOT_OURS' | 'UNKNOWN_REFUND' | 'MISMATCH';

/** A final refund status as learnt from the refund request, notification or refundquery. */
export interface RefundOutcome {
  outRefundNo: string;
  outTradeNo?: string | undefined;
  refundId?: string | undefined;
  refundFee?: number | undefined;
  status: Exclude<RefundStatus, 'PROCESSING'>;
  /** When this settles the refund as failed, also flag the order with this reason (the operator must act). */
  attention?: string;
}

/** Applies a final refund status once (the refunds row leaves PROCESSING, or CHANGE, exactly once). */
export async function settleRefund(
  db: Kysely<DB>,
  log: Logger,
  metrics: Metrics,
  result: RefundOutcome,
  source: string,
): Promise<RefundSettlement> {
  const settled = await inTransaction(db, async (trx, afterCommit): Promise<RefundSettlement> => {
    const refund = await trx
      .selectFrom('refunds')
      .innerJoin('orders', 'orders.id', 'refunds.order_id')
      .select([
        'refunds.status',
        'refunds.refund_fen',
        'orders.out_trade_no',
        'orders.total_fen',
        'orders.refunded_fen',
      ])
      .where('refunds.out_refund_no', '=', result.outRefundNo)
      .forUpdate()
      .executeTakeFirst();
    if (!refund) return refundNotOurs(trx, afterCommit, log, metrics, result);
    if (
      (result.outTradeNo !== undefined && result.outTradeNo !== refund.out_trade_no) ||
      (result.refundFee !== undefined && result.refundFee !== refund.refund_fen)
    ) {
      log.error({ outRefundNo: result.outRefundNo }, 'refund result does not match our refund');
      return 'MISMATCH';
    }
    // CHANGE is WeChat's "stuck, handle it in the merchant console"; that handling ends in a final status.
    const open = refund.status === 'PROCESSING' || (refund.status === 'CHANGE' && result.status !== 'CHANGE');
    if (!open) {
      if (refund.status === result.status || (NO_MONEY_MOVED.has(refund.status) && NO_MONEY_MOVED.has(result.status)))
        return 'ALREADY_SETTLED';
      // WeChat's final word disagrees with ours (a refund we took as refused went through):
      // money may have moved that the order does not show, so a human must reconcile it.
      await markForAttention(
        trx,
        { metrics, afterCommit },
        refund.out_trade_no,
        'refund_contradicted',
        `refund ${result.outRefundNo} reported ${result.status} after we recorded it ${refund.status}`,
      );
      log.error(
        {
          outTradeNo: refund.out_trade_no,
          outRefundNo: result.outRefundNo,
          recorded: refund.status,
          reported: result.status,
          source,
        },
        'refund outcome contradicts the recorded one',
      );
      return 'CONTRADICTED';
    }
    await trx
      .updateTable('refunds')
      .set({ status: result.status, refund_id: result.refundId ?? null, updated_at: new Date() })
      .where('out_refund_no', '=', result.outRefundNo)
      .execute();
    const outTradeNo = refund.out_trade_no;
    if (result.status === 'SUCCESS') {
      const refunded = refund.refunded_fen + refund.refund_fen;
      await transition(
        trx,
        outTradeNo,
        'REFUNDING',
        refunded >= refund.total_fen ? 'REFUNDED' : 'PAID',
        source,
        {
          refunded_fen: refunded,
        },
        result.outRefundNo,
      );
    } else if (result.status === 'CHANGE') {
      // Funds are stuck at WeChat and need manual handling in the merchant console.
      await markForAttention(
        trx,
        { metrics, afterCommit },
        outTradeNo,
        'refund_change',
        `refund ${result.outRefundNo} ended in CHANGE (exception)`,
      );
      log.error({ outTradeNo, outRefundNo: result.outRefundNo }, 'refund exception (CHANGE)');
    } else {
      await transition(trx, outTradeNo, 'REFUNDING', 'PAID', source, {}, `${result.outRefundNo} ${result.status}`);
      if (result.attention) {
        await markForAttention(trx, { metrics, afterCommit }, outTradeNo, 'refund_never_sent', result.attention);
        log.error({ outTradeNo, outRefundNo: result.outRefundNo, source }, result.attention);
      }
    }
    log.info({ outTradeNo, outRefundNo: result.outRefundNo, status: result.status, source }, 'refund settled');
    return 'SETTLED';
  });
  // Counted once committed: a rolled-back transaction settled nothing.
  if (settled === 'SETTLED') metrics.refundsSettled.inc({ status: result.status.toLowerCase() });
  return settled;
}

/**
 * A refund we never asked for (made in the merchant console, say) on one of our orders: the shopper
 * may have money back that the order does not show, so an operator is told instead of WeChat refused.
 */
async function refundNotOurs(
  trx: Transaction<DB>,
  afterCommit: AfterCommit,
  log: Logger,
  metrics: Metrics,
  result: RefundOutcome,
): Promise<RefundSettlement> {
  const order = result.outTradeNo === undefined ? undefined : await findOrder(trx, result.outTradeNo);
  if (!order) return 'UNKNOWN_REFUND';
  await markForAttention(
    trx,
    { metrics, afterCommit },
    order.out_trade_no,
    'refund_not_ours',
    `refund ${result.outRefundNo} (${result.status}, ${String(result.refundFee)} fen) was not made by this shop`,
  );
  log.error(
    { outTradeNo: order.out_trade_no, outRefundNo: result.outRefundNo, status: result.status },
    'refund notification for a refund we did not make',
  );
  return 'NOT_OURS';
}

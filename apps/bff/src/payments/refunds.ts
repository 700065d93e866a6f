/**
 * Refunds. The order goes PAID → REFUNDING before WeChat is called, so two operators cannot
 * refund concurrently; the refund notification or refundquery then settles it.
 */
import type { Kysely } from 'kysely';
import { randomString } from '@wxpay-shop/wechat';
import type { DB, RefundStatus } from '../db/schema';
import type { Logger } from '../logger';
import { markForAttention, transition } from '../orders/repository';

export function newOutRefundNo(outTradeNo: string): string {
  return `${outTradeNo}R${randomString(8)}`;
}

export type RefundSettlement = 'SETTLED' | 'ALREADY_SETTLED' | 'UNKNOWN_REFUND' | 'MISMATCH';

/** A final refund status as learnt from the refund request, notification or refundquery. */
export interface RefundOutcome {
  outRefundNo: string;
  outTradeNo?: string | undefined;
  refundId?: string | undefined;
  refundFee?: number | undefined;
  status: Exclude<RefundStatus, 'PROCESSING'>;
}

/** Applies a final refund status once (the refunds row leaves PROCESSING exactly once). */
export async function settleRefund(db: Kysely<DB>, log: Logger, result: RefundOutcome, source: string): Promise<RefundSettlement> {
  return db.transaction().execute(async (trx) => {
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
    if (!refund) return 'UNKNOWN_REFUND';
    if (
      (result.outTradeNo !== undefined && result.outTradeNo !== refund.out_trade_no) ||
      (result.refundFee !== undefined && result.refundFee !== refund.refund_fen)
    ) {
      log.error({ outRefundNo: result.outRefundNo }, 'refund result does not match our refund');
      return 'MISMATCH';
    }
    if (refund.status !== 'PROCESSING') return 'ALREADY_SETTLED';
    await trx
      .updateTable('refunds')
      .set({ status: result.status, refund_id: result.refundId ?? null, updated_at: new Date() })
      .where('out_refund_no', '=', result.outRefundNo)
      .execute();
    const outTradeNo = refund.out_trade_no;
    if (result.status === 'SUCCESS') {
      const refunded = refund.refunded_fen + refund.refund_fen;
      await transition(trx, outTradeNo, 'REFUNDING', refunded >= refund.total_fen ? 'REFUNDED' : 'PAID', source, {
        refunded_fen: refunded,
      }, result.outRefundNo);
    } else if (result.status === 'CHANGE') {
      // Funds are stuck at WeChat and need manual handling in the merchant console.
      await markForAttention(trx, outTradeNo, `refund ${result.outRefundNo} ended in CHANGE (exception)`);
      log.error({ outTradeNo, outRefundNo: result.outRefundNo }, 'refund exception (CHANGE)');
    } else {
      await transition(trx, outTradeNo, 'REFUNDING', 'PAID', source, {}, `${result.outRefundNo} ${result.status}`);
    }
    log.info({ outTradeNo, outRefundNo: result.outRefundNo, status: result.status, source }, 'refund settled');
    return 'SETTLED';
  });
}

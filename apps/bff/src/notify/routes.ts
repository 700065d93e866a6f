/**
 * WeChat Pay server-to-server notifications. The reply is always WeChat's XML document:
 * SUCCESS once we hold the result (including duplicates), FAIL with a reason and no state
 * change for anything we cannot trust, so a genuine sender retries and a forger gets nothing.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import {
  WechatError,
  WechatSignatureError,
  WechatXmlError,
  notifyReply,
  parsePayNotify,
  parseRefundNotify,
} from '@wxpay-shop/wechat';
import { NOTIFY_LIMIT_BYTES, readRawBody } from '../http/body';
import { isDatabaseUnavailable } from '../db/unavailable';
import { DATABASE_RETRY_AFTER_SECONDS, HttpError } from '../http/errors';
import type { Metrics, NotificationOutcome, NotificationRejection, NotificationType } from '../metrics/metrics';
import { findOrder } from '../orders/repository';
import { paymentTermsMismatch } from '../payments/payment-terms';
import { settleRefund, type RefundSettlement } from '../payments/refunds';
import { recordFlaggedPayment, recordPayNotification, type PaymentOutcome } from '../payments/settle';
import type { Services } from '../services';

function reply(ctx: Context, ok: true): void;
function reply(ctx: Context, ok: false, reason: string, status?: number): void;
function reply(ctx: Context, ok: boolean, reason?: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/xml';
  ctx.body = ok ? notifyReply(true) : notifyReply(false, reason ?? 'FAIL');
}

/** What a notification came to, for the metrics: every answer a handler gives says which. */
interface Heard {
  outcome: NotificationOutcome;
  reason?: NotificationRejection;
}

/** Answers FAIL (WeChat retries, nothing changed) and records why. */
function rejected(ctx: Context, reason: NotificationRejection, message: string, status?: number): Heard {
  reply(ctx, false, message, status);
  return { outcome: 'rejected', reason };
}

/** Answers SUCCESS and records what came of it. */
function acknowledged(ctx: Context, heard: Heard): Heard {
  reply(ctx, true);
  return heard;
}

/** Reads the body under the cap; on overflow replies 413 + FAIL and returns why it was refused. */
async function readNotifyBody(ctx: Context): Promise<Buffer | Heard> {
  try {
    return await readRawBody(ctx, NOTIFY_LIMIT_BYTES);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) {
      ctx.state.log.warn('notification body too large');
      return rejected(ctx, 'body_too_large', 'body too large', 413);
    }
    return rejected(ctx, 'unreadable', 'unreadable body', 400);
  }
}

/** Which check a notification failed to pass (the parse functions' error classes). */
function rejectionOf(err: Error): NotificationRejection {
  if (err instanceof WechatXmlError) return 'malformed';
  if (err instanceof WechatSignatureError) return 'sign';
  return 'invalid';
}

/**
 * A failure of ours after the body was read still answers WeChat's XML: FAIL with a generic reason
 * and a 503 (database unreachable) or 500 (a bug), so WeChat retries later; details go to the log only.
 */
function notifyEndpoint(kind: NotificationType, metrics: Metrics, handle: (ctx: Context) => Promise<Heard>) {
  return async (ctx: Context): Promise<void> => {
    let heard: Heard;
    try {
      heard = await handle(ctx);
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        // An outage, not a bug: WeChat re-sends on its schedule, and monitoring sees a 503.
        ctx.state.log.warn({ err }, `${kind} notification deferred: database unavailable`);
        ctx.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
        reply(ctx, false, 'service unavailable, please retry', 503);
      } else {
        ctx.state.log.error({ err }, `${kind} notification failed`);
        reply(ctx, false, 'internal error, please retry', 500);
      }
      heard = { outcome: 'error' };
    }
    metrics.notifications.inc({ type: kind, outcome: heard.outcome, reason: heard.reason ?? '' });
  };
}

/** The posted body itself is bad (malformed, forged, not for us): the sender's fault, answered FAIL. */
function isRejection(err: unknown): err is WechatError {
  return err instanceof WechatError && err.source === 'inbound';
}

/** Flagged: taken (SUCCESS) but on the attention list, as money arrived where we did not expect it. */
const PAY_OUTCOMES: Record<Exclude<PaymentOutcome, 'TRANSACTION_ID_REUSED'>, Heard> = {
  APPLIED: { outcome: 'applied' },
  DUPLICATE: { outcome: 'duplicate' },
  ALREADY_PAID: { outcome: 'duplicate' },
  PAID_AFTER_CLOSE: { outcome: 'flagged' },
  CONFLICTING_TRANSACTION: { outcome: 'flagged' },
  // Found a moment before (checked above), then gone: nothing deletes orders, so only counted with the unknown.
  UNKNOWN_ORDER: { outcome: 'rejected', reason: 'unknown_order' },
};
const REFUND_OUTCOMES: Record<Exclude<RefundSettlement, 'UNKNOWN_REFUND' | 'MISMATCH'>, Heard> = {
  SETTLED: { outcome: 'applied' },
  ALREADY_SETTLED: { outcome: 'duplicate' },
  CONTRADICTED: { outcome: 'flagged' },
  NOT_OURS: { outcome: 'flagged' },
};

const PAY_NOTIFY = '/api/wechat/pay/notify';
const REFUND_NOTIFY = '/api/wechat/refund/notify';

export function notifyRoutes(services: Services): Router {
  const { db, config, metrics } = services;
  const merchant = { appId: config.wechat.appId, mchId: config.wechat.mchId, apiKey: config.wechat.apiKey };
  const router = new Router();

  router.post(PAY_NOTIFY, notifyEndpoint('pay', metrics, async (ctx) => {
    const log = ctx.state.log;
    const body = await readNotifyBody(ctx);
    if (!Buffer.isBuffer(body)) return body;
    let notify;
    try {
      notify = await parsePayNotify(body, { ...merchant, maxBytes: NOTIFY_LIMIT_BYTES });
    } catch (err) {
      if (!isRejection(err)) throw err;
      log.warn({ reason: err.message, kind: err.name }, 'pay notification rejected');
      return rejected(ctx, rejectionOf(err), err.message);
    }
    if (notify.resultCode !== 'SUCCESS') {
      log.info({ outTradeNo: notify.outTradeNo }, 'pay notification reports a failed payment');
      return acknowledged(ctx, { outcome: 'payment_failed' });
    }
    const order = await findOrder(db, notify.outTradeNo);
    if (!order) {
      log.warn({ outTradeNo: notify.outTradeNo }, 'pay notification for an unknown order');
      return rejected(ctx, 'unknown_order', 'unknown order');
    }
    if (notify.totalFee !== order.total_fen) {
      log.error({ outTradeNo: notify.outTradeNo, totalFee: notify.totalFee, totalFen: order.total_fen }, 'pay notification amount mismatch');
      return rejected(ctx, 'amount', 'amount mismatch');
    }
    const { outTradeNo, transactionId, totalFee, timeEnd } = notify;
    const payment = { outTradeNo, transactionId, totalFee, timeEnd };
    const mismatch = paymentTermsMismatch(order, { feeType: notify.raw.fee_type, tradeType: notify.tradeType });
    if (mismatch) {
      // Genuine (signed) money on other terms: kept and shown to an operator; SUCCESS, as a re-send changes nothing.
      await recordFlaggedPayment(db, log, metrics, payment, notify.raw, mismatch);
      return acknowledged(ctx, { outcome: 'flagged' });
    }
    const outcome = await recordPayNotification(db, log, metrics, payment, notify.raw);
    log.info({ outTradeNo: notify.outTradeNo, outcome }, 'pay notification processed');
    if (outcome === 'TRANSACTION_ID_REUSED') {
      return rejected(ctx, 'transaction_reused', 'transaction_id already used by another order');
    }
    return acknowledged(ctx, PAY_OUTCOMES[outcome]);
  }));

  router.post(REFUND_NOTIFY, notifyEndpoint('refund', metrics, async (ctx) => {
    const log = ctx.state.log;
    const body = await readNotifyBody(ctx);
    if (!Buffer.isBuffer(body)) return body;
    let notify;
    try {
      notify = await parseRefundNotify(body, { ...merchant, maxBytes: NOTIFY_LIMIT_BYTES });
    } catch (err) {
      if (!isRejection(err)) throw err;
      log.warn({ reason: err.message, kind: err.name }, 'refund notification rejected');
      return rejected(ctx, rejectionOf(err), err.message);
    }
    if (notify.refundStatus === 'UNKNOWN') {
      // Authentic but newer than our client: a FAIL would only make WeChat re-send it for hours.
      // Only a known final status may move money or the order, so leave it to refundquery.
      log.warn(
        { outTradeNo: notify.outTradeNo, outRefundNo: notify.outRefundNo, refundStatus: notify.rawStatus },
        'refund notification: unknown refund_status, acknowledged and left to the reconciler',
      );
      return acknowledged(ctx, { outcome: 'deferred' });
    }
    const settled = await settleRefund(
      db,
      log,
      metrics,
      {
        outRefundNo: notify.outRefundNo,
        outTradeNo: notify.outTradeNo,
        refundId: notify.refundId,
        refundFee: notify.refundFee,
        status: notify.refundStatus,
      },
      'refund-notify',
    );
    if (settled === 'UNKNOWN_REFUND') return rejected(ctx, 'unknown_refund', 'unknown refund');
    if (settled === 'MISMATCH') return rejected(ctx, 'refund_mismatch', 'refund mismatch');
    return acknowledged(ctx, REFUND_OUTCOMES[settled]);
  }));

  // WeChat only POSTs; anything else is answered in its format too, never with our JSON errors.
  for (const path of [PAY_NOTIFY, REFUND_NOTIFY]) {
    router.all(path, (ctx) => {
      ctx.set('Allow', 'POST');
      reply(ctx, false, 'method not allowed', 405);
      const type: NotificationType = path === PAY_NOTIFY ? 'pay' : 'refund';
      metrics.notifications.inc({ type, outcome: 'rejected', reason: 'method' });
    });
  }
  return router;
}

/**
 * WeChat Pay server-to-server notifications, v2 or v3 as the gateway speaks. The reply is the gateway's:
 * success once we hold the result (including duplicates), failure with a reason and no state change for
 * anything we cannot trust, so a genuine sender retries and a forger gets nothing. v2 answers XML with
 * HTTP 200 (WeChat reads the XML); v3 answers 204, or 4xx/5xx + `{"code":"FAIL"}` (WeChat reads the status).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import {
  WechatError,
  WechatJsonError,
  WechatSignatureError,
  WechatXmlError,
  type GatewayNotification,
  type PayGateway,
} from '@wxpay-shop/wechat';
import { NOTIFY_LIMIT_BYTES, readRawBody } from '../http/body';
import { isDatabaseUnavailable } from '../db/unavailable';
import { DATABASE_RETRY_AFTER_SECONDS, HttpError } from '../http/errors';
import type { Metrics, NotificationOutcome, NotificationRejection, NotificationType } from '../metrics/metrics';
import { paymentTermsMismatch } from '../payments/payment-terms';
import { settleRefund, type RefundSettlement } from '../payments/refunds';
import { tryApplyNotifiedPayment } from '../payments/notified-payment';
import { duplicateOutcome, recordFlaggedPayment, recordPayNotification, type PaymentOutcome } from '../payments/settle';
import type { Services } from '../services';

type Reply = {
  (ctx: Context, ok: true): void;
  /** `status` overrides the gateway's failure status (v2 otherwise answers 200 with a FAIL document). */
  (ctx: Context, ok: false, reason: string, status?: number): void;
};

function replier(gateway: PayGateway): Reply {
  return (ctx: Context, ok: boolean, reason?: string, status?: number) => {
    const answer = ok ? gateway.notificationReply(true) : gateway.notificationReply(false, reason ?? 'FAIL');
    ctx.status = status ?? answer.status;
    if (answer.body === '') {
      ctx.body = null;
      return;
    }
    ctx.type = answer.contentType ?? 'text/xml';
    ctx.body = answer.body;
  };
}

/** What a notification came to, for the metrics: every answer a handler gives says which. */
interface Heard {
  outcome: NotificationOutcome;
  reason?: NotificationRejection;
}

/** Answers FAIL (WeChat retries, nothing changed) and records why. */
function rejected(ctx: Context, reply: Reply, reason: NotificationRejection, message: string, status?: number): Heard {
  reply(ctx, false, message, status);
  return { outcome: 'rejected', reason };
}

/** Answers SUCCESS and records what came of it. */
function acknowledged(ctx: Context, reply: Reply, heard: Heard): Heard {
  reply(ctx, true);
  return heard;
}

/** Reads the body under the cap; on overflow replies 413 + FAIL and returns why it was refused. */
async function readNotifyBody(ctx: Context, reply: Reply): Promise<Buffer | Heard> {
  try {
    return await readRawBody(ctx, NOTIFY_LIMIT_BYTES);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) {
      ctx.state.log.warn('notification body too large');
      return rejected(ctx, reply, 'body_too_large', 'body too large', 413);
    }
    return rejected(ctx, reply, 'unreadable', 'unreadable body', 400);
  }
}

/** Which check a notification failed to pass (the parse functions' error classes). */
function rejectionOf(err: Error): NotificationRejection {
  if (err instanceof WechatXmlError || err instanceof WechatJsonError) return 'malformed';
  if (err instanceof WechatSignatureError) return 'sign';
  return 'invalid';
}

/**
 * A failure of ours after the body was read still answers WeChat's XML: FAIL with a generic reason
 * and a 503 (database unreachable) or 500 (a bug), so WeChat retries later; details go to the log only.
 */
function notifyEndpoint(
  kind: NotificationType,
  metrics: Metrics,
  reply: Reply,
  handle: (ctx: Context) => Promise<Heard>,
) {
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

/**
 * Verifies and decodes with the gateway; a Heard (after replying FAIL) for anything not authentic, not
 * ours, or of the other kind than this endpoint takes (a refund result posted to the pay URL).
 */
async function parseOrRefuse<K extends GatewayNotification['kind']>(
  ctx: Context,
  gateway: PayGateway,
  reply: Reply,
  body: Buffer,
  kind: K,
): Promise<Extract<GatewayNotification, { kind: K }> | Heard> {
  const label = kind === 'payment' ? 'pay' : 'refund';
  let notify: GatewayNotification;
  try {
    notify = await gateway.parseNotification({ headers: ctx.headers, body });
  } catch (err) {
    if (!isRejection(err)) throw err;
    ctx.state.log.warn({ reason: err.message, kind: err.name }, `${label} notification rejected`);
    return rejected(ctx, reply, rejectionOf(err), err.message);
  }
  if (notify.kind !== kind) {
    ctx.state.log.warn({ kind: notify.kind }, `${label} notification endpoint received a ${notify.kind} notification`);
    return rejected(ctx, reply, 'invalid', `not a ${label} notification`);
  }
  return notify as Extract<GatewayNotification, { kind: K }>;
}

const isHeard = (value: object): value is Heard => 'outcome' in value;

/** The refunds table's names for the gateway's final refund states. */
const REFUND_STATUS = { SUCCESS: 'SUCCESS', CLOSED: 'REFUNDCLOSE', ABNORMAL: 'CHANGE' } as const;

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
  const { db, metrics, pay } = services;
  const reply = replier(pay);
  const router = new Router();

  router.post(
    PAY_NOTIFY,
    notifyEndpoint('pay', metrics, reply, async (ctx) => {
      const log = ctx.state.log;
      const body = await readNotifyBody(ctx, reply);
      if (!Buffer.isBuffer(body)) return body;
      const notify = await parseOrRefuse(ctx, pay, reply, body, 'payment');
      if (isHeard(notify)) return notify;
      if (!notify.paid) {
        log.info({ outTradeNo: notify.outTradeNo }, 'pay notification reports a failed payment');
        return acknowledged(ctx, reply, { outcome: 'payment_failed' });
      }
      const payment = {
        outTradeNo: notify.outTradeNo,
        transactionId: notify.transactionId,
        totalFee: notify.totalFen,
        paidAt: notify.paidAt,
      };
      const terms = { feeType: notify.currency, tradeType: notify.tradeType };
      // One statement reads the order and pays it when all is as expected; the checks below explain the rest.
      const attempt = await tryApplyNotifiedPayment(db, payment, terms, notify);
      if (attempt.applied) {
        metrics.paymentsSettled.inc({ source: 'notification' });
        const paid = { outTradeNo: notify.outTradeNo, transactionId: notify.transactionId, source: 'pay-notify' };
        log.info(paid, 'order paid');
        return acknowledged(ctx, reply, PAY_OUTCOMES.APPLIED);
      }
      const order = attempt.order;
      if (!order) {
        log.warn({ outTradeNo: notify.outTradeNo }, 'pay notification for an unknown order');
        return rejected(ctx, reply, 'unknown_order', 'unknown order');
      }
      if (notify.totalFen !== order.total_fen) {
        log.error(
          { outTradeNo: notify.outTradeNo, totalFee: notify.totalFen, totalFen: order.total_fen },
          'pay notification amount mismatch',
        );
        return rejected(ctx, reply, 'amount', 'amount mismatch');
      }
      const mismatch = paymentTermsMismatch(order, terms);
      if (mismatch) {
        // Genuine (signed) money on other terms: kept and shown to an operator; SUCCESS, as a re-send changes nothing.
        await recordFlaggedPayment(db, log, metrics, payment, notify, mismatch);
        return acknowledged(ctx, reply, { outcome: 'flagged' });
      }
      // Seen before: answered from that record. Otherwise a race or a flag: the full transaction sorts it out.
      const outcome = attempt.prior
        ? duplicateOutcome(log, payment, attempt.prior)
        : await recordPayNotification(db, log, metrics, payment, notify);
      log.info({ outTradeNo: notify.outTradeNo, outcome }, 'pay notification processed');
      if (outcome === 'TRANSACTION_ID_REUSED') {
        return rejected(ctx, reply, 'transaction_reused', 'transaction_id already used by another order');
      }
      return acknowledged(ctx, reply, PAY_OUTCOMES[outcome]);
    }),
  );

  router.post(
    REFUND_NOTIFY,
    notifyEndpoint('refund', metrics, reply, async (ctx) => {
      const log = ctx.state.log;
      const body = await readNotifyBody(ctx, reply);
      if (!Buffer.isBuffer(body)) return body;
      const notify = await parseOrRefuse(ctx, pay, reply, body, 'refund');
      if (isHeard(notify)) return notify;
      if (notify.status === 'UNKNOWN' || notify.status === 'PROCESSING') {
        // Authentic but newer than our client: a FAIL would only make WeChat re-send it for hours.
        // Only a known final status may move money or the order, so leave it to refundquery.
        log.warn(
          { outTradeNo: notify.outTradeNo, outRefundNo: notify.outRefundNo, refundStatus: notify.rawStatus },
          'refund notification: unknown refund_status, acknowledged and left to the reconciler',
        );
        return acknowledged(ctx, reply, { outcome: 'deferred' });
      }
      const settled = await settleRefund(
        db,
        log,
        metrics,
        {
          outRefundNo: notify.outRefundNo,
          outTradeNo: notify.outTradeNo,
          refundId: notify.refundId,
          refundFee: notify.refundFen,
          status: REFUND_STATUS[notify.status],
        },
        'refund-notify',
      );
      if (settled === 'UNKNOWN_REFUND') return rejected(ctx, reply, 'unknown_refund', 'unknown refund');
      if (settled === 'MISMATCH') return rejected(ctx, reply, 'refund_mismatch', 'refund mismatch');
      return acknowledged(ctx, reply, REFUND_OUTCOMES[settled]);
    }),
  );

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

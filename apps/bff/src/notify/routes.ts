/**
 * WeChat Pay server-to-server notifications. The reply is always WeChat's XML document:
 * SUCCESS once we hold the result (including duplicates), FAIL with a reason and no state
 * change for anything we cannot trust, so a genuine sender retries and a forger gets nothing.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { WechatError, notifyReply, parsePayNotify, parseRefundNotify } from '@wxpay-shop/wechat';
import { NOTIFY_LIMIT_BYTES, readRawBody } from '../http/body';
import { HttpError } from '../http/errors';
import { findOrder } from '../orders/repository';
import { settleRefund } from '../payments/refunds';
import { recordPayNotification } from '../payments/settle';
import type { Services } from '../services';

function reply(ctx: Context, ok: true): void;
function reply(ctx: Context, ok: false, reason: string, status?: number): void;
function reply(ctx: Context, ok: boolean, reason?: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/xml';
  ctx.body = ok ? notifyReply(true) : notifyReply(false, reason ?? 'FAIL');
}

/** Reads the body under the cap; on overflow replies 413 + FAIL and returns null. */
async function readNotifyBody(ctx: Context): Promise<Buffer | null> {
  try {
    return await readRawBody(ctx, NOTIFY_LIMIT_BYTES);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) {
      ctx.state.log.warn('notification body too large');
      reply(ctx, false, 'body too large', 413);
      return null;
    }
    reply(ctx, false, 'unreadable body', 400);
    return null;
  }
}

/**
 * A failure of ours after the body was read (the database, a bug) still answers WeChat's XML:
 * FAIL with a generic reason and a 500, so WeChat retries later; the details go to the log only.
 */
function notifyEndpoint(kind: 'pay' | 'refund', handle: (ctx: Context) => Promise<void>) {
  return async (ctx: Context): Promise<void> => {
    try {
      await handle(ctx);
    } catch (err) {
      ctx.state.log.error({ err }, `${kind} notification failed`);
      reply(ctx, false, 'internal error, please retry', 500);
    }
  };
}

/** The posted body itself is bad (malformed, forged, not for us): the sender's fault, answered FAIL. */
function isRejection(err: unknown): err is WechatError {
  return err instanceof WechatError && err.source === 'inbound';
}

const PAY_NOTIFY = '/api/wechat/pay/notify';
const REFUND_NOTIFY = '/api/wechat/refund/notify';

export function notifyRoutes(services: Services): Router {
  const { db, config } = services;
  const merchant = { appId: config.wechat.appId, mchId: config.wechat.mchId, apiKey: config.wechat.apiKey };
  const router = new Router();

  router.post(PAY_NOTIFY, notifyEndpoint('pay', async (ctx) => {
    const log = ctx.state.log;
    const body = await readNotifyBody(ctx);
    if (!body) return;
    let notify;
    try {
      notify = await parsePayNotify(body, { ...merchant, maxBytes: NOTIFY_LIMIT_BYTES });
    } catch (err) {
      if (!isRejection(err)) throw err;
      log.warn({ reason: err.message, kind: err.name }, 'pay notification rejected');
      reply(ctx, false, err.message);
      return;
    }
    if (notify.resultCode !== 'SUCCESS') {
      log.info({ outTradeNo: notify.outTradeNo }, 'pay notification reports a failed payment');
      reply(ctx, true);
      return;
    }
    const order = await findOrder(db, notify.outTradeNo);
    if (!order) {
      log.warn({ outTradeNo: notify.outTradeNo }, 'pay notification for an unknown order');
      reply(ctx, false, 'unknown order');
      return;
    }
    if (notify.totalFee !== order.total_fen) {
      log.error({ outTradeNo: notify.outTradeNo, totalFee: notify.totalFee, totalFen: order.total_fen }, 'pay notification amount mismatch');
      reply(ctx, false, 'amount mismatch');
      return;
    }
    const outcome = await recordPayNotification(
      db,
      log,
      { outTradeNo: notify.outTradeNo, transactionId: notify.transactionId, totalFee: notify.totalFee, timeEnd: notify.timeEnd },
      notify.raw,
    );
    log.info({ outTradeNo: notify.outTradeNo, outcome }, 'pay notification processed');
    if (outcome === 'TRANSACTION_ID_REUSED') return reply(ctx, false, 'transaction_id already used by another order');
    reply(ctx, true);
  }));

  router.post(REFUND_NOTIFY, notifyEndpoint('refund', async (ctx) => {
    const log = ctx.state.log;
    const body = await readNotifyBody(ctx);
    if (!body) return;
    let notify;
    try {
      notify = await parseRefundNotify(body, { ...merchant, maxBytes: NOTIFY_LIMIT_BYTES });
    } catch (err) {
      if (!isRejection(err)) throw err;
      log.warn({ reason: err.message, kind: err.name }, 'refund notification rejected');
      reply(ctx, false, err.message);
      return;
    }
    if (notify.refundStatus === 'UNKNOWN') {
      // Authentic but newer than our client: a FAIL would only make WeChat re-send it for hours.
      // Only a known final status may move money or the order, so leave it to refundquery.
      log.warn(
        { outTradeNo: notify.outTradeNo, outRefundNo: notify.outRefundNo, refundStatus: notify.rawStatus },
        'refund notification: unknown refund_status, acknowledged and left to the reconciler',
      );
      reply(ctx, true);
      return;
    }
    const settled = await settleRefund(
      db,
      log,
      {
        outRefundNo: notify.outRefundNo,
        outTradeNo: notify.outTradeNo,
        refundId: notify.refundId,
        refundFee: notify.refundFee,
        status: notify.refundStatus,
      },
      'refund-notify',
    );
    if (settled === 'UNKNOWN_REFUND') return reply(ctx, false, 'unknown refund');
    if (settled === 'MISMATCH') return reply(ctx, false, 'refund mismatch');
    reply(ctx, true);
  }));

  // WeChat only POSTs; anything else is answered in its format too, never with our JSON errors.
  for (const path of [PAY_NOTIFY, REFUND_NOTIFY]) {
    router.all(path, (ctx) => {
      ctx.set('Allow', 'POST');
      reply(ctx, false, 'method not allowed', 405);
    });
  }
  return router;
}

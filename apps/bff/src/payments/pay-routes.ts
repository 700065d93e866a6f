/**
 * POST /api/orders/:outTradeNo/pay → unifiedorder, idempotently: a stored prepay_id/code_url
 * is reused while it has life left, so double clicks and page reloads never re-order.
 */
import Router from '@koa/router';
import { PayRequestSchema, PayResponseSchema, type PayResponse } from '@wxpay-shop/contract';
import { WechatPayBusinessError, buildJsapiPayParams } from '@wxpay-shop/wechat';
import type { OrderRow } from '../db/schema';
import { readJson } from '../http/body';
import { conflict, notFound, unauthenticated } from '../http/errors';
import { itemsOf } from '../orders/repository';
import { ownedOrder } from '../orders/routes';
import type { Services } from '../services';
import { existingShopper } from '../sessions/session';
import { clientIp } from '../http/client-ip';
import { closeLocally, syncFromOrderQuery } from './settle';

const PREPAY_LIFETIME_MS = 2 * 3600_000;
/** Don't hand out a prepay_id that dies before the shopper can finish paying. */
const PREPAY_REUSE_MARGIN_MS = 5 * 60_000;
/** WeChat refuses time_expire less than 5 minutes ahead; keep a margin for clock skew. */
export const MIN_TIME_EXPIRE_AHEAD_MS = 6 * 60_000;

export function payRoutes(services: Services): Router {
  const router = new Router();
  router.post('/api/orders/:outTradeNo/pay', async (ctx) => {
    const request = await readJson(ctx, PayRequestSchema);
    const shopper = existingShopper(ctx);
    // A session that has never created an order owns none (and is not stored for asking).
    if (!shopper) throw notFound('No such order');
    const order = await ownedOrder(services, ctx.params.outTradeNo, shopper);
    if (request.tradeType === 'JSAPI' && !shopper.openid) throw unauthenticated('JSAPI payment needs WeChat sign-in');
    if (order.status !== 'PENDING') throw conflict(`Order is ${order.status}`);
    if (order.expires_at.getTime() <= Date.now()) throw conflict('订单已过期，请重新下单');
    const claimed = await claimTradeType(services, order, request.tradeType);
    const prepared: OrderRow = await ensurePrepay(services, claimed, request.tradeType, shopper.openid, clientIp(ctx.ip, ctx.req.socket.remoteAddress), ctx.state.log);
    const response: PayResponse =
      request.tradeType === 'JSAPI'
        ? {
            tradeType: 'JSAPI',
            payParams: buildJsapiPayParams({
              appId: services.config.wechat.appId,
              prepayId: prepared.prepay_id!,
              signType: prepared.sign_type,
              apiKey: services.config.wechat.apiKey,
            }),
          }
        : { tradeType: 'NATIVE', codeUrl: prepared.code_url! };
    ctx.body = PayResponseSchema.parse(response);
  });
  return router;
}

/**
 * Fixes the order's trade type in the database before WeChat hears of it: WeChat rejects a
 * re-submitted out_trade_no with different parameters (201 商户订单号重复), so of two requests
 * racing with JSAPI and NATIVE exactly one may reach unifiedorder. The claim stays even if
 * that call fails, since WeChat may have recorded the order anyway.
 */
async function claimTradeType(services: Services, order: OrderRow, tradeType: 'JSAPI' | 'NATIVE'): Promise<OrderRow> {
  const switching = (current: string) => conflict(`Order is already being paid with ${current}; create a new order to switch`);
  if (order.trade_type === tradeType) return order;
  if (order.trade_type) throw switching(order.trade_type);
  const claimed = await services.db
    .updateTable('orders')
    .set({ trade_type: tradeType, updated_at: new Date() })
    .where('id', '=', order.id)
    .where('status', '=', 'PENDING')
    .where((eb) => eb.or([eb('trade_type', 'is', null), eb('trade_type', '=', tradeType)]))
    .returningAll()
    .executeTakeFirst();
  if (claimed) return claimed;
  const now = await services.db.selectFrom('orders').select(['status', 'trade_type']).where('id', '=', order.id).executeTakeFirstOrThrow();
  if (now.status !== 'PENDING') throw conflict(`Order is ${now.status}`);
  throw switching(now.trade_type ?? 'another trade type');
}

async function ensurePrepay(
  services: Services,
  order: OrderRow,
  tradeType: 'JSAPI' | 'NATIVE',
  openid: string | null,
  ip: string,
  log: Services['logger'],
): Promise<OrderRow> {
  const now = Date.now();
  const usable = tradeType === 'JSAPI' ? order.prepay_id : order.code_url;
  if (usable && order.prepay_expires_at && order.prepay_expires_at.getTime() - now > PREPAY_REUSE_MARGIN_MS) return order;

  // Every unifiedorder for one order must carry the same parameters: WeChat answers a re-sent
  // out_trade_no whose parameters differ with INVALID_REQUEST (201 商户订单号重复), and we re-send
  // after a lost answer or to renew a two-hour prepay. So time_expire is always sent, and always the
  // order's own expiry (or what an earlier call stored). WeChat also refuses a time_expire less than
  // 5 minutes ahead, so that close to expiry no unifiedorder can be sent at all: a 409, and the
  // shopper orders again. (Omitting it instead would change the parameters, and leave WeChat an
  // order payable for days after ours closed; with it, WeChat's order dies with ours, which is what
  // makes closing an order that never got a prepay_id locally safe.)
  const timeExpire = order.wx_time_expire ?? order.expires_at;
  if (timeExpire.getTime() - now < MIN_TIME_EXPIRE_AHEAD_MS) {
    throw conflict('订单即将过期，无法发起支付，请重新下单');
  }
  const items = (await itemsOf(services.db, [order.id])).get(order.id) ?? [];
  const first = items[0];
  let result;
  try {
    result = await services.pay.unifiedOrder({
      outTradeNo: order.out_trade_no,
      body: payBody(items.map((i) => ({ name: i.name, quantity: i.quantity })), services.config.shopName),
      totalFee: order.total_fen,
      spbillCreateIp: ip,
      notifyUrl: services.urls.payNotify,
      tradeType,
      ...(tradeType === 'JSAPI' ? { openid: openid! } : { productId: first?.product_id ?? order.out_trade_no }),
      timeExpire,
    });
  } catch (err) {
    if (err instanceof WechatPayBusinessError && err.errCode === 'ORDERPAID') {
      await syncFromOrderQuery(services.db, services.pay, log, services.metrics, order.out_trade_no, order.total_fen, 'unifiedorder');
      throw conflict('Order is already paid');
    }
    if (err instanceof WechatPayBusinessError && err.errCode === 'ORDERCLOSED') {
      await closeLocally(services.db, order.out_trade_no, 'unifiedorder');
      throw conflict('Order is closed');
    }
    throw err;
  }
  const stored = await services.db
    .updateTable('orders')
    .set({
      trade_type: tradeType,
      prepay_id: result.prepayId,
      code_url: result.codeUrl ?? null,
      prepay_created_at: new Date(now),
      prepay_expires_at: new Date(now + PREPAY_LIFETIME_MS),
      wx_time_expire: timeExpire,
      // The page's paySign must use the sign type this unifiedorder was signed with.
      sign_type: services.config.wechat.signType,
      updated_at: new Date(),
    })
    .where('id', '=', order.id)
    .where('status', '=', 'PENDING')
    .returningAll()
    .executeTakeFirst();
  if (!stored) throw conflict('Order changed while preparing payment');
  if (tradeType === 'NATIVE' && !stored.code_url) throw new Error('unifiedorder NATIVE returned no code_url');
  log.info({ outTradeNo: order.out_trade_no, tradeType }, 'prepay created');
  return stored;
}

/**
 * unifiedorder `body`, e.g. "微信小店-西湖龙井 等3件" (SHOP_NAME, a dash, the first item). It is String(127)
 * and WeChat counts UTF-8 bytes (a 128-byte body has been refused with "body过长"), so a long product
 * name is cut to fit.
 */
export const PAY_BODY_MAX_BYTES = 127;

export function payBody(items: { name: string; quantity: number }[], shopName: string): string {
  const prefix = `${shopName}-`;
  const count = items.reduce((n, i) => n + i.quantity, 0);
  const suffix = count > 1 ? ` 等${count}件` : '';
  const room = PAY_BODY_MAX_BYTES - utf8Bytes(prefix) - utf8Bytes(suffix);
  return `${prefix}${fitUtf8(items[0]?.name ?? '商品', room)}${suffix}`;
}

const ELLIPSIS = '…';
const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/**
 * `text` cut to at most `maxBytes` of UTF-8, only between user-perceived characters (so never inside
 * a multi-byte character, a surrogate pair or an emoji sequence), ending in "…" when that fits too.
 */
export function fitUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const ellipsis = utf8Bytes(ELLIPSIS) <= maxBytes ? ELLIPSIS : '';
  const budget = maxBytes - utf8Bytes(ellipsis);
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    used += utf8Bytes(segment);
    if (used > budget) break;
    kept += segment;
  }
  return kept + ellipsis;
}

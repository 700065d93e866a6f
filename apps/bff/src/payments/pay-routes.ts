/**
 * POST /api/orders/:outTradeNo/pay → a prepay through the configured gateway (v2 unifiedorder or v3
 * /v3/pay/transactions/*), idempotently: a stored prepay_id/code_url is reused while it has life left,
 * so double clicks and page reloads never re-order. H5 asks each time (its URL lives 5 minutes).
 */
import Router from '@koa/router';
import { PayRequestSchema, PayResponseSchema, type PayResponse } from '@wxpay-shop/contract';
import {
  buildJsapiPayParams,
  payRefusalOf,
  type GatewayTradeType,
  type PagePayParams,
  type Prepay,
} from '@wxpay-shop/wechat';
import { pageSignTypeOf } from '../config';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { OrderItemRow, OrderRow } from '../db/schema';
import { readJson } from '../http/body';
import { conflict, notFound, unauthenticated } from '../http/errors';
import { itemsOf } from '../orders/repository';
import { ownedOrder } from '../orders/routes';
import type { Services } from '../services';
import { existingShopper } from '../sessions/session';
import { clientIp } from '../http/client-ip';
import { closeLocally, syncFromOrderQuery } from './settle';

const PREPAY_LIFETIME_MS = 2 * 3600_000;
/** An H5 pay URL (mweb_url / h5_url) opens within 5 minutes. */
const H5_URL_LIFETIME_MS = 5 * 60_000;
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
    // WeChat compares the H5 page's visitor with this IP, so it must be the shopper's real one.
    const ip = clientIp(ctx.ip, ctx.req.socket.remoteAddress);
    const prepared = await ensurePrepay(services, claimed, request.tradeType, shopper.openid, ip, ctx.state.log);
    let response: PayResponse;
    if (prepared.h5Url) response = { tradeType: 'H5', h5Url: prepared.h5Url };
    else if (request.tradeType === 'JSAPI')
      response = { tradeType: 'JSAPI', payParams: pagePayParams(services, prepared.order) };
    else response = { tradeType: 'NATIVE', codeUrl: prepared.order.code_url! };
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
/**
 * The page's pay params for a stored prepay_id, signed the way its prepay was made: the order's v2 sign
 * type, or RSA on v3. A prepay made under the other API version (the BFF was switched meanwhile) is
 * not payable with this one's params: the shopper orders again.
 */
function pagePayParams(services: Services, order: OrderRow): PagePayParams {
  const v3Order = order.sign_type === 'RSA';
  if (v3Order !== (services.pay.apiVersion === 'v3')) throw conflict('订单的支付方式已变更，请重新下单');
  if (v3Order) return services.pay.pagePayParams(order.prepay_id!);
  const { appId, apiKey } = services.config.wechat;
  return buildJsapiPayParams({
    appId,
    prepayId: order.prepay_id!,
    signType: order.sign_type as 'MD5' | 'HMAC-SHA256',
    apiKey,
  });
}

/** An order about to be paid, with its items when the step that read it already had them. */
type PayingOrder = OrderRow & { items?: OrderItemRow[] };

async function claimTradeType(services: Services, order: OrderRow, tradeType: GatewayTradeType): Promise<PayingOrder> {
  const switching = (current: string) =>
    conflict(`Order is already being paid with ${current}; create a new order to switch`);
  if (order.trade_type === tradeType) return order;
  if (order.trade_type) throw switching(order.trade_type);
  // The items come back with the claim: a first pay needs them for the prepay's description.
  const claimed = await services.db
    .updateTable('orders')
    .set({ trade_type: tradeType, updated_at: new Date() })
    .where('id', '=', order.id)
    .where('status', '=', 'PENDING')
    .where((eb) => eb.or([eb('trade_type', 'is', null), eb('trade_type', '=', tradeType)]))
    .returningAll()
    .returning((eb) =>
      jsonArrayFrom(eb.selectFrom('order_items').selectAll().whereRef('order_id', '=', 'orders.id').orderBy('id')).as(
        'items',
      ),
    )
    .executeTakeFirst();
  if (claimed) return claimed;
  const now = await services.db
    .selectFrom('orders')
    .select(['status', 'trade_type'])
    .where('id', '=', order.id)
    .executeTakeFirstOrThrow();
  if (now.status !== 'PENDING') throw conflict(`Order is ${now.status}`);
  throw switching(now.trade_type ?? 'another trade type');
}

async function ensurePrepay(
  services: Services,
  order: PayingOrder,
  tradeType: GatewayTradeType,
  openid: string | null,
  ip: string,
  log: Services['logger'],
): Promise<{ order: OrderRow; h5Url?: string }> {
  const now = Date.now();
  const usable = tradeType === 'JSAPI' ? order.prepay_id : tradeType === 'NATIVE' ? order.code_url : null;
  if (usable && order.prepay_expires_at && order.prepay_expires_at.getTime() - now > PREPAY_REUSE_MARGIN_MS)
    return { order };

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
  const items = order.items ?? (await itemsOf(services.db, [order.id])).get(order.id) ?? [];
  const first = items[0];
  let prepay;
  try {
    prepay = await services.pay.createPrepay({
      tradeType,
      outTradeNo: order.out_trade_no,
      description: payBody(
        items.map((i) => ({ name: i.name, quantity: i.quantity })),
        services.config.shopName,
      ),
      totalFen: order.total_fen,
      clientIp: ip,
      notifyUrl: services.urls.payNotify,
      ...(tradeType === 'JSAPI' ? { openid: openid! } : {}),
      ...(tradeType === 'NATIVE' ? { productId: first?.product_id ?? order.out_trade_no } : {}),
      ...(tradeType === 'H5'
        ? { h5: { type: 'Wap' as const, appName: services.config.shopName, appUrl: services.urls.base } }
        : {}),
      timeExpire,
    });
  } catch (err) {
    const refusal = payRefusalOf(err);
    if (refusal === 'ORDER_PAID') {
      await syncFromOrderQuery(
        services.db,
        services.pay,
        log,
        services.metrics,
        order.out_trade_no,
        order.total_fen,
        'unifiedorder',
      );
      throw conflict('Order is already paid');
    }
    if (refusal === 'ORDER_CLOSED') {
      await closeLocally(services.db, order.out_trade_no, 'unifiedorder');
      throw conflict('Order is closed');
    }
    throw err;
  }
  const stored = await services.db
    .updateTable('orders')
    .set({
      trade_type: tradeType,
      // H5: v3 answers only the URL, whose prepay_id names the prepay; it marks the order as sent to WeChat.
      // Marks the order as held by WeChat (the reconciler then closes it there first). v3 answers NATIVE
      // with only a code_url and H5 with only a URL (whose prepay_id names the prepay), so those get a marker.
      prepay_id: prepayIdOf(prepay, order),
      code_url: prepay.tradeType === 'NATIVE' ? prepay.codeUrl : null,
      prepay_created_at: new Date(now),
      prepay_expires_at: new Date(now + (prepay.tradeType === 'H5' ? H5_URL_LIFETIME_MS : PREPAY_LIFETIME_MS)),
      wx_time_expire: timeExpire,
      // The page's paySign must use the sign type this prepay was made with.
      sign_type: pageSignTypeOf(services.config),
      updated_at: new Date(),
    })
    .where('id', '=', order.id)
    .where('status', '=', 'PENDING')
    .returningAll()
    .executeTakeFirst();
  if (!stored) throw conflict('Order changed while preparing payment');
  if (tradeType === 'NATIVE' && !stored.code_url) throw new Error('unifiedorder NATIVE returned no code_url');
  log.info({ outTradeNo: order.out_trade_no, tradeType }, 'prepay created');
  return prepay.tradeType === 'H5' ? { order: stored, h5Url: prepay.h5Url } : { order: stored };
}

function prepayIdOf(prepay: Prepay, order: OrderRow): string {
  if (prepay.tradeType === 'JSAPI') return prepay.prepayId;
  if (prepay.tradeType === 'NATIVE') return order.prepay_id ?? `native:${order.out_trade_no}`;
  try {
    return new URL(prepay.h5Url).searchParams.get('prepay_id') ?? `h5:${order.out_trade_no}`;
  } catch {
    return `h5:${order.out_trade_no}`;
  }
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

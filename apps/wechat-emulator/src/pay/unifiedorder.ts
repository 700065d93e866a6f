/** `POST /pay/unifiedorder`: validation, re-entry (§3.5) and prepay issuing. */
import { parseBeijingTime } from '@wxpay-shop/wechat';
import type { Deps } from '../deps';
import { newCodeUrl, newH5Url, newPrepayId } from '../ids';
import { EmulatorState } from '../state';
import { isPaid, type Order, type OrderTradeType } from './order';
import { TEST_USERS, openidFor } from '../users';
import { bizFail, fail, ok, type PayReply, type PayRequest } from './envelope';
import { notifyUrlProblem, OUT_TRADE_NO, positiveFen, tooLong, validBeijingTime, validIp } from './rules';

const REQUIRED = ['body', 'out_trade_no', 'total_fee', 'spbill_create_ip', 'notify_url', 'trade_type'] as const;

/** Business parameters compared on re-entry; nonce/sign/ip/time_start may differ. */
const FINGERPRINT_FIELDS = [
  'appid',
  'body',
  'total_fee',
  'fee_type',
  'trade_type',
  'openid',
  'product_id',
  'attach',
  'detail',
  'time_expire',
  'notify_url',
] as const;

const MIN_EXPIRE_MS = 5 * 60_000;

/** The request's own validity (what WeChat checks before looking at any order), or null if valid. */
export function checkUnifiedOrder(req: PayRequest, deps: Deps, now = Date.now()): PayReply | null {
  const f = req.fields;
  for (const name of REQUIRED) if (!f[name]) return bizFail('LACK_PARAMS', `缺少参数${name}`);
  const tradeType = f.trade_type!;
  if (tradeType === 'APP') return bizFail('NOAUTH', '商户无此接口权限(模拟器不支持APP)');
  if (tradeType !== 'JSAPI' && tradeType !== 'NATIVE' && tradeType !== 'MWEB') return fail('trade_type参数格式错误');
  if (!OUT_TRADE_NO.test(f.out_trade_no!)) return fail('out_trade_no参数格式错误');
  if (tooLong(f.body, 127)) return fail('body参数长度有误');
  if (tooLong(f.attach, 127)) return fail('attach参数长度有误');
  if (tooLong(f.device_info, 32)) return fail('device_info参数长度有误');
  if (tooLong(f.detail, 6000)) return fail('detail参数长度有误');
  if (tooLong(f.goods_tag, 32)) return fail('goods_tag参数长度有误');
  if (tooLong(f.scene_info, 256)) return fail('scene_info参数长度有误');
  // Optional switches with a single legal value (§3.1).
  if (f.limit_pay !== undefined && f.limit_pay !== 'no_credit') return fail('limit_pay参数格式错误');
  if (f.receipt !== undefined && f.receipt !== 'Y') return fail('receipt参数格式错误');
  const totalFee = positiveFen(f.total_fee);
  // WeChat's observed reply to yuan amounts such as 0.01.
  if (totalFee === null) return fail('invalid total_fee');
  if (f.fee_type && f.fee_type !== 'CNY') return fail('fee_type参数格式错误');
  if (!validIp(f.spbill_create_ip!)) return fail('invalid spbill_create_ip');
  const urlProblem = notifyUrlProblem(f.notify_url!);
  if (urlProblem) return fail(urlProblem);
  if (f.time_start && !validBeijingTime(f.time_start)) return fail('time_start参数格式错误');
  if (f.time_expire) {
    const expire = parseBeijingTime(f.time_expire);
    if (!expire) return fail('time_expire参数格式错误');
    if (expire.getTime() - now < MIN_EXPIRE_MS) return fail('time_expire时间过短，刷卡至少1分钟，其他5分钟');
  }
  if (tradeType === 'JSAPI') {
    if (!f.openid) return bizFail('LACK_PARAMS', 'JSAPI支付必须传openid');
    const problem = openidProblem(f.openid, f.appid!, deps);
    if (problem) return fail(problem);
  }
  if (tradeType === 'NATIVE') {
    if (!f.product_id) return bizFail('LACK_PARAMS', 'NATIVE支付必须传product_id');
    if (tooLong(f.product_id, 32)) return fail('product_id参数长度有误');
  }
  // H5 (§9.2): scene_info carries h5_info, the mobile site the payment starts from.
  if (tradeType === 'MWEB') {
    if (!f.scene_info) return bizFail('LACK_PARAMS', 'MWEB支付必须传scene_info');
    if (!isH5SceneInfo(f.scene_info)) return fail('scene_info参数格式错误');
  }
  return null;
}

/** Creates the order, or re-enters it (§3.5). Only for a request checkUnifiedOrder() accepted. */
export function unifiedOrder(req: PayRequest, deps: Deps, now = Date.now()): PayReply {
  const f = req.fields;
  const tradeType = f.trade_type as OrderTradeType;
  const fingerprint = JSON.stringify(FINGERPRINT_FIELDS.map((k) => f[k] ?? ''));
  const key = EmulatorState.orderKey(req.merchant.mchId, f.out_trade_no!);
  const existing = deps.state.orders.get(key);
  if (existing) {
    if (isPaid(existing)) return bizFail('ORDERPAID', '该订单已支付');
    if (existing.state === 'CLOSED') return bizFail('ORDERCLOSED', '该订单已关闭');
    if (existing.api === 'v3' || existing.fingerprint !== fingerprint)
      return bizFail('INVALID_REQUEST', '201 商户订单号重复');
    // Re-entry: same prepay while it is valid, a fresh one afterwards.
    if (now - deps.state.prepays.get(existing.prepayId)!.issuedAt >= deps.config.prepayTtlMs)
      issuePrepay(existing, deps, now);
    existing.signType = req.signType;
    return ok(prepayFields(existing));
  }

  const order: Order = {
    mchId: req.merchant.mchId,
    appId: f.appid!,
    outTradeNo: f.out_trade_no!,
    api: 'v2',
    tradeType,
    body: f.body!,
    attach: f.attach,
    detail: f.detail,
    deviceInfo: f.device_info,
    totalFee: positiveFen(f.total_fee)!,
    feeType: f.fee_type ?? 'CNY',
    openid: f.openid,
    productId: f.product_id,
    notifyUrl: f.notify_url!,
    spbillCreateIp: f.spbill_create_ip!,
    timeExpire: f.time_expire,
    signType: req.signType,
    fingerprint,
    prepayId: '',
    state: 'NOTPAY',
    createdAt: now,
  };
  deps.state.orders.set(key, order);
  issuePrepay(order, deps, now);
  deps.log(
    `unifiedorder ${order.mchId}/${order.outTradeNo} ${order.tradeType} ${order.totalFee} fen → ${order.prepayId}`,
  );
  return ok(prepayFields(order));
}

/** A new prepay_id (and code_url / H5 URL) for the order; v3 shares it. */
export function issuePrepay(order: Order, deps: Deps, now: number): void {
  order.prepayId = newPrepayId(new Date(now));
  if (order.tradeType === 'NATIVE') order.codeUrl = newCodeUrl();
  if (order.tradeType === 'MWEB') order.h5Url = newH5Url(deps.publicUrl(), order.prepayId);
  deps.state.prepays.set(order.prepayId, {
    orderKey: EmulatorState.orderKey(order.mchId, order.outTradeNo),
    issuedAt: now,
  });
}

function prepayFields(order: Order) {
  return {
    device_info: order.deviceInfo,
    trade_type: order.tradeType,
    prepay_id: order.prepayId,
    code_url: order.codeUrl,
    mweb_url: order.h5Url,
  };
}

/** `{"h5_info": {"type": "Wap", …}}` (a JSON object naming the H5 type). */
function isH5SceneInfo(value: string): boolean {
  try {
    const info = (JSON.parse(value) as { h5_info?: { type?: unknown } }).h5_info;
    return typeof info?.type === 'string' && info.type !== '';
  } catch {
    return false;
  }
}

/** The openid must be one the emulator issues for this appid (observed WeChat messages). */
export function openidProblem(openid: string, appId: string, deps: Deps): string | null {
  if (TEST_USERS.some((u) => openidFor(appId, u.id) === openid)) return null;
  const otherApp = deps.merchants.all.some(
    (m) => m.appId !== appId && TEST_USERS.some((u) => openidFor(m.appId, u.id) === openid),
  );
  return otherApp ? 'appid and openid not match' : 'invalid openid';
}

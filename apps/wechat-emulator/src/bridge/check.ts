/** What WeChat checks when a page calls getBrandWCPayRequest (§8.2). */
import { verifyJsapiPayParams, verifyJsapiRsaPayParams } from '@wxpay-shop/wechat';
import type { Deps } from '../deps';
import { payabilityProblem } from '../pay/payment';
import type { Order } from '../pay/order';

type BridgeCheck = { ok: true; order: Order; prepayId: string } | { ok: false; reason: string };

const REQUIRED = ['appId', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign'] as const;

export function checkPayRequest(params: Record<string, unknown>, deps: Deps, now = Date.now()): BridgeCheck {
  for (const name of REQUIRED) {
    // All six are strings in WeChat's API (a numeric timeStamp is a classic bug).
    if (typeof params[name] !== 'string' || params[name] === '')
      return { ok: false, reason: `调用支付JSAPI缺少参数：${name}` };
  }
  const p = params as Record<(typeof REQUIRED)[number], string>;
  const merchant = deps.merchants.byAppId(p.appId);
  if (!merchant) return { ok: false, reason: 'appId无效' };
  if (!/^\d{10}$/.test(p.timeStamp)) return { ok: false, reason: 'timeStamp必须是10位秒级时间戳字符串' };
  if (!p.package.startsWith('prepay_id=')) return { ok: false, reason: 'package格式错误，应为prepay_id=***' };
  // v3 (signType RSA): SHA256withRSA by the merchant's API certificate key; v2: MD5/HMAC with the API key.
  const verified =
    p.signType === 'RSA'
      ? verifyJsapiRsaPayParams(params, deps.v3.merchantCert(merchant.mchId).publicKey)
      : verifyJsapiPayParams(params, merchant.apiKey);
  if (!verified) return { ok: false, reason: '支付验证签名失败' };
  const prepayId = p.package.slice('prepay_id='.length);
  const order = deps.state.findOrderByPrepayId(prepayId);
  if (!order) return { ok: false, reason: 'prepay_id不存在' };
  if (order.appId !== p.appId) return { ok: false, reason: 'appId与统一下单的appid不一致' };
  if (order.tradeType !== 'JSAPI') return { ok: false, reason: '该订单不是JSAPI支付订单' };
  if (p.signType !== order.signType)
    return { ok: false, reason: `signType(${p.signType})与统一下单的sign_type(${order.signType})不一致` };
  const problem = payabilityProblem(order, prepayId, deps, now);
  return problem ? { ok: false, reason: problem } : { ok: true, order, prepayId };
}

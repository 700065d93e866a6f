/**
 * `/v3/pay/transactions/{jsapi,native,h5}`, query by out_trade_no and by transaction id, and close
 * (协议 §10.4), over the same orders as v2. Only for requests whose signature already checked out.
 */
import { beijingTime } from '@wxpay-shop/wechat';
import type { MerchantConfig } from '../../config';
import type { Deps } from '../../deps';
import { EmulatorState } from '../../state';
import { isPaid, type Order, type OrderTradeType } from '../order';
import { notifyUrlProblem, OUT_TRADE_NO, validIp } from '../rules';
import { issuePrepay, openidProblem } from '../unifiedorder';
import { answer, paramError, v3Error, type V3Answer } from './answer';
import { fail, fenAt, objectAt, stringAt, timeAt, type Json } from './fields';
import { transactionJson } from './resources';

export type V3TradeKind = 'jsapi' | 'native' | 'h5';

const TRADE_TYPES: Record<V3TradeKind, OrderTradeType> = { jsapi: 'JSAPI', native: 'NATIVE', h5: 'MWEB' };

interface PrepayAsk {
  appId: string;
  description: string;
  outTradeNo: string;
  totalFee: number;
  notifyUrl: string;
  attach?: string;
  timeExpire?: Date;
  openid?: string;
  clientIp?: string;
}

/** The body's own validity, as WeChat checks it before looking at any order; throws ParamProblem. */
function readPrepay(kind: V3TradeKind, body: Json, merchant: MerchantConfig, deps: Deps): PrepayAsk | V3Answer {
  const appId = stringAt(body, 'appid', true, 32)!;
  const mchId = stringAt(body, 'mchid', true, 32)!;
  if (mchId !== merchant.mchId) return paramError('mchid', '与请求头Authorization中的mchid不一致', mchId);
  if (!deps.merchants.isBound(appId, mchId)) return v3Error(400, 'APPID_MCHID_NOT_MATCH', 'AppID和mch_id不匹配');
  const outTradeNo = stringAt(body, 'out_trade_no', true, 32)!;
  if (!OUT_TRADE_NO.test(outTradeNo) || outTradeNo.length < 6)
    fail('out_trade_no', '应为6-32位数字、大小写字母、_-|*', outTradeNo);
  const notifyUrl = stringAt(body, 'notify_url', true, 255)!;
  const urlProblem = notifyUrlProblem(notifyUrl);
  if (urlProblem) fail('notify_url', urlProblem, notifyUrl);
  const amount = objectAt(body, 'amount', true)!;
  const currency = amount.currency;
  if (currency !== undefined && currency !== 'CNY') fail('amount.currency', '仅支持CNY', currency);
  const ask: PrepayAsk = {
    appId,
    description: stringAt(body, 'description', true, 127)!,
    outTradeNo,
    totalFee: fenAt(amount, 'amount.total'),
    notifyUrl,
    attach: stringAt(body, 'attach', false, 128),
    timeExpire: timeAt(body, 'time_expire'),
  };
  const scene = objectAt(body, 'scene_info', kind === 'h5');
  if (scene) {
    ask.clientIp = stringAt(scene, 'scene_info.payer_client_ip', kind === 'h5', 45);
    if (ask.clientIp !== undefined && !validIp(ask.clientIp))
      fail('scene_info.payer_client_ip', '应为IPv4或IPv6地址', ask.clientIp);
  }
  if (kind === 'h5') stringAt(objectAt(scene!, 'scene_info.h5_info', true)!, 'scene_info.h5_info.type', true, 32);
  if (kind === 'jsapi') {
    ask.openid = stringAt(objectAt(body, 'payer', true)!, 'payer.openid', true, 128)!;
    const problem = openidProblem(ask.openid, appId, deps);
    if (problem)
      fail('payer.openid', problem === 'invalid openid' ? '用户openid无效' : 'openid与appid不匹配', ask.openid);
  }
  return ask;
}

export function createTransaction(
  kind: V3TradeKind,
  body: Json,
  merchant: MerchantConfig,
  deps: Deps,
  now = Date.now(),
): V3Answer {
  const ask = readPrepay(kind, body, merchant, deps);
  if ('status' in ask) return ask;
  const tradeType = TRADE_TYPES[kind];
  const fingerprint = JSON.stringify([
    'v3',
    ask.appId,
    ask.description,
    ask.totalFee,
    tradeType,
    ask.openid,
    ask.attach,
    ask.timeExpire?.getTime(),
    ask.notifyUrl,
  ]);
  const key = EmulatorState.orderKey(merchant.mchId, ask.outTradeNo);
  const existing = deps.state.orders.get(key);
  if (existing) {
    if (isPaid(existing)) return v3Error(400, 'ORDERPAID', '该订单已支付');
    if (existing.state === 'CLOSED') return v3Error(400, 'ORDER_CLOSED', '该订单已关闭');
    if (existing.fingerprint !== fingerprint) return v3Error(400, 'INVALID_REQUEST', '201 商户订单号重复');
    if (now - deps.state.prepays.get(existing.prepayId)!.issuedAt >= deps.config.prepayTtlMs)
      issuePrepay(existing, deps, now);
    return answer(200, prepayOf(existing));
  }
  const order: Order = {
    mchId: merchant.mchId,
    appId: ask.appId,
    outTradeNo: ask.outTradeNo,
    api: 'v3',
    tradeType,
    body: ask.description,
    attach: ask.attach,
    totalFee: ask.totalFee,
    feeType: 'CNY',
    openid: ask.openid,
    notifyUrl: ask.notifyUrl,
    spbillCreateIp: ask.clientIp ?? '',
    timeExpire: ask.timeExpire ? beijingTime(ask.timeExpire) : undefined,
    signType: 'RSA',
    fingerprint,
    prepayId: '',
    state: 'NOTPAY',
    createdAt: now,
  };
  deps.state.orders.set(key, order);
  issuePrepay(order, deps, now);
  deps.log(`v3 ${kind} ${order.mchId}/${order.outTradeNo} ${order.totalFee} fen → ${order.prepayId}`);
  return answer(200, prepayOf(order));
}

function prepayOf(order: Order): Json {
  if (order.tradeType === 'NATIVE') return { code_url: order.codeUrl };
  if (order.tradeType === 'MWEB') return { h5_url: order.h5Url };
  return { prepay_id: order.prepayId };
}

/** `?mchid=` is required and must be the signer's. */
export function checkQueryMchId(mchid: string | undefined, merchant: MerchantConfig): V3Answer | null {
  if (!mchid) return paramError('mchid', '此字段为必填项', undefined, 'query');
  return mchid === merchant.mchId ? null : paramError('mchid', '与请求头Authorization中的mchid不一致', mchid, 'query');
}

export function queryTransaction(
  by: 'out-trade-no' | 'id',
  id: string,
  merchant: MerchantConfig,
  deps: Deps,
): V3Answer {
  const order =
    by === 'id' ? deps.state.findOrderByTransactionId(merchant.mchId, id) : deps.state.findOrder(merchant.mchId, id);
  if (!order) return v3Error(404, 'ORDER_NOT_EXIST', '订单不存在');
  return answer(200, transactionJson(order));
}

export function closeTransaction(
  outTradeNo: string,
  body: Json,
  merchant: MerchantConfig,
  deps: Deps,
  now = Date.now(),
): V3Answer {
  const mchId = stringAt(body, 'mchid', true, 32)!;
  if (mchId !== merchant.mchId) return paramError('mchid', '与请求头Authorization中的mchid不一致', mchId);
  const order = deps.state.findOrder(merchant.mchId, outTradeNo);
  if (!order) return v3Error(404, 'ORDER_NOT_EXIST', '订单不存在');
  if (isPaid(order)) return v3Error(400, 'ORDERPAID', '订单已支付，不能发起关单');
  if (order.state === 'CLOSED') return v3Error(400, 'ORDER_CLOSED', '订单已关闭，无需重复关闭');
  order.state = 'CLOSED';
  order.closedAt = now;
  deps.state.settleOpenTickets(order, 'cancelled');
  deps.log(`v3 close ${order.mchId}/${order.outTradeNo}`);
  return answer(204);
}

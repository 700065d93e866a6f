/** Fault injection: which faults exist, how they are requested, and the ones that act before any processing. */
import type { Context } from 'koa';
import type { Timers } from './timers';

export const FAULT_TARGETS = [
  'unifiedorder',
  'orderquery',
  'closeorder',
  'refund',
  'refundquery',
  'downloadbill',
  'tradebill',
  'oauth_token',
  'oauth_refresh',
  'oauth_userinfo',
  'oauth_auth',
  'notify',
] as const;
export const FAULT_KINDS = [
  'delay',
  'http500',
  'timeout',
  'systemerror',
  'bizerror',
  'malformed',
  'badsign',
  'drop',
  'probe',
  'badhash',
] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  id: number;
  target: FaultTarget;
  kind: FaultKind;
  /** How many more requests it affects. */
  remaining: number;
  delayMs?: number;
  /** `bizerror`: the err_code (and optional err_code_des) of the signed business failure. */
  errCode?: string;
  errCodeDes?: string;
  createdAt: number;
}

/** badhash spoils the digest a v3 bill is announced with: only tradebill has one. */
const API_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((kind) => kind !== 'badhash');
/** The v3 apply is a signed API call like any other, plus its digest to spoil. */
const TRADEBILL_KINDS: readonly FaultKind[] = FAULT_KINDS;
/** A notification has no response of ours to break: only these make sense there. */
const NOTIFY_KINDS: readonly FaultKind[] = ['delay', 'drop', 'badsign', 'malformed', 'probe'];
/** A bill is not signed and has no business errors: only the network can break it. */
const BILL_KINDS: readonly FaultKind[] = ['delay', 'http500', 'timeout', 'drop'];
/** OAuth JSON carries no signature, and its errors are numbers. */
const OAUTH_KINDS: readonly FaultKind[] = ['delay', 'http500', 'timeout', 'systemerror', 'malformed', 'drop'];

const ERR_CODE = /^[A-Z][A-Z_]{1,31}$/;

/**
 * err_code_des WeChat gives for the business failures tests most often need but the emulator
 * cannot reach on its own (merchant balance, user account state, rate limits).
 */
const ERR_CODE_DES: Record<string, string> = {
  NOTENOUGH: '基本账户余额不足，请充值后重新发起',
  BIZERR_NEED_RETRY: '退款业务流程错误，需要商户触发重试来解决',
  USER_ACCOUNT_ABNORMAL: '退款请求失败，用户帐号注销',
  TRADE_OVERDUE: '订单已经超过退款期限',
  FREQUENCY_LIMITED: '频率限制',
  INVALID_REQ_TOO_MUCH: '无效请求过多，请1分钟后重试',
  NOAUTH: '商户无此接口权限',
};

export function bizErrorDes(fault: Pick<Fault, 'errCode' | 'errCodeDes'>): string {
  return fault.errCodeDes ?? ERR_CODE_DES[fault.errCode ?? ''] ?? `模拟的业务错误(${fault.errCode ?? ''})`;
}

/** The api.weixin.qq.com/sns/* endpoints: code exchange, refresh, userinfo and token check. */
export const OAUTH_TARGETS: readonly FaultTarget[] = ['oauth_token', 'oauth_refresh', 'oauth_userinfo', 'oauth_auth'];

/** The fault kinds `target` takes (the console offers only these). */
export function supportedKinds(target: FaultTarget): readonly FaultKind[] {
  if (target === 'notify') return NOTIFY_KINDS;
  if (target === 'downloadbill') return BILL_KINDS;
  if (target === 'tradebill') return TRADEBILL_KINDS;
  return OAUTH_TARGETS.includes(target) ? OAUTH_KINDS : API_KINDS;
}

type FaultSpec = Omit<Fault, 'id' | 'createdAt'>;

export function parseFaultSpec(body: Record<string, unknown>): FaultSpec | string {
  const { target, kind, count, delayMs, errCode, errCodeDes } = body;
  if (!FAULT_TARGETS.includes(target as FaultTarget)) return `target must be one of ${FAULT_TARGETS.join(', ')}`;
  if (!FAULT_KINDS.includes(kind as FaultKind)) return `kind must be one of ${FAULT_KINDS.join(', ')}`;
  if (!supportedKinds(target as FaultTarget).includes(kind as FaultKind)) {
    return `kind ${String(kind)} is not supported for ${String(target)} (use ${supportedKinds(target as FaultTarget).join(', ')})`;
  }
  if (count !== undefined && (!Number.isInteger(count) || (count as number) < 1))
    return 'count must be a positive integer';
  if (delayMs !== undefined && (!Number.isInteger(delayMs) || (delayMs as number) < 0))
    return 'delayMs must be a non-negative integer';
  if (kind === 'bizerror') {
    if (typeof errCode !== 'string' || !ERR_CODE.test(errCode))
      return 'bizerror needs errCode, an upper-case WeChat err_code such as NOTENOUGH';
    if (errCodeDes !== undefined && (typeof errCodeDes !== 'string' || errCodeDes === '' || errCodeDes.length > 128))
      return 'errCodeDes must be a string of 1..128 characters';
  } else if (errCode !== undefined || errCodeDes !== undefined) {
    return 'errCode and errCodeDes belong to kind bizerror only';
  }
  return {
    target: target as FaultTarget,
    kind: kind as FaultKind,
    remaining: (count as number | undefined) ?? 1,
    ...(delayMs !== undefined ? { delayMs: delayMs as number } : {}),
    ...(kind === 'bizerror'
      ? { errCode: errCode as string, ...(errCodeDes !== undefined ? { errCodeDes: errCodeDes as string } : {}) }
      : {}),
  };
}

/**
 * When a fault may strike (README "Fault rules"). Transport faults hit whatever request arrives
 * first, as a broken network would. WeChat only answers a business error to a request it accepted
 * (signed, well-formed, complete), so those and badsign wait for such a request.
 */
export const isTransportFault = (kind: FaultKind): boolean =>
  kind === 'delay' || kind === 'http500' || kind === 'timeout' || kind === 'malformed' || kind === 'drop';
export const isBusinessFault = (kind: FaultKind): boolean => kind === 'systemerror' || kind === 'bizerror';

/** Default hold time of `timeout`: longer than any sane client timeout. */
const DEFAULT_TIMEOUT_HOLD_MS = 60_000;

/**
 * Faults that strike before the request is processed (so nothing changes server-side).
 * Returns true when the response has been dealt with.
 */
export async function applyEarlyFault(
  ctx: Context,
  fault: Fault | undefined,
  timers: Timers,
  format: 'xml' | 'json',
): Promise<boolean> {
  if (!fault) return false;
  switch (fault.kind) {
    case 'delay':
      await timers.sleep(fault.delayMs ?? 1000);
      return false;
    case 'http500':
      ctx.status = 500;
      ctx.type = 'text/html';
      ctx.body = '<html><body><h1>500 Internal Server Error</h1></body></html>';
      return true;
    case 'timeout':
      // Hold the connection open, then drop it without a response.
      await timers.sleep(fault.delayMs ?? DEFAULT_TIMEOUT_HOLD_MS);
      destroyResponse(ctx);
      return true;
    case 'malformed':
      ctx.status = 200;
      ctx.type = format === 'xml' ? 'text/xml' : 'text/plain';
      ctx.body = format === 'xml' ? '<xml><return_code><![CDATA[SUCC' : '{"access_token":"';
      return true;
    default:
      return false;
  }
}

/** The request was processed but its response is lost (connection reset). */
export function destroyResponse(ctx: Context): void {
  ctx.respond = false;
  ctx.req.socket.destroy();
}

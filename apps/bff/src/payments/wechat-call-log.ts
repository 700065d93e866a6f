/**
 * Records every Pay call made for an order (`wechat_calls`: which call, WeChat's path, how it ended, WeChat's
 * code, how long it took) for the console's order page; never a body, key or signature. Rows older than the
 * retention are deleted as new ones come in.
 */
import type { Kysely } from 'kysely';
import {
  WechatTransportError,
  payErrorCode,
  type GatewayRefund,
  type GatewayRefundInput,
  type OrderStatus,
  type PayGateway,
  type PrepayInput,
} from '@wxpay-shop/wechat';
import type { DB } from '../db/schema';
import type { Logger } from '../logger';
import { wechatCallResult } from '../metrics/wechat-calls';

/** The gateway methods made for one order; bill downloads and notifications are not. */
export const ORDER_CALLS = ['createPrepay', 'queryOrder', 'closeOrder', 'refund', 'queryRefund'] as const;
export type OrderCall = (typeof ORDER_CALLS)[number];

export const WECHAT_CALL_RETENTION_MS = 90 * 24 * 3600_000;
/** Retention runs at most this often, so a busy shop does not delete on every insert. */
const PRUNE_INTERVAL_MS = 3600_000;

export interface WechatCallRecord {
  call: OrderCall;
  endpoint: string;
  outTradeNo: string | null;
  outRefundNo: string | null;
  result: string;
  code: string | null;
  durationMs: number;
}

/** Which order (and refund) a call was for, from its arguments. */
export function orderKeysOf(
  call: OrderCall,
  args: unknown[],
): { outTradeNo: string | null; outRefundNo: string | null } {
  const first = args[0];
  if (call === 'createPrepay') return { outTradeNo: (first as PrepayInput).outTradeNo, outRefundNo: null };
  if (call === 'refund') {
    const input = first as GatewayRefundInput;
    return { outTradeNo: input.outTradeNo, outRefundNo: input.outRefundNo };
  }
  if (call === 'queryRefund') return { outTradeNo: null, outRefundNo: String(first) };
  return { outTradeNo: String(first), outRefundNo: null };
}

/** WeChat's word on a call that returned: the trade or refund state; null where there is none. */
export function successCodeOf(call: OrderCall, value: unknown): string | null {
  if (call === 'queryOrder') return (value as OrderStatus).rawState;
  if (call === 'refund' || call === 'queryRefund') {
    const refund = value as GatewayRefund;
    return refund.rawStatus ?? refund.status;
  }
  return null;
}

/** WeChat's code for a failed call (err_code, v3 code or HTTP status), else the error's class name. */
export function failureCodeOf(err: unknown): string {
  const code = payErrorCode(err);
  if (code) return code;
  if (err instanceof WechatTransportError && err.status !== undefined) return `HTTP ${err.status}`;
  return err instanceof Error ? err.name : 'Error';
}

export class WechatCallLog {
  private readonly pending = new Set<Promise<void>>();
  private lastPruneMs = 0;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly log: Logger,
    private readonly retentionMs = WECHAT_CALL_RETENTION_MS,
  ) {}

  /** Writes in the background: a pay call never waits for, or fails because of, its record. */
  record(entry: WechatCallRecord): void {
    const write = this.write(entry)
      .catch((err: unknown) => this.log.warn({ err, call: entry.call }, 'could not record a WeChat call'))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Waits for the records under way (before the database closes). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async write(entry: WechatCallRecord): Promise<void> {
    await this.db
      .insertInto('wechat_calls')
      .values((eb) => ({
        // A refund query names only the refund: its order comes from our refunds table.
        out_trade_no:
          entry.outTradeNo ??
          eb
            .selectFrom('refunds')
            .innerJoin('orders', 'orders.id', 'refunds.order_id')
            .select('orders.out_trade_no')
            .where('refunds.out_refund_no', '=', entry.outRefundNo ?? '')
            .limit(1),
        out_refund_no: entry.outRefundNo,
        call: entry.call,
        endpoint: entry.endpoint,
        result: entry.result,
        code: entry.code?.slice(0, 64) ?? null,
        duration_ms: Math.round(entry.durationMs),
      }))
      .execute();
    if (Date.now() - this.lastPruneMs >= PRUNE_INTERVAL_MS) {
      this.lastPruneMs = Date.now();
      await this.db
        .deleteFrom('wechat_calls')
        .where('called_at', '<', new Date(Date.now() - this.retentionMs))
        .execute();
    }
  }
}

/** `pay` with each order call recorded in `log` under its endpoint label; results and errors pass through. */
export function recordOrderCalls(
  pay: PayGateway,
  endpoints: Partial<Record<OrderCall, string>>,
  log: WechatCallLog,
): PayGateway {
  return new Proxy(pay, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      const call = ORDER_CALLS.find((c) => c === property);
      if (call === undefined || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const startedMs = performance.now();
        const elapsed = () => performance.now() - startedMs;
        const entry = { call, endpoint: endpoints[call] ?? call, ...orderKeysOf(call, args) };
        try {
          const result = (await value.apply(target, args)) as unknown;
          log.record({ ...entry, result: 'success', code: successCodeOf(call, result), durationMs: elapsed() });
          return result;
        } catch (err) {
          log.record({ ...entry, result: wechatCallResult(err), code: failureCodeOf(err), durationMs: elapsed() });
          throw err;
        }
      };
    },
  });
}

/**
 * Delivers payment and refund notifications with WeChat's retry schedule and records
 * every attempt for the console. Timers go through `Timers`, so stop() cancels retries.
 */
import { beijingDateTime, wechatpayHeaderFields } from '@wxpay-shop/wechat';
import type { ResolvedConfig } from '../config';
import type { MerchantDirectory } from '../merchants';
import { isPaid, type Order } from '../pay/order';
import type { DeliveryAttempt, NotifyDelivery } from './delivery';
import type { EmulatorState } from '../state';
import type { Refund, RefundEnd } from '../pay/refund-record';
import type { Timers } from '../timers';
import type { SignatureSpoiler, V3Keys } from '../pay/v3/keys';
import { malformXml, payNotifyXml, refundNotifyXml } from './messages';
import { malformJson, payNotifyJson, refundNotifyJson } from './messages-v3';
import { postNotification } from './post';
import { retryDelayMs } from './schedule';
import { corruptSign } from '../pay/envelope';

type DeliveryInit = Pick<NotifyDelivery, 'api' | 'kind' | 'mchId' | 'outTradeNo' | 'outRefundNo' | 'url' | 'body'>;

export class NotifyError extends Error {
  override readonly name = 'NotifyError';
}

export class Notifier {
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly config: ResolvedConfig,
    private readonly state: EmulatorState,
    private readonly merchants: MerchantDirectory,
    private readonly timers: Timers,
    /** Signs v3 notifications (per attempt). */
    private readonly keys: V3Keys,
    /** Called after every change to a delivery or refund (the state file saves it). */
    private readonly changed: () => void = () => {},
  ) {}

  /** After loading a state file: pending deliveries continue their schedule, PROCESSING refunds complete. */
  resume(now = Date.now()): void {
    for (const delivery of this.state.deliveries.values()) {
      // No nextAttemptAt: the previous run stopped mid-attempt, so that attempt is retried now.
      if (delivery.status === 'pending') this.schedule(delivery, Math.max(0, (delivery.nextAttemptAt ?? now) - now));
    }
    for (const refund of this.state.refunds.values()) {
      if (refund.status === 'PROCESSING')
        this.timers.after(this.config.refundDelayMs, () => this.completeRefund(refund));
    }
  }

  payNotify(order: Order): NotifyDelivery {
    return this.start(this.payInit(order));
  }

  /** The refund delay is over: PROCESSING → SUCCESS, or the end a test arranged. */
  completeRefund(refund: Refund): void {
    // A test may have ended it already (POST /__emulator/refund-outcome).
    if (refund.status === 'PROCESSING') this.endRefund(refund, refund.endStatus ?? 'SUCCESS');
  }

  /** Sets the refund's final status, then sends the refund notification if a notify URL is known. */
  endRefund(refund: Refund, status: RefundEnd): void {
    refund.status = status;
    // success_time / refund_success_time_$n exist only for a refund that succeeded.
    if (status === 'SUCCESS') refund.successTime = beijingDateTime(new Date());
    this.config.log(`refund ${refund.outRefundNo} ${status}`);
    this.changed();
    const merchant = this.merchants.byMchId(refund.mchId)!;
    const url = refund.notifyUrl ?? merchant.refundNotifyUrl;
    if (!url) return;
    const v3 = refund.api === 'v3';
    this.start({
      api: v3 ? 'v3' : 'v2',
      kind: 'refund',
      mchId: refund.mchId,
      outTradeNo: refund.outTradeNo,
      outRefundNo: refund.outRefundNo,
      url,
      body: v3 ? refundNotifyJson(refund, merchant) : refundNotifyXml(refund, merchant),
    });
  }

  private payInit(order: Order): DeliveryInit {
    const merchant = this.merchants.byMchId(order.mchId)!;
    const v3 = order.api === 'v3';
    const body = v3 ? payNotifyJson(order, merchant) : payNotifyXml(order, merchant);
    return {
      api: v3 ? 'v3' : 'v2',
      kind: 'pay',
      mchId: order.mchId,
      outTradeNo: order.outTradeNo,
      url: order.notifyUrl,
      body,
    };
  }

  /** A new pending delivery with no attempts yet, recorded for the console. */
  private register(init: DeliveryInit): NotifyDelivery {
    const delivery: NotifyDelivery = {
      ...init,
      id: this.state.nextId('n'),
      status: 'pending',
      attempts: [],
      retryIndex: 0,
      createdAt: Date.now(),
    };
    this.state.deliveries.set(delivery.id, delivery);
    this.changed();
    return delivery;
  }

  private start(init: DeliveryInit): NotifyDelivery {
    const delivery = this.register(init);
    // A v2 refund notification has no sign to spoil: badsign waits for a signed one; probe is v3's.
    const v3 = delivery.api === 'v3';
    const fault = this.state.takeFault('notify', (kind) => {
      if (kind === 'probe') return v3;
      return kind !== 'badsign' || v3 || delivery.kind === 'pay';
    });
    if (fault?.kind === 'drop') {
      // WeChat does not guarantee delivery; the BFF must reconcile with orderquery.
      delivery.status = 'dropped';
      this.config.log(`notify ${delivery.id} dropped by fault`);
      return delivery;
    }
    // badsign/malformed/probe spoil the first attempt only; retries carry the real body and signature.
    let firstBody = delivery.body;
    if (fault?.kind === 'malformed') firstBody = v3 ? malformJson(delivery.body) : malformXml(delivery.body);
    if (fault?.kind === 'badsign' && !v3) firstBody = corruptSign(delivery.body);
    const spoiler = v3 && (fault?.kind === 'badsign' || fault?.kind === 'probe') ? fault.kind : undefined;
    const delay = fault?.kind === 'delay' ? (fault.delayMs ?? 1000) : 0;
    this.schedule(delivery, delay, firstBody, spoiler);
    return delivery;
  }

  private schedule(delivery: NotifyDelivery, delayMs: number, body = delivery.body, spoiler?: SignatureSpoiler): void {
    delivery.nextAttemptAt = Date.now() + delayMs;
    const handle = this.timers.after(delayMs, () => {
      this.retryTimers.delete(delivery.id);
      void this.scheduledAttempt(delivery, body, spoiler);
    });
    if (handle) this.retryTimers.set(delivery.id, handle);
    else delivery.nextAttemptAt = undefined;
  }

  private async scheduledAttempt(delivery: NotifyDelivery, body: string, spoiler?: SignatureSpoiler): Promise<void> {
    delivery.nextAttemptAt = undefined;
    const attempt = await this.send(delivery, body, undefined, spoiler);
    if (delivery.status !== 'pending') return; // a replay settled it meanwhile
    if (this.state.deliveries.get(delivery.id) !== delivery) return; // state was reset meanwhile
    if (attempt.outcome === 'success') {
      delivery.status = 'delivered';
    } else {
      const delay = retryDelayMs(
        delivery.retryIndex,
        this.merchants.byMchId(delivery.mchId)?.notifyTimeScale ?? this.config.notifyTimeScale,
      );
      if (delay === undefined) {
        delivery.status = 'failed';
        this.config.log(`notify ${delivery.id} gave up after ${delivery.attempts.length} attempts`);
      } else {
        delivery.retryIndex += 1;
        this.schedule(delivery, delay);
      }
    }
    this.changed();
  }

  private async send(
    delivery: NotifyDelivery,
    body: string,
    manual?: DeliveryAttempt['manual'],
    spoiler?: SignatureSpoiler,
  ): Promise<DeliveryAttempt> {
    const at = Date.now();
    // v3: signed now, so the timestamp is fresh on every retry (the merchant refuses ±5 minutes).
    const v3Headers =
      delivery.api === 'v3'
        ? wechatpayHeaderFields(this.keys.sign(body, this.merchants.byMchId(delivery.mchId), spoiler))
        : undefined;
    const result = await postNotification(delivery.url, body, { timeoutMs: this.config.notifyTimeoutMs, v3Headers });
    const attempt: DeliveryAttempt = { at, ...result, ...(manual ? { manual } : {}) };
    delivery.attempts.push(attempt);
    this.changed();
    this.config.log(
      `notify ${delivery.id} → ${delivery.url}: ${attempt.outcome}${attempt.reason ? ` (${attempt.reason})` : ''}`,
    );
    return attempt;
  }

  /** Sends the notification once more now; a success also ends pending retries. */
  async replay(id: string): Promise<DeliveryAttempt> {
    const delivery = this.state.deliveries.get(id);
    if (!delivery) throw new NotifyError(`unknown notification ${id}`);
    const attempt = await this.send(delivery, delivery.body, 'replay');
    if (attempt.outcome === 'success') {
      this.timers.cancel(this.retryTimers.get(id));
      this.retryTimers.delete(id);
      delivery.nextAttemptAt = undefined;
      delivery.status = 'delivered';
    }
    return attempt;
  }

  /** The same payment notification `times` times at once, as WeChat's parallel senders do. */
  async duplicates(order: Order, times: number): Promise<NotifyDelivery> {
    if (!isPaid(order)) throw new NotifyError(`order ${order.outTradeNo} is not paid`);
    const delivery = this.register(this.payInit(order));
    const attempts = await Promise.all(
      Array.from({ length: times }, () => this.send(delivery, delivery.body, 'duplicate')),
    );
    delivery.status = attempts.some((a) => a.outcome === 'success') ? 'delivered' : 'failed';
    return delivery;
  }

  /** Forget scheduled retries (the Timers instance cancels the actual timeouts). */
  clear(): void {
    for (const [id, handle] of this.retryTimers) {
      this.timers.cancel(handle);
      const delivery = this.state.deliveries.get(id);
      if (delivery) delivery.nextAttemptAt = undefined;
    }
    this.retryTimers.clear();
  }
}

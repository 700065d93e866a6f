import type { Order } from '@wxpay-shop/contract';
import { onScopeDispose, shallowRef, watch } from 'vue';
import { useRouter } from 'vue-router';
import { ApiRequestError } from '../api/errors';
import { fetchOrder, requestPayment } from '../api/orders';
import type { BackoffOptions } from '../lib/backoff';
import { isUnpayable } from '../lib/order-status';
import { invokeGetBrandWCPayRequest, waitForWeixinBridge } from '../wechat/bridge';
import { payTradeType } from '../wechat/environment';
import { leaveForH5Pay } from '../wechat/h5';
import { useOrderPolling } from './useOrderPolling';

export type PayPhase =
  | 'preparing'
  /** WeChat's pay sheet is open. */
  | 'invoking'
  | 'cancelled'
  | 'failed'
  /** Desktop: QR code shown, waiting for the scan to be paid. */
  | 'native'
  | 'native-expired'
  /** The order can no longer be paid (closed or failed). */
  | 'unpayable'
  /**
   * The BFF refuses to pay the still-PENDING order (409, e.g. 订单即将过期): paying again gets the
   * same answer, so the way on is a new order with the same items.
   */
  | 'reorder'
  /**
   * The pay sheet said ok, or the order is no longer PENDING: on the way to the result page, which
   * confirms with the BFF. Stays shown if that page fails to load; never reported as a pay failure.
   */
  | 'to-result'
  /**
   * Back from WeChat's H5 page (which returns whether or not the shopper paid): WeChat's H5 guidelines
   * require asking 是否已完成支付 and confirming with the server, never assuming.
   */
  | 'h5-confirm'
  | 'error';

/** A QR code stays valid for 2 h; keep polling for a while, then let the shopper refresh. */
const NATIVE_POLL: BackoffOptions = { initialDelayMs: 1000, factor: 1.5, maxDelayMs: 3000, giveUpAfterMs: 10 * 60_000 };
const BRIDGE_TIMEOUT_MS = 5000;

/**
 * Drives paying one order: JSAPI inside WeChat (or with the emulator's bridge), H5 in a phone
 * browser, NATIVE QR elsewhere. Success is never decided here: the result page confirms with the BFF.
 * `h5Return` is true when the page was opened as the H5 page's redirect_url.
 */
export function usePayment(outTradeNo: () => string, h5Return: () => boolean = () => false) {
  const router = useRouter();
  const phase = shallowRef<PayPhase>('preparing');
  const order = shallowRef<Order>();
  const codeUrl = shallowRef<string>();
  const failReason = shallowRef<string>();
  const error = shallowRef<unknown>();
  const polling = useOrderPolling(outTradeNo, NATIVE_POLL);
  // The current start(): aborting it stops its requests and bridge wait and marks it stale.
  let controller: AbortController | undefined;

  /** Makes any start() in flight stale and stops its requests, bridge wait and polling. */
  const abandon = (): void => {
    controller?.abort();
    controller = undefined;
    polling.stop();
  };
  onScopeDispose(abandon);

  /** Another order now: abandon the old one and forget everything shown for it. */
  function reset(): void {
    abandon();
    polling.reset();
    phase.value = 'preparing';
    order.value = undefined;
    codeUrl.value = undefined;
    failReason.value = undefined;
    error.value = undefined;
  }

  /**
   * The shopper may have just paid: a result page that fails to load (BFF down, chunk gone after a
   * deploy) must not read as 无法发起支付. The page then says the payment is being confirmed, with a
   * link to the result; the router's onError reports the failed load itself.
   */
  const goToResult = async (): Promise<void> => {
    phase.value = 'to-result';
    await router.replace({ name: 'order-result', params: { outTradeNo: outTradeNo() } }).catch(() => undefined);
  };

  async function start(): Promise<void> {
    abandon();
    const current = new AbortController();
    controller = current;
    const { signal } = current;
    const stale = (): boolean => signal.aborted;
    phase.value = 'preparing';
    error.value = undefined;
    failReason.value = undefined;
    /**
     * True when there is nothing left to do: the order is no longer PENDING and is shown as such
     * (unpayable, or its result), or this start() went stale meanwhile.
     */
    const settledElsewhere = async (): Promise<boolean> => {
      const latest = await fetchOrder(outTradeNo(), signal);
      if (stale()) return true;
      order.value = latest;
      if (latest.status === 'PENDING') return false;
      if (isUnpayable(latest.status)) phase.value = 'unpayable';
      else await goToResult();
      return true;
    };
    try {
      // Back from H5: ask the shopper first, paid or not yet (WeChat's H5 guidelines); only an order that
      // can no longer be paid is said so at once.
      if (h5Return()) {
        const latest = await fetchOrder(outTradeNo(), signal);
        if (stale()) return;
        order.value = latest;
        phase.value = isUnpayable(latest.status) ? 'unpayable' : 'h5-confirm';
        return;
      }
      if (await settledElsewhere()) return;
      let pay;
      try {
        pay = await requestPayment(outTradeNo(), payTradeType(), signal);
      } catch (caught) {
        // 409: the order was closed or paid meanwhile (WeChat said ORDERCLOSED / ORDERPAID). The
        // BFF has recorded it, so show that rather than a generic "状态已变化" with 重新支付.
        // Still PENDING, yet refused (e.g. too close to expiry): paying again gets the same 409.
        // If that re-read fails too, the 409 itself is what the shopper sees.
        if (!(caught instanceof ApiRequestError && caught.code === 'CONFLICT') || stale()) throw caught;
        const settled = await settledElsewhere().catch(() => undefined);
        if (settled) return;
        if (settled === undefined) throw caught;
        error.value = caught;
        phase.value = 'reorder';
        return;
      }
      if (stale()) return;
      if (pay.tradeType === 'NATIVE') {
        codeUrl.value = pay.codeUrl;
        phase.value = 'native';
        polling.start();
        return;
      }
      if (pay.tradeType === 'H5') {
        // WeChat's page takes over and comes back to this page with ?h5=return.
        phase.value = 'invoking';
        leaveForH5Pay(pay.h5Url, outTradeNo());
        return;
      }

      phase.value = 'invoking';
      const bridge = await waitForWeixinBridge({ timeoutMs: BRIDGE_TIMEOUT_MS, signal });
      // The shopper may have left (or retried) while the bridge was loading: no pay sheet then.
      if (stale()) return;
      const outcome = await invokeGetBrandWCPayRequest(bridge, pay.payParams);
      if (stale()) return;
      if (outcome.result === 'ok') {
        await goToResult();
      } else if (outcome.result === 'cancel') {
        phase.value = 'cancelled';
      } else {
        failReason.value = outcome.errDesc;
        phase.value = 'failed';
      }
    } catch (caught) {
      if (stale()) return;
      error.value = caught;
      phase.value = 'error';
    }
  }

  // NATIVE: the scan happens on the phone; follow the order until it is paid or closed.
  watch(polling.phase, (pollPhase) => {
    if (phase.value !== 'native') return;
    const settled = polling.order.value;
    if (pollPhase === 'gave-up') phase.value = 'native-expired';
    // A fatal error (e.g. 404, 401) ended the polling: nothing retries, so show it as final.
    if (pollPhase === 'stopped' && polling.fatal.value) {
      error.value = polling.error.value;
      phase.value = 'error';
      return;
    }
    if (pollPhase !== 'settled' || !settled) return;
    order.value = settled;
    if (isUnpayable(settled.status)) phase.value = 'unpayable';
    else void goToResult();
  });

  return { phase, order, codeUrl, failReason, error, pollError: polling.error, start, reset };
}

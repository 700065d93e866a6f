import type { Order } from '@wxpay-shop/contract';
import { computed, onScopeDispose, shallowRef } from 'vue';
import { fetchOrder } from '../api/orders';
import { ApiRequestError } from '../api/errors';
import { ORDER_CONFIRM_BACKOFF, pollWithBackoff, type BackoffOptions } from '../lib/backoff';

export type PollingPhase = 'idle' | 'polling' | 'settled' | 'gave-up' | 'stopped';

/**
 * Polls retry soon anyway, so one that hangs is cut short rather than holding up the next; the
 * BFF's own orderquery to WeChat may take a few seconds, so not too short either.
 */
const POLL_REQUEST_TIMEOUT_MS = 8000;

/** Errors retrying cannot fix. */
const FATAL_CODES = new Set(['NOT_FOUND', 'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_REQUEST']);

/**
 * Polls GET /api/orders/:outTradeNo (the BFF's authoritative status) until the order
 * leaves PENDING or the time budget runs out. Stops when the owning component unmounts.
 */
export function useOrderPolling(outTradeNo: () => string, backoff: BackoffOptions = ORDER_CONFIRM_BACKOFF) {
  const order = shallowRef<Order>();
  const error = shallowRef<unknown>();
  const fatal = computed(() => error.value instanceof ApiRequestError && FATAL_CODES.has(error.value.code));
  const phase = shallowRef<PollingPhase>('idle');
  let stopCurrent: (() => void) | undefined;
  let generation = 0;

  const stop = (): void => {
    generation += 1;
    stopCurrent?.();
    stopCurrent = undefined;
    if (phase.value === 'polling') phase.value = 'stopped';
  };

  /** Another order now: stop, and forget what was learnt about the previous one. */
  const reset = (): void => {
    stop();
    order.value = undefined;
    error.value = undefined;
    phase.value = 'idle';
  };

  const start = (): void => {
    stop();
    error.value = undefined;
    phase.value = 'polling';
    const current = generation;
    const poll = pollWithBackoff<Order>(
      {
        attempt: (signal) => fetchOrder(outTradeNo(), signal, POLL_REQUEST_TIMEOUT_MS),
        isDone: (value) => value.status !== 'PENDING',
        onValue: (value) => {
          order.value = value;
          error.value = undefined;
        },
        onError: (caught) => {
          error.value = caught;
          return !fatal.value;
        },
      },
      backoff,
    );
    stopCurrent = poll.stop;
    void poll.done.then((outcome) => {
      if (current !== generation) return; // stopped or superseded by a restart
      phase.value = outcome === 'done' ? 'settled' : outcome;
    });
  };

  onScopeDispose(stop);
  return { order, error, fatal, phase, start, stop, reset };
}

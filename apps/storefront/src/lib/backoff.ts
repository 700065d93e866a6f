export interface BackoffOptions {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Stop polling once this much time has passed since the first attempt. */
  giveUpAfterMs: number;
}

/** Order-status confirmation: 0.5 s → ×1.5 → capped at 5 s, for about a minute. */
export const ORDER_CONFIRM_BACKOFF: BackoffOptions = {
  initialDelayMs: 500,
  factor: 1.5,
  maxDelayMs: 5000,
  giveUpAfterMs: 60_000,
};

export function nextDelay(previousMs: number | null, options: BackoffOptions): number {
  if (previousMs === null) return options.initialDelayMs;
  return Math.min(Math.round(previousMs * options.factor), options.maxDelayMs);
}

export type PollOutcome = 'done' | 'gave-up' | 'stopped';

export interface PollTask<T> {
  attempt: (signal: AbortSignal) => Promise<T>;
  /** True when polling can stop (e.g. the order reached a final status). */
  isDone: (value: T) => boolean;
  onValue?: (value: T) => void;
  /** Return false to stop polling on this error (e.g. 404); defaults to retrying. */
  onError?: (error: unknown) => boolean | void;
}

/**
 * Runs `attempt` now and then after growing delays until `isDone`, the time budget
 * runs out, or `stop()` is called. Attempts never overlap.
 */
export function pollWithBackoff<T>(
  task: PollTask<T>,
  options: BackoffOptions,
): { done: Promise<PollOutcome>; stop: () => void } {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let gaveUp = false;

  const stop = (): void => {
    controller.abort();
    clearTimeout(timer);
    wake?.();
  };
  // The budget also ends an attempt in flight: a hung request must not keep the spinner going.
  const deadline = setTimeout(() => {
    gaveUp = true;
    stop();
  }, options.giveUpAfterMs);
  const ended = (): PollOutcome => (gaveUp ? 'gave-up' : 'stopped');

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const run = async (): Promise<PollOutcome> => {
    const startedAt = Date.now();
    let delay: number | null = null;
    try {
      for (;;) {
        if (controller.signal.aborted) return ended();
        try {
          const value = await task.attempt(controller.signal);
          if (controller.signal.aborted) return ended();
          task.onValue?.(value);
          if (task.isDone(value)) return 'done';
        } catch (error) {
          if (controller.signal.aborted) return ended();
          if (task.onError?.(error) === false) return 'stopped';
        }
        delay = nextDelay(delay, options);
        if (Date.now() - startedAt + delay > options.giveUpAfterMs) return 'gave-up';
        await sleep(delay);
      }
    } finally {
      clearTimeout(deadline);
    }
  };

  return { done: run(), stop };
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextDelay, ORDER_CONFIRM_BACKOFF, pollWithBackoff } from '../src/lib/backoff';

afterEach(() => {
  vi.useRealTimers();
});

describe('backoff', () => {
  it('grows 0.5 s ×1.5 up to 5 s', () => {
    const delays: number[] = [];
    let delay: number | null = null;
    for (let i = 0; i < 9; i += 1) {
      delay = nextDelay(delay, ORDER_CONFIRM_BACKOFF);
      delays.push(delay);
    }
    expect(delays).toEqual([500, 750, 1125, 1688, 2532, 3798, 5000, 5000, 5000]);
  });

  it('gives up after the time budget', async () => {
    vi.useFakeTimers();
    const attempt = vi.fn(async () => 'PENDING');
    const poll = pollWithBackoff({ attempt, isDone: (status) => status === 'PAID' }, ORDER_CONFIRM_BACKOFF);
    await vi.advanceTimersByTimeAsync(61_000);
    await expect(poll.done).resolves.toBe('gave-up');
    // 0 s, then every delay until ~60 s have passed.
    expect(attempt.mock.calls.length).toBeGreaterThan(10);
    expect(attempt.mock.calls.length).toBeLessThan(20);
  });

  it('gives up on time even while an attempt hangs, aborting it', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const attempt = vi.fn(
      (given: AbortSignal) =>
        new Promise<string>((_resolve, reject) => {
          signal = given;
          given.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const poll = pollWithBackoff({ attempt, isDone: () => false }, ORDER_CONFIRM_BACKOFF);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(poll.done).resolves.toBe('gave-up');
    expect(signal?.aborted).toBe(true);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops when asked and on fatal errors', async () => {
    vi.useFakeTimers();
    const poll = pollWithBackoff({ attempt: async () => 'PENDING', isDone: () => false }, ORDER_CONFIRM_BACKOFF);
    await vi.advanceTimersByTimeAsync(600);
    poll.stop();
    await expect(poll.done).resolves.toBe('stopped');

    const failing = pollWithBackoff(
      { attempt: () => Promise.reject(new Error('404')), isDone: () => false, onError: () => false },
      ORDER_CONFIRM_BACKOFF,
    );
    await expect(failing.done).resolves.toBe('stopped');
  });
});

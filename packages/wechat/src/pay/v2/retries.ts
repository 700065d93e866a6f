/**
 * Bounded retries of one identical request, with doubling backoff, and the rule that keeps a refusal
 * after an attempt WeChat may have applied from passing for a clean "no". No I/O of its own.
 */
import { WechatError, WechatPayBusinessError, WechatTransportError, isPayRefusal } from '../../errors';

export interface RetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  /** First backoff delay; doubles per retry. */
  retryDelayMs: number;
  /**
   * For calls that move money: a refusal on a retry does not undo an earlier attempt WeChat may have
   * applied (a rate limit, say, is checked before out_refund_no is looked up), so it is reported as unknown.
   */
  refusalAfterUnknownIsUnknown?: boolean;
}

/** No answer or a 5xx (transport), or an answer the docs say to retry with identical parameters. */
function isRetryable(err: unknown): boolean {
  if (err instanceof WechatTransportError) return err.status === undefined || err.status >= 500;
  return err instanceof WechatPayBusinessError && err.retryable;
}

/** A failed attempt WeChat may still have applied: no answer, a 5xx, or SYSTEMERROR (系统超时等). */
function mayHaveBeenApplied(err: unknown): boolean {
  if (err instanceof WechatTransportError) return err.status === undefined || err.status >= 500;
  return err instanceof WechatPayBusinessError && err.errCode === 'SYSTEMERROR';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, fails for good, or 1 + retries attempts have failed. */
export async function withRetries<T>(label: string, policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
  let outcomeUnknown = false;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= policy.retries || !isRetryable(err)) {
        if (outcomeUnknown && policy.refusalAfterUnknownIsUnknown && isPayRefusal(err)) {
          throw new WechatTransportError(
            `${label}: an earlier attempt may have been applied (no answer, 5xx or SYSTEMERROR) and the retry ` +
              `was refused: ${(err as WechatError).message}`,
            undefined,
            { cause: err },
          );
        }
        throw err;
      }
      outcomeUnknown ||= mayHaveBeenApplied(err);
      await sleep(policy.retryDelayMs * 2 ** n);
    }
  }
}

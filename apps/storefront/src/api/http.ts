import { ApiRequestError } from './errors';
import { apiErrorAnswer } from './first-page-answers';
import type { ResponseSchema } from './response-schema';

export type { ResponseSchema } from './response-schema';

interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Give up on an answer (headers and body) after this long; see DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * A mobile connection can hang without failing: without a limit the spinner never stops and
 * 提交订单 stays disabled. A timed-out request fails like a dropped connection (NETWORK), so
 * whatever retries a network failure (e.g. checkout's Idempotency-Key) handles it too.
 */
export const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Calls the BFF (same origin, session cookie) and validates the JSON response with the
 * contract schema, so views only ever see well-formed data.
 */
export async function apiRequest<T>(path: string, schema: ResponseSchema<T>, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...options.headers, Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';

  // One signal for the caller's abort and the timeout (AbortSignal.any is missing in older WebViews).
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  options.signal?.addEventListener('abort', abort);
  if (options.signal?.aborted) abort();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort();
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  let response: Response;
  let payload: unknown;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
    payload = await response.json().catch((error: unknown) => {
      if (controller.signal.aborted) throw error; // the body hung: a timeout, not a malformed answer
      return undefined;
    });
  } catch (error) {
    if (!timedOut && controller.signal.aborted) throw error; // the caller aborted
    throw new ApiRequestError('NETWORK', timedOut ? '网络连接超时，请检查网络后重试' : '网络异常，请检查网络后重试', 0);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
  }

  if (!response.ok) {
    const parsed = apiErrorAnswer.safeParse(payload);
    if (parsed.success) {
      const { code, message, requestId } = parsed.data.error;
      throw new ApiRequestError(code, message, response.status, requestId);
    }
    throw new ApiRequestError('BAD_RESPONSE', `服务暂时不可用（HTTP ${response.status}），请稍后重试`, response.status);
  }

  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new ApiRequestError('BAD_RESPONSE', '服务返回的数据格式有误，请稍后重试', response.status);
  }
  return parsed.data;
}

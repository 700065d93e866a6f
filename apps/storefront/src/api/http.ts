import { ApiErrorSchema } from '@wxpay-shop/contract';
import { ApiRequestError } from './errors';

/** The part of a zod schema this client needs: any contract schema fits. */
export interface ResponseSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false };
}

interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/**
 * Calls the BFF (same origin, session cookie) and validates the JSON response with the
 * contract schema, so views only ever see well-formed data.
 */
export async function apiRequest<T>(path: string, schema: ResponseSchema<T>, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...options.headers, Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiRequestError('NETWORK', '网络异常，请检查网络后重试', 0);
  }

  const payload: unknown = await response.json().catch(() => undefined);

  if (!response.ok) {
    const parsed = ApiErrorSchema.safeParse(payload);
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

/** The console's calls to /api/operator: JSON in and out, the CSRF token on every write, errors as ApiFailure. */
import { ApiErrorSchema } from '@wxpay-shop/contract';

let csrfToken = '';
export const setCsrfToken = (token: string) => {
  csrfToken = token;
};

/** A non-2xx answer: the BFF's error code and message (never a secret). */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const method = init.method ?? (init.json === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(`/api/operator${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  if (res.status === 204) return undefined as T;
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const parsed = ApiErrorSchema.safeParse(body);
    throw parsed.success
      ? new ApiFailure(res.status, parsed.data.error.code, parsed.data.error.message)
      : new ApiFailure(res.status, 'INTERNAL', `HTTP ${res.status}`);
  }
  return body as T;
}

/** ¥12.34 from fen. */
export const yuan = (fen: number | null | undefined) =>
  fen === null || fen === undefined ? '—' : `¥${(fen / 100).toFixed(2)}`;

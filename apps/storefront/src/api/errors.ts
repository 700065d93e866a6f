import type { ApiErrorCode } from '@wxpay-shop/contract';

/** Client-side codes for failures that never reached (or were not understood from) the BFF. */
export type ClientErrorCode = 'NETWORK' | 'BAD_RESPONSE';

export class ApiRequestError extends Error {
  constructor(
    readonly code: ApiErrorCode | ClientErrorCode,
    message: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** A message fit for the shopper, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return '出了点问题，请稍后重试';
}

export function requestIdOf(error: unknown): string | undefined {
  return error instanceof ApiRequestError ? error.requestId : undefined;
}

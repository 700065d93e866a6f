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

const FALLBACK_MESSAGE = '出了点问题，请稍后重试';

/** Shopper-facing copy per BFF error code, for BFF messages that are not written for shoppers. */
const CODE_MESSAGES: Record<ApiErrorCode, string> = {
  BAD_REQUEST: '请求有误，请刷新页面后重试',
  UNAUTHENTICATED: '请先使用微信登录',
  FORBIDDEN: '没有权限进行此操作',
  NOT_FOUND: '没有找到相关内容，可能已删除或链接有误',
  CONFLICT: '订单或库存状态已变化，请刷新后重试',
  DELIVERY_ADDRESS_REQUIRED: '请先填写收货地址',
  PAYLOAD_TOO_LARGE: '提交的内容过多，请减少后重试',
  TOO_MANY_REQUESTS: '操作太频繁，请稍后再试',
  UPSTREAM_ERROR: '微信服务暂时不可用，请稍后重试',
  SERVICE_UNAVAILABLE: '服务暂时不可用，请稍后重试',
  INTERNAL: '服务暂时不可用，请稍后重试',
};

const CHINESE = /\p{Script=Han}/u;

/**
 * A message fit for the shopper, whatever was thrown. The BFF writes some messages for
 * shoppers (e.g. 「西湖龙井」库存不足) and others for developers (e.g. "Order is CLOSED");
 * only Chinese text is shown as is, anything else is replaced by copy for its error code.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return FALLBACK_MESSAGE;
  if (CHINESE.test(error.message)) return error.message;
  if (error instanceof ApiRequestError && error.code in CODE_MESSAGES) return CODE_MESSAGES[error.code as ApiErrorCode];
  return FALLBACK_MESSAGE;
}

export function requestIdOf(error: unknown): string | undefined {
  return error instanceof ApiRequestError ? error.requestId : undefined;
}

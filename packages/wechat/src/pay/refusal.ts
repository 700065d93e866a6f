/**
 * Reads a pay error the same way for both versions: null when the outcome is unknown (no answer, 5xx,
 * SYSTEMERROR, an unverifiable answer), else which definite refusal it is. v3 is keyed on HTTP status
 * first, since its code spellings differ between doc revisions (ORDERNOTEXIST / ORDER_NOT_EXIST).
 */
import { isPayRefusal, WechatPayBusinessError } from '../errors';
import { WechatPayV3ApiError } from './v3/errors';

/** ORDER_PAID / ORDER_CLOSED: the order's state forbids it; NOT_FOUND: no such order or refund; OTHER: any other. */
export type PayRefusal = 'ORDER_PAID' | 'ORDER_CLOSED' | 'NOT_FOUND' | 'OTHER';

const BY_CODE: Record<string, PayRefusal> = {
  ORDERPAID: 'ORDER_PAID',
  ORDERCLOSED: 'ORDER_CLOSED',
  ORDERNOTEXIST: 'NOT_FOUND',
  REFUNDNOTEXIST: 'NOT_FOUND',
  RESOURCENOTEXISTS: 'NOT_FOUND',
};

export function payRefusalOf(err: unknown): PayRefusal | null {
  if (err instanceof WechatPayV3ApiError) {
    if (!err.refused || err.retryable) return null;
    return err.status === 404 ? 'NOT_FOUND' : (BY_CODE[err.codeKey] ?? 'OTHER');
  }
  if (!isPayRefusal(err)) return null;
  return err instanceof WechatPayBusinessError ? (BY_CODE[err.errCode.replace(/_/g, '')] ?? 'OTHER') : 'OTHER';
}

/** The refusal's code as WeChat sent it, for messages (never secret). */
export function payErrorCode(err: unknown): string | undefined {
  if (err instanceof WechatPayV3ApiError) return err.code || `HTTP ${err.status}`;
  return err instanceof WechatPayBusinessError ? err.errCode : undefined;
}

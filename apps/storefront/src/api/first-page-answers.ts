/** Checks the answers the first page reads (session, catalog, shop, errors) without zod, so zod stays out of the first load. */
import type { ApiError, ApiErrorCode, Me, Product, ProductDetail, Shop } from '@wxpay-shop/contract';
import type { ResponseSchema } from './response-schema';

// Each check accepts exactly what the contract's zod/mini schema accepts and, like zod's objects, returns a
// copy without unknown keys; tests/first-page-answers.test.ts holds both to the same samples.

/** Thrown inside a check and caught by `answer()`; never leaves this module. */
const INVALID = Symbol('invalid answer');
const invalid = (): never => {
  throw INVALID;
};

type Check<T> = (value: unknown) => T;

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : invalid();
const text: Check<string> = (value) => (typeof value === 'string' ? value : invalid());
const flag: Check<boolean> = (value) => (typeof value === 'boolean' ? value : invalid());
/** zod's `int()` is a safe integer; with `nonnegative()`, ≥ 0. */
const count: Check<number> = (value) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : invalid();
const list =
  <T>(item: Check<T>): Check<T[]> =>
  (value) =>
    Array.isArray(value) ? Array.from(value, item) : invalid();
const textOrNull: Check<string | null> = (value) => (value === null ? null : text(value));

/** A `ResponseSchema` (what apiRequest needs) from a check. */
function answer<T>(check: Check<T>): ResponseSchema<T> {
  return {
    safeParse(data) {
      try {
        return { success: true, data: check(data) };
      } catch (error) {
        if (error === INVALID) return { success: false };
        throw error;
      }
    },
  };
}

const detail: Check<ProductDetail> = (value) => {
  const { label, value: shown } = record(value);
  return { label: text(label), value: text(shown) };
};

const product: Check<Product> = (value) => {
  const fields = record(value);
  return {
    id: text(fields.id),
    name: text(fields.name),
    description: text(fields.description),
    priceFen: count(fields.priceFen),
    imageUrl: text(fields.imageUrl),
    stock: count(fields.stock),
    gallery: list(text)(fields.gallery),
    details: list(detail)(fields.details),
    sevenDayReturns: flag(fields.sevenDayReturns),
  };
};

/** GET /api/me, as `MeSchema`. */
export const meAnswer = answer<Me>((value) => {
  const fields = record(value);
  if (fields.signedIn === false) return { signedIn: false };
  if (fields.signedIn !== true) return invalid();
  return {
    signedIn: true,
    openid: text(fields.openid),
    nickname: textOrNull(fields.nickname),
    avatarUrl: textOrNull(fields.avatarUrl),
  };
});

/** GET /api/products, as `ProductListSchema`. */
export const productListAnswer = answer((value) => ({ products: list(product)(record(value).products) }));

/** GET /api/products/:id, as `ProductSchema`. */
export const productAnswer = answer(product);

/** GET /api/shop, as `ShopSchema`. */
export const shopAnswer = answer<Shop>((value) => {
  const { name, servicePhone } = record(value);
  return { name: text(name), ...(servicePhone === undefined ? {} : { servicePhone: text(servicePhone) }) };
});

/** Every `ApiErrorCode`: the type makes this list follow the contract's. */
const API_ERROR_CODES: Record<ApiErrorCode, true> = {
  BAD_REQUEST: true,
  UNAUTHENTICATED: true,
  FORBIDDEN: true,
  NOT_FOUND: true,
  CONFLICT: true,
  DELIVERY_ADDRESS_REQUIRED: true,
  PAYLOAD_TOO_LARGE: true,
  TOO_MANY_REQUESTS: true,
  UPSTREAM_ERROR: true,
  SERVICE_UNAVAILABLE: true,
  INTERNAL: true,
};
const errorCode: Check<ApiErrorCode> = (value) =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(API_ERROR_CODES, value)
    ? (value as ApiErrorCode)
    : invalid();

/** Any non-2xx JSON body of the BFF, as `ApiErrorSchema`. */
export const apiErrorAnswer = answer<ApiError>((value) => {
  const fields = record(record(value).error);
  return {
    error: {
      code: errorCode(fields.code),
      message: text(fields.message),
      ...(fields.requestId === undefined ? {} : { requestId: text(fields.requestId) }),
      ...(fields.details === undefined ? {} : { details: fields.details }),
    },
  };
});

/** The one error body every failed JSON request gets. */
import * as z from 'zod/mini';

export const ApiErrorCodeSchema = z.enum([
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  /** 400: an order with a physical good and no `deliveryAddress` (nothing stored, no session started). */
  'DELIVERY_ADDRESS_REQUIRED',
  'PAYLOAD_TOO_LARGE',
  /** 429, with Retry-After: too many orders from one client, or too many unpaid ones. */
  'TOO_MANY_REQUESTS',
  'UPSTREAM_ERROR',
  /** 503, with Retry-After: the shop's database is unreachable for now (an outage, not a bug). */
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

/** Every non-2xx JSON response of the BFF has this shape. */
export const ApiErrorSchema = z.object({
  error: z.object({
    code: ApiErrorCodeSchema,
    message: z.string(),
    requestId: z.optional(z.string()),
    details: z.optional(z.unknown()),
  }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

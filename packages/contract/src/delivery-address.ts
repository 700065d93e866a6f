/** The delivery address (收货地址) a shopper gives at checkout, with the rules both sides check. */
import * as z from 'zod/mini';
import { checked } from './checked';

// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Text a shopper typed or WeChat's address book gave: no control characters, then trimmed to min–max characters. */
const shopperText = /* @__NO_SIDE_EFFECTS__ */ (min: number, max: number) =>
  checked(
    z.string(),
    z.refine((v) => !CONTROL_CHARACTERS.test(v), 'must not contain control characters or line breaks'),
    z.trim(),
    z.minLength(min, min === 1 ? 'is required' : `must be at least ${min} characters`),
    z.maxLength(max, `must be at most ${max} characters`),
  );

/** A mainland China mobile number: 11 digits starting with 1. */
export const MAINLAND_MOBILE_PATTERN = /^1\d{10}$/;

/**
 * Where an order is shipped (收货地址), as the shopper chose it at checkout (typed, or picked with
 * `wx.openAddress`). Kept on the order as a snapshot; the shop keeps no address book of its own.
 */
export const DeliveryAddressSchema = z.strictObject({
  /** 收货人 */
  name: shopperText(1, 25),
  mobile: checked(
    z.string(),
    z.regex(MAINLAND_MOBILE_PATTERN, 'must be an 11-digit mainland mobile number starting with 1'),
  ),
  province: shopperText(1, 20),
  city: shopperText(1, 20),
  /** 区/县; empty where a city has none (e.g. 东莞市, 中山市). */
  district: shopperText(0, 20),
  /** Street, building, room (详细地址). */
  detail: shopperText(1, 120),
  /** 6 digits, or empty when unknown. */
  postalCode: z._default(checked(z.string(), z.regex(/^(\d{6})?$/, 'must be 6 digits or empty')), ''),
});
export type DeliveryAddress = z.infer<typeof DeliveryAddressSchema>;
export type DeliveryAddressInput = z.input<typeof DeliveryAddressSchema>;

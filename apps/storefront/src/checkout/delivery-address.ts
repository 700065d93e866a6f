/**
 * The checkout's delivery address: from WeChat's address book (`wx.openAddress`) or typed, checked with
 * the contract's rules, and the last one used kept in this browser (localStorage) to offer next time.
 */
import { DeliveryAddressSchema, type DeliveryAddress, type DeliveryAddressInput } from '@wxpay-shop/contract';
import type { WxAddress } from '../wechat/jssdk-types';

export const LAST_ADDRESS_STORAGE_KEY = 'wxshop.lastAddress';

/** A phone number as people write it (+86, spaces, dashes) → the 11 digits the BFF accepts. */
export function normalizeMobile(value: string): string {
  const digits = value.replace(/[\s\-()]/g, '');
  return digits.replace(/^(\+?86)(?=1\d{10}$)/, '');
}

/** WeChat's address → ours; countryName is WeChat's name for the district. */
export function fromWechatAddress(a: WxAddress): DeliveryAddressInput {
  return {
    name: a.userName ?? '',
    mobile: normalizeMobile(a.telNumber ?? ''),
    province: a.provinceName ?? '',
    city: a.cityName ?? '',
    district: a.countryName ?? '',
    detail: a.detailInfo ?? '',
    postalCode: /^\d{6}$/.test(a.postalCode ?? '') ? a.postalCode : '',
  };
}

/** Field → Chinese reason, or null when the address is acceptable (then `address` is the cleaned one). */
export function checkAddress(
  input: DeliveryAddressInput,
):
  | { address: DeliveryAddress; problems: null }
  | { address: null; problems: Partial<Record<keyof DeliveryAddress, string>> } {
  const parsed = DeliveryAddressSchema.safeParse(input);
  if (parsed.success) return { address: parsed.data, problems: null };
  const problems: Partial<Record<keyof DeliveryAddress, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as keyof DeliveryAddress;
    problems[field] ??= FIELD_PROBLEMS[field] ?? '请检查此项';
  }
  return { address: null, problems };
}

const FIELD_PROBLEMS: Record<keyof DeliveryAddress, string> = {
  name: '请填写收货人（不超过 25 个字）',
  mobile: '请填写 11 位手机号码',
  province: '请选择省份',
  city: '请选择城市',
  district: '请选择区县',
  detail: '请填写详细地址（不超过 120 个字）',
  postalCode: '邮政编码为 6 位数字，可不填',
};

export function loadLastAddress(): DeliveryAddress | null {
  try {
    const raw = localStorage.getItem(LAST_ADDRESS_STORAGE_KEY);
    if (!raw) return null;
    const parsed = DeliveryAddressSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Kept in this browser only: the shop stores no address book of its own. */
export function saveLastAddress(address: DeliveryAddress): void {
  try {
    localStorage.setItem(LAST_ADDRESS_STORAGE_KEY, JSON.stringify(address));
  } catch {
    // Private mode or a full quota: the shopper picks again next time.
  }
}

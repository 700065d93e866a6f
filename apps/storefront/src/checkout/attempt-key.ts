/**
 * The Idempotency-Key of the current checkout attempt. The BFF answers a retry that carries the same
 * key and items with the order the first request created, so a 提交订单 repeated after a lost answer
 * (网络异常 on a mobile network) cannot make a second order. The key belongs to one cart content and
 * is kept in localStorage, so even a reload after the lost answer replays it; the checkout forgets it
 * once it has an order, or an answer saying that nothing was created.
 */
import { IDEMPOTENCY_KEY_PATTERN } from '@wxpay-shop/contract';
import type { CartLine } from '../stores/cart';

export const CHECKOUT_KEY_STORAGE_KEY = 'wxpay-shop:checkout-key:v1';

interface Attempt {
  key: string;
  /** The cart content the key was made for (product ids and quantities). */
  cart: string;
}

/** Used instead of storage when that is disabled or full, so retries within this page still reuse the key. */
let inMemory: Attempt | null = null;
let storageFailed = false;

/**
 * 32 hex digits from getRandomValues: crypto.randomUUID is missing in the WebView of older Android
 * WeChat clients (and outside secure contexts), getRandomValues is not.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function contentOf(lines: readonly CartLine[]): string {
  const sorted = lines
    .map((l): [string, number] => [l.productId, l.quantity])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(sorted);
}

function load(): Attempt | null {
  if (storageFailed) return inMemory;
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(CHECKOUT_KEY_STORAGE_KEY) ?? 'null');
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { key, cart } = parsed as Record<string, unknown>;
    return typeof key === 'string' && IDEMPOTENCY_KEY_PATTERN.test(key) && typeof cart === 'string'
      ? { key, cart }
      : null;
  } catch {
    return null; // corrupt: a new attempt
  }
}

function save(attempt: Attempt | null): void {
  inMemory = attempt;
  try {
    if (attempt) localStorage.setItem(CHECKOUT_KEY_STORAGE_KEY, JSON.stringify(attempt));
    else localStorage.removeItem(CHECKOUT_KEY_STORAGE_KEY);
    storageFailed = false;
  } catch {
    storageFailed = true; // private mode / quota: the key lives as long as this page
  }
}

/** The key to send for checking out these lines: the stored one while they are unchanged, else a new one. */
export function checkoutKeyFor(lines: readonly CartLine[]): string {
  const cart = contentOf(lines);
  const stored = load();
  if (stored?.cart === cart) return stored.key;
  const attempt = { key: newIdempotencyKey(), cart };
  save(attempt);
  return attempt.key;
}

/** The attempt is over (an order was received, or the BFF said nothing was created): the next one gets a new key. */
export function forgetCheckoutKey(): void {
  save(null);
}

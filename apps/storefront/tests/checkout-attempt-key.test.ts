import { IDEMPOTENCY_KEY_PATTERN } from '@wxpay-shop/contract';
import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A fresh copy of the module, as after a page reload (only localStorage carries over). */
async function freshPage() {
  vi.resetModules();
  return import('../src/checkout/attempt-key');
}

const tea = { productId: 'p-tea', quantity: 2 };
const cup = { productId: 'p-cup', quantity: 1 };

beforeEach(() => {
  localStorage.clear();
});

describe('checkout attempt key', () => {
  it('makes 32 hex digit keys the BFF accepts with getRandomValues, also where randomUUID is missing', async () => {
    const { newIdempotencyKey } = await freshPage();
    const real = globalThis.crypto;
    const getRandomValues = vi.fn(<T extends ArrayBufferView>(array: T) => real.getRandomValues(array));
    // An older Android WebView: crypto without randomUUID.
    vi.stubGlobal('crypto', { getRandomValues });
    const keys = Array.from({ length: 200 }, () => newIdempotencyKey());
    expect(getRandomValues).toHaveBeenCalledTimes(200);
    for (const key of keys) {
      expect(key).toMatch(/^[0-9a-f]{32}$/);
      expect(IDEMPOTENCY_KEY_PATTERN.test(key)).toBe(true);
    }
    expect(new Set(keys).size).toBe(200);
  });

  it('keeps one key while the cart content is the same (in any line order), and survives a reload', async () => {
    const first = await freshPage();
    const key = first.checkoutKeyFor([tea, cup]);
    expect(first.checkoutKeyFor([cup, tea])).toBe(key);
    const reloaded = await freshPage();
    expect(reloaded.checkoutKeyFor([tea, cup])).toBe(key);
  });

  it('makes a new key when the cart content changes', async () => {
    const { checkoutKeyFor } = await freshPage();
    const key = checkoutKeyFor([tea]);
    const changed = checkoutKeyFor([{ ...tea, quantity: 3 }]);
    expect(changed).not.toBe(key);
    expect(checkoutKeyFor([tea, cup])).not.toBe(changed);
  });

  it('makes a new key for the same content once the attempt was forgotten', async () => {
    const { checkoutKeyFor, forgetCheckoutKey, CHECKOUT_KEY_STORAGE_KEY } = await freshPage();
    const key = checkoutKeyFor([tea]);
    forgetCheckoutKey();
    expect(localStorage.getItem(CHECKOUT_KEY_STORAGE_KEY)).toBeNull();
    expect(checkoutKeyFor([tea])).not.toBe(key);
  });

  it('ignores a corrupt or foreign stored value', async () => {
    const { checkoutKeyFor, CHECKOUT_KEY_STORAGE_KEY } = await freshPage();
    const cart = JSON.stringify([[tea.productId, tea.quantity]]);
    for (const stored of [
      '{',
      '"x"',
      JSON.stringify({ key: 'short', cart }),
      JSON.stringify({ key: 'k'.repeat(20) }),
    ]) {
      localStorage.setItem(CHECKOUT_KEY_STORAGE_KEY, stored);
      const key = checkoutKeyFor([tea]);
      expect(key).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('still reuses the key within the page when storage refuses to store it', async () => {
    const { checkoutKeyFor } = await freshPage();
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    const key = checkoutKeyFor([tea]);
    expect(checkoutKeyFor([tea])).toBe(key);
    expect(checkoutKeyFor([cup])).not.toBe(key);
  });
});

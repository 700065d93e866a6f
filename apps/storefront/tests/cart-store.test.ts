import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { CART_STORAGE_KEY, MAX_QUANTITY, useCartStore } from '../src/stores/cart';

function freshStore() {
  setActivePinia(createPinia());
  return useCartStore();
}

beforeEach(() => {
  localStorage.clear();
});

describe('cart store', () => {
  it('adds, merges, changes quantity and removes lines', () => {
    const cart = freshStore();
    cart.add('a');
    cart.add('b', 2);
    cart.add('a', 3);
    expect(cart.lines).toEqual([
      { productId: 'a', quantity: 4 },
      { productId: 'b', quantity: 2 },
    ]);
    expect(cart.itemCount).toBe(6);

    cart.setQuantity('b', 5);
    expect(cart.quantityOf('b')).toBe(5);
    cart.setQuantity('a', 0);
    expect(cart.lines).toEqual([{ productId: 'b', quantity: 5 }]);
    cart.remove('b');
    expect(cart.isEmpty).toBe(true);
  });

  it('keeps quantities within what the BFF accepts', () => {
    const cart = freshStore();
    cart.add('a', 500);
    expect(cart.quantityOf('a')).toBe(MAX_QUANTITY);
    cart.setQuantity('a', 2.7);
    expect(cart.quantityOf('a')).toBe(2);
  });

  it('stores product ids and quantities only (no prices)', () => {
    const cart = freshStore();
    cart.add('a', 2);
    expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([{ productId: 'a', quantity: 2 }]);
  });

  it('survives a reload (new pinia instance)', () => {
    const first = freshStore();
    first.add('a', 2);
    first.add('b');
    const second = freshStore();
    expect(second).not.toBe(first);
    expect(second.lines).toEqual([
      { productId: 'a', quantity: 2 },
      { productId: 'b', quantity: 1 },
    ]);
    second.clear();
    expect(freshStore().isEmpty).toBe(true);
  });

  it.each([
    ['not JSON', '{oops'],
    ['not an array', '{"productId":"a"}'],
    ['null', 'null'],
  ])('starts empty when storage is corrupt (%s)', (_label, raw) => {
    localStorage.setItem(CART_STORAGE_KEY, raw);
    const cart = freshStore();
    expect(cart.lines).toEqual([]);
    cart.add('a');
    expect(cart.lines).toEqual([{ productId: 'a', quantity: 1 }]);
  });

  it('drops malformed entries and keeps the valid ones', () => {
    localStorage.setItem(
      CART_STORAGE_KEY,
      JSON.stringify([
        { productId: 'a', quantity: 2 },
        { productId: 5 },
        'x',
        null,
        { productId: 'b', quantity: 1000 },
        { productId: 'a', quantity: 1 },
      ]),
    );
    expect(freshStore().lines).toEqual([
      { productId: 'a', quantity: 2 },
      { productId: 'b', quantity: MAX_QUANTITY },
    ]);
  });
});

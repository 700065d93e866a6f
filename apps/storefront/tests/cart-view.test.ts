import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import { mockFetch } from './helpers/fetch-mock';
import { product } from './helpers/fixtures';
import { mountRoute } from './helpers/mount-view';

const vase = { ...product, id: 'p-vase', name: '青瓷花瓶', priceFen: 39_900, stock: 5 };
const pot = { ...product, id: 'p-pot', name: '紫砂壶', priceFen: 79_800, stock: 0 };

function cartOf(...lines: [string, number][]): void {
  localStorage.setItem(CART_STORAGE_KEY, JSON.stringify(lines.map(([productId, quantity]) => ({ productId, quantity }))));
}

beforeEach(() => {
  localStorage.clear();
  mockFetch({ 'GET /api/products': [{ body: { products: [product, vase, pot] } }] });
});

const total = (wrapper: Awaited<ReturnType<typeof mountRoute>>['wrapper']) => wrapper.get('.summary-bar p').text();

describe('cart total', () => {
  it('counts only what can be bought, and says that marked lines are left out', async () => {
    cartOf([product.id, 1], [pot.id, 1]);
    const { wrapper } = await mountRoute('/cart');
    expect(total(wrapper)).toContain('合计 ¥128.00');
    expect(total(wrapper)).toContain('不含标出的商品');
  });

  it('is ¥0.00, not the price of a sold-out product, when nothing can be bought', async () => {
    cartOf([pot.id, 1]);
    const { wrapper } = await mountRoute('/cart');
    expect(total(wrapper)).toContain('合计 ¥0.00');
    expect(total(wrapper)).not.toContain('798');
  });

  it('says nothing is left out when every line can be bought', async () => {
    cartOf([product.id, 1], [vase.id, 2]);
    const { wrapper } = await mountRoute('/cart');
    expect(total(wrapper)).toBe('合计 ¥926.00');
  });

  it('counts the same way on the checkout page', async () => {
    cartOf([product.id, 1], [pot.id, 1]);
    const { wrapper } = await mountRoute('/checkout');
    expect(total(wrapper)).toContain('合计 ¥128.00');
    expect(total(wrapper)).toContain('不含标出的商品');
  });
});

describe('删除 in the cart', () => {
  const removeButton = (wrapper: Awaited<ReturnType<typeof mountRoute>>['wrapper'], name: string) =>
    wrapper.get(`button[aria-label="从购物车删除${name}"]`);

  it('keeps keyboard focus in the list: on the next line, the previous after the last, then the empty cart', async () => {
    cartOf([product.id, 1], [vase.id, 1], [pot.id, 1]);
    const { wrapper } = await mountRoute('/cart', { attach: true });

    await removeButton(wrapper, vase.name).trigger('click');
    await flushPromises();
    expect(document.activeElement).toBe(removeButton(wrapper, pot.name).element);

    await removeButton(wrapper, pot.name).trigger('click');
    await flushPromises();
    expect(document.activeElement).toBe(removeButton(wrapper, product.name).element);

    await removeButton(wrapper, product.name).trigger('click');
    await flushPromises();
    expect(document.activeElement).toBe(wrapper.get('.cart-empty').element);
    expect(document.activeElement?.textContent).toContain('购物车是空的');
  });
});

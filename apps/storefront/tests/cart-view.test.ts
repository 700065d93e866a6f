import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LAST_ADDRESS_STORAGE_KEY } from '../src/checkout/delivery-address';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import { mockFetch } from './helpers/fetch-mock';
import { order, product } from './helpers/fixtures';
import { mountRoute } from './helpers/mount-view';
import { SAMPLE_DELIVERY_ADDRESS as ADDRESS } from '@wxpay-shop/contract/fixtures';

const vase = { ...product, id: 'p-vase', name: '青瓷花瓶', priceFen: 39_900, stock: 5 };
const pot = { ...product, id: 'p-pot', name: '紫砂壶', priceFen: 79_800, stock: 0 };

function cartOf(...lines: [string, number][]): void {
  localStorage.setItem(
    CART_STORAGE_KEY,
    JSON.stringify(lines.map(([productId, quantity]) => ({ productId, quantity }))),
  );
}

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem(LAST_ADDRESS_STORAGE_KEY, JSON.stringify(ADDRESS));
  mockFetch({ 'GET /api/products': [{ body: { products: [product, vase, pot] } }] });
});

type Wrapper = Awaited<ReturnType<typeof mountRoute>>['wrapper'];
/** The cart's total in Vant's submit bar, with the note above it. */
const total = (wrapper: Wrapper) =>
  ['.van-submit-bar__tip', '.van-submit-bar__text']
    .flatMap((selector) => wrapper.findAll(selector).map((part) => part.text()))
    .join(' ');
const checkoutTotal = (wrapper: Wrapper) => wrapper.get('.summary-bar p').text();

describe('cart total', () => {
  it('counts only what can be bought, and says that marked lines are left out', async () => {
    cartOf([product.id, 1], [pot.id, 1]);
    const { wrapper } = await mountRoute('/cart');
    expect(total(wrapper)).toBe('合计不含标出的商品 合计：¥128.00');
  });

  it('is ¥0.00, not the price of a sold-out product, when nothing can be bought', async () => {
    cartOf([pot.id, 1]);
    const { wrapper } = await mountRoute('/cart');
    expect(total(wrapper)).toContain('合计：¥0.00');
    expect(total(wrapper)).not.toContain('798');
  });

  it('says nothing is left out when every line can be bought', async () => {
    cartOf([product.id, 1], [vase.id, 2]);
    const { wrapper } = await mountRoute('/cart');
    expect(total(wrapper)).toBe('合计：¥926.00');
  });

  it('counts the same way on the checkout page, which leaves the set-aside sold-out line out of the order', async () => {
    cartOf([product.id, 1], [pot.id, 1]);
    const { wrapper } = await mountRoute('/checkout');
    expect(checkoutTotal(wrapper)).toBe('合计 ¥128.00');
    expect(wrapper.findAll('.line__name').map((n) => n.text())).toEqual([`${product.name} × 1`]);
    expect(wrapper.findAll('button').map((b) => b.text())).toContain('提交订单');
  });
});

describe('cart selection', () => {
  it('ticks every line by default; unticking one leaves it out of 合计 and 结算(N); 全选 ticks or unticks all', async () => {
    cartOf([product.id, 1], [vase.id, 2]);
    const { wrapper } = await mountRoute('/cart');
    const checkout = () => wrapper.get('.van-submit-bar__button');
    expect(checkout().text()).toBe('结算(3)');
    const all = () => wrapper.get('.summary-bar__all[role="checkbox"]');
    expect(all().attributes('aria-checked')).toBe('true');
    expect(all().text()).toBe('全选');

    await wrapper.get(`[role="checkbox"][aria-label="选择${vase.name}"]`).trigger('click');
    expect(total(wrapper)).toBe('合计：¥128.00');
    expect(checkout().text()).toBe('结算(1)');
    expect(all().attributes('aria-checked')).toBe('false');

    // Space toggles, as on any checkbox (Vant's own reacts to clicks only).
    await all().trigger('keydown', { key: ' ', code: 'Space' });
    expect(total(wrapper)).toBe('合计：¥926.00');
    expect(checkout().text()).toBe('结算(3)');
    await all().trigger('click');
    expect(total(wrapper)).toBe('合计：¥0.00');
    expect(checkout().text()).toBe('结算(0)');
    expect(checkout().attributes('disabled')).toBeDefined();
  });

  it('checks out only the ticked lines and keeps the others in the cart', async () => {
    cartOf([product.id, 1], [vase.id, 2]);
    const { calls } = mockFetch({
      'GET /api/products': [{ body: { products: [product, vase, pot] } }],
      'POST /api/orders': [{ status: 201, body: order('PENDING', '2026112600000011') }],
      'GET /api/orders/2026112600000011': [{ body: order('PENDING', '2026112600000011') }],
    });
    const { wrapper, router } = await mountRoute('/cart');
    await wrapper.get(`[role="checkbox"][aria-label="选择${product.name}"]`).trigger('click');
    await wrapper.get('.van-submit-bar__button').trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('checkout'));
    await flushPromises();
    expect(wrapper.findAll('.line__name').map((n) => n.text())).toEqual([`${vase.name} × 2`]);
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '提交订单')!
      .trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-pay'));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      items: [{ productId: vase.id, quantity: 2 }],
      deliveryAddress: ADDRESS,
    });
    expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([{ productId: product.id, quantity: 1 }]);
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

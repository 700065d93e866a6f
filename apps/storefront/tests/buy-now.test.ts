import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buyNowLine } from '../src/checkout/buy-now';
import { LAST_ADDRESS_STORAGE_KEY } from '../src/checkout/delivery-address';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import { mockFetch } from './helpers/fetch-mock';
import { order, product } from './helpers/fixtures';
import { mountRoute } from './helpers/mount-view';
import { SAMPLE_DELIVERY_ADDRESS as ADDRESS } from '@wxpay-shop/contract/fixtures';

const other = { ...product, id: 'p-mug', name: '马克杯', priceFen: 2_990 };

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem(LAST_ADDRESS_STORAGE_KEY, JSON.stringify(ADDRESS));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('立即购买', () => {
  it('goes straight to 确认订单 with that item only, orders just it, and leaves the cart as it was', async () => {
    localStorage.setItem(CART_STORAGE_KEY, JSON.stringify([{ productId: other.id, quantity: 3 }]));
    const { calls } = mockFetch({
      [`GET /api/products/${product.id}`]: [{ body: product }],
      'GET /api/products': [{ body: { products: [product, other] } }],
      'GET /api/me': [{ body: { signedIn: false } }],
      'POST /api/orders': [{ status: 201, body: order('PENDING', '2026112600000009') }],
      'GET /api/orders/2026112600000009': [{ body: order('PENDING', '2026112600000009') }],
    });
    const { wrapper, router } = await mountRoute(`/products/${product.id}`);
    await wrapper.get(`button[aria-label="增加${product.name}数量"]`).trigger('click');
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '立即购买')!
      .trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('checkout'));
    await vi.waitFor(() => expect(wrapper.text()).toContain(`${product.name} × 2`));
    expect(wrapper.text()).not.toContain(other.name);

    await wrapper
      .findAll('button')
      .find((b) => b.text() === '提交订单')!
      .trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-pay'));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      items: [{ productId: product.id, quantity: 2 }],
      deliveryAddress: ADDRESS,
    });
    expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([{ productId: other.id, quantity: 3 }]);
  });

  it('reads only a sensible item from the link', () => {
    expect(buyNowLine({ buy: 'p-tea', qty: '2' })).toEqual({ productId: 'p-tea', quantity: 2 });
    expect(buyNowLine({ buy: 'p-tea' })).toEqual({ productId: 'p-tea', quantity: 1 });
    expect(buyNowLine({ buy: 'p-tea', qty: '0' })).toBeUndefined();
    expect(buyNowLine({ buy: 'p-tea', qty: '100' })).toBeUndefined();
    expect(buyNowLine({ buy: 'p-tea', qty: '1.5' })).toBeUndefined();
    expect(buyNowLine({})).toBeUndefined();
  });

  it('a sold-out product keeps its bar, saying 已售罄', async () => {
    mockFetch({ [`GET /api/products/${product.id}`]: [{ body: { ...product, stock: 0 } }] });
    const { wrapper } = await mountRoute(`/products/${product.id}`);
    const bar = wrapper.get('.product-bar');
    expect(bar.get('button').text()).toBe('已售罄');
    expect(bar.get('button').attributes('disabled')).toBeDefined();
    expect(bar.findAll('button')).toHaveLength(1);
    expect(bar.get('a[href="/cart"]').text()).toBe('购物车，共 0 件');
  });
});

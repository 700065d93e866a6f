import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import { mockFetch } from './helpers/fetch-mock';
import { product } from './helpers/fixtures';
import { mountRoute } from './helpers/mount-view';

const OFFLINE = {
  status: 503,
  body: { error: { code: 'INTERNAL', message: 'Service unavailable', requestId: 'req-9' } },
};
const cheaper = { ...product, priceFen: 9_900 };

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem(CART_STORAGE_KEY, JSON.stringify([{ productId: product.id, quantity: 2 }]));
});

describe('a failed refresh of a product list already on screen', () => {
  it('keeps the catalog shown, says it is not up to date, and 重试 refreshes it', async () => {
    mockFetch({
      'GET /api/products': [{ body: { products: [product] } }, OFFLINE, OFFLINE, { body: { products: [cheaper] } }],
    });
    const { wrapper, router } = await mountRoute('/');
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);

    // Leave and come back: the cart and the catalog each re-read the list, and that fails.
    await router.push('/cart');
    await flushPromises();
    await router.push('/');
    await flushPromises();
    expect(wrapper.findAll('.product-card')).toHaveLength(1);
    expect(wrapper.text()).toContain('¥128.00');
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('商品信息未能更新');
    expect(alert.text()).not.toContain('加载失败');

    await alert.get('button').trigger('click');
    await flushPromises();
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('¥99.00');
  });

  it('keeps the cart lines and 结算(N) instead of replacing the cart with 加载失败', async () => {
    mockFetch({ 'GET /api/products': [{ body: { products: [product] } }, OFFLINE] });
    const { wrapper, router } = await mountRoute('/');
    await router.push('/cart');
    await flushPromises();

    expect(wrapper.get('.line__name').text()).toBe(product.name);
    expect(wrapper.text()).toContain('¥256.00');
    expect(wrapper.get('[role="alert"]').text()).toContain('商品信息未能更新');
    const checkout = wrapper.get('.van-submit-bar__button');
    expect(checkout.text()).toBe('结算(2)');
    expect(checkout.attributes('disabled')).toBeUndefined();
  });

  it('still shows the full error, with 重试, when the list never loaded', async () => {
    mockFetch({ 'GET /api/products': [OFFLINE] });
    const { wrapper } = await mountRoute('/cart');
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('加载失败');
    expect(alert.text()).toContain('req-9');
    expect(wrapper.find('.line').exists()).toBe(false);
  });
});

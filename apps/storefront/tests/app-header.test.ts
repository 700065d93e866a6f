import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, createWebHistory } from 'vue-router';
import App from '../src/App.vue';
import { createAppRouter } from '../src/router';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import { mockFetch } from './helpers/fetch-mock';
import { order, product } from './helpers/fixtures';

beforeEach(() => {
  localStorage.clear();
});

async function mountApp(path: string, history = createMemoryHistory()) {
  mockFetch({
    'GET /api/me': [{ body: { signedIn: false } }],
    'GET /api/shop': [{ body: { name: '山野茶铺' } }],
    'GET /api/products': [{ body: { products: [product] } }],
    'GET /api/orders': [{ body: { orders: [] } }],
    'GET /api/orders/T20261126000001': [{ body: order('PAID') }],
  });
  const router = createAppRouter(history);
  await router.push(path);
  await router.isReady();
  const wrapper = mount(App, { global: { plugins: [createPinia(), router] } });
  await flushPromises();
  return { wrapper, router };
}

describe('the header', () => {
  it('is one row with the configured shop name and no back on a top-level page', async () => {
    const { wrapper } = await mountApp('/');
    const header = wrapper.get('header');
    expect(header.get('a[href="/"]').text()).toBe('山野茶铺');
    expect(header.find('button').exists()).toBe(false);
    // The shopper's profile and the page links moved to 我的 and the tab bar.
    expect(header.text()).toBe('山野茶铺');
  });

  it('on a shared link into an inner page, 返回 goes up to the page above, not out of the shop', async () => {
    // Web history, opened at the page itself: no earlier page in this visit.
    history.replaceState(null, '', '/orders/T20261126000001');
    const { wrapper, router } = await mountApp('/orders/T20261126000001', createWebHistory());
    const up = new Promise((resolve) => router.afterEach(resolve));
    await wrapper.get('header button[aria-label="返回"]').trigger('click');
    await up;
    expect(router.currentRoute.value.fullPath).toBe('/orders');
  });

  it('after an in-app navigation, 返回 goes back to the page the shopper came from', async () => {
    // Web history: the router records the previous page in history.state, as in the app.
    history.replaceState(null, '', '/cart');
    const { wrapper, router } = await mountApp('/cart', createWebHistory());
    await router.push('/products/p-tea');
    await flushPromises();
    const back = new Promise((resolve) => router.afterEach(resolve));
    await wrapper.get('header button[aria-label="返回"]').trigger('click');
    await back;
    expect(router.currentRoute.value.fullPath).toBe('/cart');
  });
});

describe('the tab bar', () => {
  it('links 首页, 购物车 with the cart count and 我的, marking the current page', async () => {
    localStorage.setItem(CART_STORAGE_KEY, JSON.stringify([{ productId: 'p-tea', quantity: 3 }]));
    const { wrapper } = await mountApp('/cart');
    const nav = wrapper.get('nav[aria-label="主导航"]');
    const links = nav.findAll('a');
    expect(links.map((a) => a.attributes('href'))).toEqual(['/', '/cart', '/mine']);
    expect(links[1]!.text()).toBe('3 购物车，共 3 件');
    expect(links[1]!.attributes('aria-current')).toBe('page');
    expect(links[0]!.attributes('aria-current')).toBeUndefined();
  });

  it('is shown on 首页, 购物车 and 我的 only, not where a submit or action bar sits at the bottom', async () => {
    const { wrapper, router } = await mountApp('/');
    const shown: Record<string, boolean> = {};
    for (const path of ['/', '/cart', '/mine', '/products/p-tea', '/checkout', '/orders', '/orders/T20261126000001']) {
      await router.push(path);
      await flushPromises();
      shown[path] = wrapper.find('nav[aria-label="主导航"]').exists();
    }
    expect(shown).toEqual({
      '/': true,
      '/cart': true,
      '/mine': true,
      '/products/p-tea': false,
      '/checkout': false,
      '/orders': false,
      '/orders/T20261126000001': false,
    });
  });
});

import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import App from '../src/App.vue';
import { DEFAULT_SHOP_NAME, setShopName } from '../src/lib/shop-name';
import { createAppRouter } from '../src/router';
import { mockFetch } from './helpers/fetch-mock';
import { product } from './helpers/fixtures';

async function mountApp() {
  const router = createAppRouter(createMemoryHistory());
  await router.push(`/products/${product.id}`);
  await router.isReady();
  const wrapper = mount(App, { global: { plugins: [createPinia(), router] } });
  await flushPromises();
  return wrapper;
}

afterEach(() => setShopName(DEFAULT_SHOP_NAME));

describe('the shop name (SHOP_NAME, configured once in the BFF)', () => {
  it('names the header and the page title as the BFF says', async () => {
    mockFetch({
      'GET /api/shop': [{ body: { name: '山居茶铺' } }],
      'GET /api/me': [{ body: { signedIn: false } }],
      [`GET /api/products/${product.id}`]: [{ body: product }],
    });
    const wrapper = await mountApp();
    expect(wrapper.get('.app-header__brand').text()).toBe('山居茶铺');
    expect(document.title).toBe('商品详情 - 山居茶铺');
  });

  it('keeps the default name when the BFF cannot say, without an error on the page', async () => {
    mockFetch({
      'GET /api/shop': [{ networkError: true }],
      'GET /api/me': [{ body: { signedIn: false } }],
      [`GET /api/products/${product.id}`]: [{ body: product }],
    });
    const wrapper = await mountApp();
    expect(wrapper.get('.app-header__brand').text()).toBe(DEFAULT_SHOP_NAME);
    expect(document.title).toBe(`商品详情 - ${DEFAULT_SHOP_NAME}`);
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });
});

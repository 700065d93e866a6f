import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import App from '../src/App.vue';
import { createAppRouter } from '../src/router';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import { mockFetch } from './helpers/fetch-mock';
import { order, product } from './helpers/fixtures';
import { mountRoute } from './helpers/mount-view';

beforeEach(() => {
  localStorage.clear();
});

async function mountApp(path: string) {
  mockFetch({
    'GET /api/me': [{ body: { signedIn: false } }],
    'GET /api/products': [{ body: { products: [product] } }],
    'GET /api/orders': [{ body: { orders: [] } }],
  });
  const router = createAppRouter(createMemoryHistory());
  await router.push(path);
  await router.isReady();
  const wrapper = mount(App, { global: { plugins: [createPinia(), router] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, router };
}

describe('focus after navigation', () => {
  it('leaves focus alone on the first page, then moves it to the new page’s content after each navigation', async () => {
    const { wrapper, router } = await mountApp('/');
    const main = wrapper.get('main').element;
    expect(document.activeElement).not.toBe(main);

    // As a keyboard user following the tab bar's 我的 link.
    const link = wrapper.get('a[href="/mine"]').element as HTMLAnchorElement;
    link.focus();
    await router.push('/mine');
    await flushPromises();
    expect(document.activeElement).toBe(main);
    expect(main.getAttribute('tabindex')).toBe('-1');
    expect(main.querySelector('h1')?.textContent).toBe('我的');

    (wrapper.get('a[href="/cart"]').element as HTMLAnchorElement).focus();
    await router.replace('/cart');
    await flushPromises();
    expect(document.activeElement).toBe(main);
  });
});

describe('one h1 per page', () => {
  it('on the 404 page', async () => {
    const { wrapper } = await mountRoute('/no/such/page');
    expect(wrapper.findAll('h1').map((h) => h.text())).toEqual(['页面不存在']);
    expect(wrapper.get('a[href="/"]').text()).toBe('返回首页');
  });

  it('on an unknown product', async () => {
    mockFetch({
      'GET /api/products/nope': [{ status: 404, body: { error: { code: 'NOT_FOUND', message: 'Product not found' } } }],
    });
    const { wrapper } = await mountRoute('/products/nope');
    expect(wrapper.findAll('h1').map((h) => h.text())).toEqual(['商品不存在']);
  });

  it('on a product that failed to load, the error is the page heading', async () => {
    mockFetch({
      [`GET /api/products/${product.id}`]: [{ status: 500, body: { error: { code: 'INTERNAL', message: 'boom' } } }],
    });
    const { wrapper } = await mountRoute(`/products/${product.id}`);
    expect(wrapper.findAll('h1').map((h) => h.text())).toEqual(['加载失败']);
  });

  it('on the pay page: 订单支付, with each payment state as an h2 under it', async () => {
    const NO = 'T20261126000001';
    mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('CLOSED') }] });
    const { wrapper } = await mountRoute(`/orders/${NO}/pay`);
    expect(wrapper.findAll('h1').map((h) => h.text())).toEqual(['订单支付']);
    expect(wrapper.findAll('h2').map((h) => h.text())).toEqual(['已关闭']);
  });

  it('on the catalog when the list cannot load: 全部商品, with the error as an h2', async () => {
    mockFetch({ 'GET /api/products': [{ status: 500, body: { error: { code: 'INTERNAL', message: 'boom' } } }] });
    const { wrapper } = await mountRoute('/');
    expect(wrapper.findAll('h1').map((h) => h.text())).toEqual(['全部商品']);
    expect(wrapper.get('[role="alert"] h2').text()).toBe('加载失败');
  });
});

describe('my orders', () => {
  it('shows how much of an order was refunded, and nothing for orders without a refund', async () => {
    mockFetch({
      'GET /api/orders': [
        {
          body: {
            orders: [
              { ...order('PAID', 'T1'), refundedFen: 1_000 },
              { ...order('REFUNDED', 'T2'), refundedFen: 25_600 },
              order('PAID', 'T3'),
            ],
          },
        },
      ],
    });
    const { wrapper } = await mountRoute('/orders');
    const foot = (no: string) => wrapper.get(`[data-order="${no}"] .order__foot`).text();
    expect(foot('T1')).toContain('已退款 ¥10.00');
    expect(foot('T2')).toContain('已退款 ¥256.00');
    expect(foot('T3')).not.toContain('退款');
  });
});

describe('cart with a line that cannot be bought', () => {
  it('sets a sold-out line aside under 失效商品 (no stepper, still 删除) without blocking 结算 for the rest', async () => {
    const soldOut = { ...product, id: 'p-gone', name: '紫砂壶', stock: 0 };
    localStorage.setItem(
      CART_STORAGE_KEY,
      JSON.stringify([
        { productId: product.id, quantity: 1 },
        { productId: soldOut.id, quantity: 1 },
      ]),
    );
    mockFetch({ 'GET /api/products': [{ body: { products: [product, soldOut] } }] });
    const { wrapper } = await mountRoute('/cart');

    expect(wrapper.findAll('h2').map((h) => h.text())).toEqual(['失效商品']);
    const checkout = wrapper.get('.van-submit-bar__button');
    expect(checkout.text()).toBe('结算(1)');
    expect(checkout.attributes('disabled')).toBeUndefined();

    const lines = wrapper.findAll('.line');
    expect(lines[0]!.find('.van-stepper').exists()).toBe(true);
    expect(lines[0]!.find(`[role="checkbox"][aria-label="选择${product.name}"]`).exists()).toBe(true);
    expect(lines[1]!.classes()).toContain('line--aside');
    expect(lines[1]!.text()).toContain('已售罄');
    expect(lines[1]!.find('.van-stepper').exists()).toBe(false);
    expect(lines[1]!.find('[role="checkbox"]').exists()).toBe(false);
    expect(lines[1]!.find(`button[aria-label="从购物车删除${soldOut.name}"]`).exists()).toBe(true);
  });

  it('disables 结算 with the reason next to it while a ticked line is short of stock', async () => {
    localStorage.setItem(CART_STORAGE_KEY, JSON.stringify([{ productId: product.id, quantity: 12 }]));
    mockFetch({ 'GET /api/products': [{ body: { products: [product] } }] });
    const { wrapper } = await mountRoute('/cart');
    const checkout = wrapper.get('.van-submit-bar__button');
    expect(checkout.text()).toBe('结算(12)');
    expect(checkout.attributes('disabled')).toBeDefined();
    // The reason sits on the bar, right above the button.
    expect(wrapper.get('.van-submit-bar__tip').text()).toBe('合计不含标出的商品请先修改或取消勾选标出的商品');
  });
});

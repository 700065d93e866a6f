import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RouteRecordRaw, Router } from 'vue-router';
import App from '../src/App.vue';
import { routes } from '../src/router/routes';
import { mockFetch } from './helpers/fetch-mock';
import { product } from './helpers/fixtures';
import { mountView } from './helpers/mount-view';

const cartRoute = routes.find((route) => route.name === 'cart')!;
/** Chromium's words when a lazy chunk cannot be fetched (server down, or removed by a deploy). */
const chunkGone = () =>
  Promise.reject(new TypeError('Failed to fetch dynamically imported module: http://shop.test/assets/CartView-old.js'));

/** The cart's page code fails to load (same name: replaces the route), or loads again. */
function cartChunk(router: Router, loads: boolean): void {
  router.addRoute({ ...cartRoute, component: loads ? cartRoute.component : chunkGone } as RouteRecordRaw);
}

let assign: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  sessionStorage.clear();
  assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
});

async function mountShop(headCart: { status: number } | { networkError: true }) {
  mockFetch({
    'GET /api/me': [{ body: { signedIn: false } }],
    'GET /api/products': [{ body: { products: [product] } }],
    'HEAD /cart': ['status' in headCart ? { status: headCart.status, body: null } : { networkError: true }],
  });
  const mounted = await mountView(App, { path: '/', props: {} });
  await flushPromises();
  cartChunk(mounted.router, false);
  const tapCart = async () => {
    await mounted.wrapper.get('a[href="/cart"]').trigger('click');
    await flushPromises();
  };
  return { ...mounted, tapCart };
}

const notice = (wrapper: Awaited<ReturnType<typeof mountShop>>['wrapper']) => wrapper.find('.notice[role="alert"]');

describe('a page whose code fails to load', () => {
  it('says so in Chinese with 重试 when the server is down, without reloading, and 重试 opens the page once it loads', async () => {
    const { wrapper, router, tapCart } = await mountShop({ networkError: true });

    await tapCart();
    expect(router.currentRoute.value.name).toBe('catalog');
    expect(notice(wrapper).text()).toContain('页面加载失败，请检查网络后重试');
    expect(assign).not.toHaveBeenCalled();

    cartChunk(router, true);
    await notice(wrapper).get('button').trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cart'));
    await flushPromises();
    expect(notice(wrapper).exists()).toBe(false);
    expect(wrapper.get('h1').text()).toBe('购物车');
  });

  it('重试 while the page still cannot load says it is trying (no double tap) and comes back to 重试, with no unhandled error', async () => {
    const { wrapper, router, tapCart } = await mountShop({ networkError: true });
    await tapCart();

    const push = vi.spyOn(router, 'push');
    const button = () => notice(wrapper).get('button');
    await button().trigger('click');
    expect(button().text()).toBe('重试中…');
    expect(button().attributes('aria-busy')).toBe('true');
    // Still focusable (not disabled), but a second tap meanwhile does not navigate again.
    expect(button().attributes('disabled')).toBeUndefined();
    await button().trigger('click');
    expect(push).toHaveBeenCalledTimes(1);
    await flushPromises();

    expect(router.currentRoute.value.name).toBe('catalog');
    expect(notice(wrapper).text()).toContain('页面加载失败');
    expect(button().text()).toBe('重试');
    expect(button().attributes('aria-busy')).toBe('false');
  });

  it('after a deploy (the server answers, the old chunk is gone), loads the page afresh once, never in a loop', async () => {
    const { wrapper, router, tapCart } = await mountShop({ status: 200 });

    await tapCart();
    expect(assign).toHaveBeenCalledTimes(1);
    expect(assign).toHaveBeenCalledWith('/cart');

    // The fresh page still cannot load it (e.g. a stale index.html from a cache): stop at the notice.
    await tapCart();
    expect(assign).toHaveBeenCalledTimes(1);
    expect(notice(wrapper).text()).toContain('页面加载失败');

    // Once a page loads, a later deploy gets its one reload again.
    cartChunk(router, true);
    await notice(wrapper).get('button').trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cart'));
    await router.push('/');
    cartChunk(router, false);
    await tapCart();
    expect(assign).toHaveBeenCalledTimes(2);
  });
});

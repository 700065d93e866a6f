import { flushPromises } from '@vue/test-utils';
import type { Product } from '@wxpay-shop/contract';
import { describe, expect, it, vi } from 'vitest';
import ProductView from '../src/views/ProductView.vue';
import { mockFetch } from './helpers/fetch-mock';
import { product } from './helpers/fixtures';
import { mountRoute, mountView } from './helpers/mount-view';

function buttonLabels(wrapper: { findAll: (selector: string) => { text: () => string }[] }): string[] {
  return wrapper.findAll('button').map((button) => button.text());
}

describe('ProductView', () => {
  it('says 商品不存在 with a link home, not 重试, for an unknown product id', async () => {
    const { calls } = mockFetch({
      'GET /api/products/p-gone': [
        { status: 404, body: { error: { code: 'NOT_FOUND', message: 'Product not found' } } },
      ],
    });
    const { wrapper } = await mountView(ProductView, { path: '/products/p-gone', props: { id: 'p-gone' } });

    expect(calls.map((call) => call.path)).toEqual(['/api/products/p-gone']);
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('商品不存在');
    expect(alert.text()).not.toContain('Product not found');
    expect(alert.get('a').text()).toBe('返回首页');
    expect(alert.get('a').attributes('href')).toBe('/');
    expect(buttonLabels(wrapper)).not.toContain('重试');
  });

  it('keeps 重试 for failures a retry can fix, and the retry loads the product', async () => {
    const { calls } = mockFetch({
      [`GET /api/products/${product.id}`]: [
        { status: 503, body: { error: { code: 'UPSTREAM_ERROR', message: 'database unavailable' } } },
        { body: product },
      ],
    });
    const { wrapper } = await mountView(ProductView, { path: `/products/${product.id}`, props: { id: product.id } });

    expect(wrapper.get('[role="alert"]').text()).not.toContain('商品不存在');
    expect(wrapper.text()).not.toContain('返回首页');
    const retry = wrapper.findAll('button').find((button) => button.text() === '重试');
    expect(retry).toBeDefined();

    await retry!.trigger('click');
    await vi.waitFor(() => expect(wrapper.text()).toContain(product.name));
    expect(calls).toHaveLength(2);
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });

  it('loads the new product when only the :id changes (same view reused), and ignores the older answer', async () => {
    const cup: Product = { ...product, id: 'p-cup', name: '青瓷杯', stock: 3 };
    const held: { release: () => void; signal: AbortSignal | null | undefined }[] = [];
    const calls: string[] = [];
    // The first answer for p-tea is held back until after the shopper has moved on to p-cup,
    // and then delivered anyway (as a response already in flight would be).
    vi.stubGlobal(
      'fetch',
      vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
        const path = new URL(String(input), 'http://shop.test').pathname;
        calls.push(path);
        const body = path === `/api/products/${cup.id}` ? cup : product;
        const reply = () => new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
        if (path === `/api/products/${product.id}` && calls.filter((c) => c === path).length === 1) {
          return new Promise<Response>((resolve) =>
            held.push({ release: () => resolve(reply()), signal: init?.signal }),
          );
        }
        return Promise.resolve(reply());
      }),
    );

    const { wrapper, router } = await mountRoute(`/products/${product.id}`);
    expect(wrapper.text()).toContain('商品加载中');

    await router.push(`/products/${cup.id}`);
    await vi.waitFor(() => expect(wrapper.get('h1').text()).toBe(cup.name));
    expect(held[0]!.signal?.aborted).toBe(true);
    held[0]!.release();
    await flushPromises();
    expect(wrapper.get('h1').text()).toBe(cup.name);
    expect(wrapper.text()).toContain('库存 3 件');

    router.back();
    await vi.waitFor(() => expect(wrapper.get('h1').text()).toBe(product.name));
    router.forward();
    await vi.waitFor(() => expect(wrapper.get('h1').text()).toBe(cup.name));
    expect(calls).toEqual([
      `/api/products/${product.id}`,
      `/api/products/${cup.id}`,
      `/api/products/${product.id}`,
      `/api/products/${cup.id}`,
    ]);
    expect(document.title).toBe('商品详情 - 微信小店');
  });

  it('starts the next product with quantity 1 and no 已加入购物车 note', async () => {
    const cup: Product = { ...product, id: 'p-cup', name: '青瓷杯' };
    mockFetch({
      [`GET /api/products/${product.id}`]: [{ body: product }],
      [`GET /api/products/${cup.id}`]: [{ body: cup }],
    });
    const { wrapper, router } = await mountRoute(`/products/${product.id}`);
    await wrapper.get(`button[aria-label="增加${product.name}数量"]`).trigger('click');
    expect(wrapper.get<HTMLInputElement>('.van-stepper__input').element.value).toBe('2');
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '加入购物车')!
      .trigger('click');
    expect(wrapper.get('[role="status"]').text()).toContain('已加入购物车');

    await router.push(`/products/${cup.id}`);
    await vi.waitFor(() => expect(wrapper.get('h1').text()).toBe(cup.name));
    expect(wrapper.get('[role="status"]').text()).toBe('');
    expect(wrapper.get<HTMLInputElement>('.van-stepper__input').element.value).toBe('1');
  });

  it('titles a missing product 商品不存在, and a found one 商品详情 again', async () => {
    mockFetch({
      'GET /api/products/p-gone': [
        { status: 404, body: { error: { code: 'NOT_FOUND', message: 'Product not found' } } },
      ],
      'GET /api/products/p-gone-too': [
        { status: 404, body: { error: { code: 'NOT_FOUND', message: 'Product not found' } } },
      ],
      [`GET /api/products/${product.id}`]: [{ body: product }],
      'GET /api/products': [{ body: { products: [product] } }],
    });
    const { wrapper, router } = await mountRoute('/products/p-gone');
    expect(wrapper.get('[role="alert"]').text()).toContain('商品不存在');
    expect(document.title).toBe('商品不存在 - 微信小店');

    await router.push(`/products/${product.id}`);
    await vi.waitFor(() => expect(wrapper.get('h1').text()).toBe(product.name));
    expect(document.title).toBe('商品详情 - 微信小店');

    // From one missing product straight to another: the router's 商品详情 must not stick.
    await router.push('/products/p-gone');
    await vi.waitFor(() => expect(document.title).toBe('商品不存在 - 微信小店'));
    await router.push('/products/p-gone-too');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('商品不存在');
    expect(document.title).toBe('商品不存在 - 微信小店');

    await router.push('/');
    await flushPromises();
    expect(document.title).toBe('商品 - 微信小店');
  });
});

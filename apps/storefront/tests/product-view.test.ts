import { describe, expect, it, vi } from 'vitest';
import ProductView from '../src/views/ProductView.vue';
import { mockFetch } from './helpers/fetch-mock';
import { product } from './helpers/fixtures';
import { mountView } from './helpers/mount-view';

function buttonLabels(wrapper: { findAll: (selector: string) => { text: () => string }[] }): string[] {
  return wrapper.findAll('button').map((button) => button.text());
}

describe('ProductView', () => {
  it('says 商品不存在 with a link home, not 重试, for an unknown product id', async () => {
    const { calls } = mockFetch({
      'GET /api/products/p-gone': [{ status: 404, body: { error: { code: 'NOT_FOUND', message: 'Product not found' } } }],
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
});

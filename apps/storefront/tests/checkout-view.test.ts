import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import CheckoutView from '../src/views/CheckoutView.vue';
import { mockFetch } from './helpers/fetch-mock';
import { order, product } from './helpers/fixtures';
import { mountView } from './helpers/mount-view';

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem(CART_STORAGE_KEY, JSON.stringify([{ productId: product.id, quantity: 10 }]));
});

function submitButton(wrapper: Awaited<ReturnType<typeof mountView>>['wrapper']) {
  return wrapper.findAll('button').find((button) => button.text() === '提交订单');
}

describe('CheckoutView', () => {
  it('on a 409 sold out meanwhile, shows the reason, re-reads stock and asks to fix the cart instead of resubmitting', async () => {
    const { calls } = mockFetch({
      'GET /api/products': [{ body: { products: [product] } }, { body: { products: [{ ...product, stock: 3 }] } }],
      'POST /api/orders': [{ status: 409, body: { error: { code: 'CONFLICT', message: '「明前龙井」库存不足' } } }],
    });
    const { wrapper, router } = await mountView(CheckoutView, { path: '/checkout', props: {} });
    const submit = submitButton(wrapper);
    expect(submit).toBeDefined();

    await submit!.trigger('click');
    await flushPromises();

    expect(wrapper.find('[role="alert"]').text()).toContain('「明前龙井」库存不足');
    expect(calls.filter((call) => call.path === '/api/products')).toHaveLength(2);
    expect(wrapper.find('.line .warning').text()).toBe('库存不足');
    expect(submitButton(wrapper)).toBeUndefined();
    expect(wrapper.find('a[href="/cart"]').text()).toBe('返回购物车修改');
    // Nothing was bought: the cart keeps the line for the shopper to change.
    expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([{ productId: product.id, quantity: 10 }]);
    expect(router.currentRoute.value.name).toBe('checkout');
  });

  it('on success, goes to the pay page and empties the cart', async () => {
    const { calls } = mockFetch({
      'GET /api/products': [{ body: { products: [product] } }],
      'POST /api/orders': [{ status: 201, body: order('PENDING') }],
      [`GET /api/orders/${order('PENDING').outTradeNo}`]: [{ body: order('PENDING') }],
    });
    const { wrapper, router } = await mountView(CheckoutView, { path: '/checkout', props: {} });
    await submitButton(wrapper)!.trigger('click');
    await flushPromises();
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({ items: [{ productId: product.id, quantity: 10 }] });
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-pay'));
    expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([]);
  });
});

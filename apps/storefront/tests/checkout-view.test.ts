import { flushPromises } from '@vue/test-utils';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN } from '@wxpay-shop/contract';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHECKOUT_KEY_STORAGE_KEY } from '../src/checkout/attempt-key';
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

  it('inside WeChat, asks a signed-out shopper to sign in (back to the checkout) instead of placing a guest order', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(
      'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.51.2720(0x28003336)',
    );
    history.replaceState(null, '', '/checkout');
    const replace = vi.spyOn(window.location, 'replace').mockImplementation(() => {});
    const { calls } = mockFetch({ 'GET /api/products': [{ body: { products: [product] } }] });
    const { wrapper } = await mountView(CheckoutView, { path: '/checkout', props: {} });

    expect(submitButton(wrapper)).toBeUndefined();
    expect(wrapper.text()).toContain('请先使用微信登录，再提交订单');
    await wrapper.findAll('button').find((button) => button.text() === '微信登录')!.trigger('click');
    expect(replace).toHaveBeenCalledWith('/api/auth/login?returnTo=%2Fcheckout');
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
  });

  describe('Idempotency-Key', () => {
    const posts = (calls: ReturnType<typeof mockFetch>['calls']) => calls.filter((call) => call.method === 'POST' && call.path === '/api/orders');
    const keyOf = (call: { headers: Headers }) => call.headers.get(IDEMPOTENCY_KEY_HEADER);
    const NO = order('PENDING').outTradeNo;

    it('sends the same key again when 提交订单 is pressed after a network failure, and lands on that order', async () => {
      const { calls } = mockFetch({
        'GET /api/products': [{ body: { products: [product] } }],
        // The first request reached the BFF (which created the order) but its answer was lost.
        'POST /api/orders': [{ networkError: true }, { status: 200, body: order('PENDING') }],
        [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      });
      const { wrapper, router } = await mountView(CheckoutView, { path: '/checkout', props: {} });
      await submitButton(wrapper)!.trigger('click');
      await flushPromises();
      expect(wrapper.find('[role="alert"]').text()).toContain('网络异常');
      expect(router.currentRoute.value.name).toBe('checkout');
      // Kept with the cart, so even a reload would replay it.
      const first = keyOf(posts(calls)[0]!);
      expect(first).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(JSON.parse(localStorage.getItem(CHECKOUT_KEY_STORAGE_KEY)!).key).toBe(first);

      await submitButton(wrapper)!.trigger('click');
      await flushPromises();
      expect(posts(calls).map(keyOf)).toEqual([first, first]);
      await vi.waitFor(() => expect(router.currentRoute.value.params.outTradeNo).toBe(NO));
      expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([]);
      expect(localStorage.getItem(CHECKOUT_KEY_STORAGE_KEY)).toBeNull();
    });

    it('gives 提交订单 back after a request that hangs (15 s), and the retry carries the same key', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const { calls } = mockFetch({
          'GET /api/products': [{ body: { products: [product] } }],
          // The BFF may have created the order; its answer never comes.
          'POST /api/orders': [{ hang: true }, { status: 200, body: order('PENDING') }],
          [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
        });
        const { wrapper, router } = await mountView(CheckoutView, { path: '/checkout', props: {} });
        await submitButton(wrapper)!.trigger('click');
        await flushPromises();
        expect(wrapper.find('button[aria-busy="true"]').text()).toBe('提交中…');

        await vi.advanceTimersByTimeAsync(15_000);
        await flushPromises();
        expect(posts(calls)[0]!.signal?.aborted).toBe(true);
        expect(wrapper.find('[role="alert"]').text()).toContain('网络连接超时，请检查网络后重试');
        const again = submitButton(wrapper);
        expect(again?.attributes('disabled')).toBeUndefined();

        await again!.trigger('click');
        await flushPromises();
        const [first, second] = posts(calls).map(keyOf);
        expect(first).toMatch(IDEMPOTENCY_KEY_PATTERN);
        expect(second).toBe(first);
        await vi.waitFor(() => expect(router.currentRoute.value.params.outTradeNo).toBe(NO));
      } finally {
        vi.useRealTimers();
      }
    });

    it('replays the key when the checkout is opened again (cart reloaded from storage), and keeps it through a 5xx', async () => {
      const { calls } = mockFetch({
        'GET /api/products': [{ body: { products: [product] } }],
        'POST /api/orders': [{ networkError: true }, { status: 502, body: { error: { code: 'UPSTREAM_ERROR', message: 'Bad gateway' } } }],
      });
      const first = await mountView(CheckoutView, { path: '/checkout', props: {} });
      await submitButton(first.wrapper)!.trigger('click');
      await flushPromises();
      first.wrapper.unmount();
      const reloaded = await mountView(CheckoutView, { path: '/checkout', props: {} });
      await submitButton(reloaded.wrapper)!.trigger('click');
      await flushPromises();
      const [a, b] = posts(calls).map(keyOf);
      expect(a).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(b).toBe(a);
      expect(JSON.parse(localStorage.getItem(CHECKOUT_KEY_STORAGE_KEY)!).key).toBe(a);
    });

    it('sends a new key once the cart content changed', async () => {
      const { calls } = mockFetch({
        'GET /api/products': [{ body: { products: [product] } }],
        'POST /api/orders': [{ networkError: true }, { status: 201, body: order('PENDING') }],
        [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      });
      const first = await mountView(CheckoutView, { path: '/checkout', props: {} });
      await submitButton(first.wrapper)!.trigger('click');
      await flushPromises();
      first.wrapper.unmount();
      // The shopper went back to the cart and took one fewer.
      localStorage.setItem(CART_STORAGE_KEY, JSON.stringify([{ productId: product.id, quantity: 9 }]));
      const changed = await mountView(CheckoutView, { path: '/checkout', props: {} });
      await submitButton(changed.wrapper)!.trigger('click');
      await flushPromises();
      const [a, b] = posts(calls).map(keyOf);
      expect(posts(calls).map((call) => call.body)).toEqual([
        { items: [{ productId: product.id, quantity: 10 }] },
        { items: [{ productId: product.id, quantity: 9 }] },
      ]);
      expect(a).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(b).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(b).not.toBe(a);
    });

    it('uses a new key for the next checkout after an order was received, even for the same items', async () => {
      const { calls } = mockFetch({
        'GET /api/products': [{ body: { products: [product] } }],
        'POST /api/orders': [{ status: 201, body: order('PENDING') }, { status: 201, body: order('PENDING', 'T20261126000002') }],
        [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
        'GET /api/orders/T20261126000002': [{ body: order('PENDING', 'T20261126000002') }],
      });
      const first = await mountView(CheckoutView, { path: '/checkout', props: {} });
      await submitButton(first.wrapper)!.trigger('click');
      await vi.waitFor(() => expect(first.router.currentRoute.value.name).toBe('order-pay'));
      first.wrapper.unmount();
      localStorage.setItem(CART_STORAGE_KEY, JSON.stringify([{ productId: product.id, quantity: 10 }]));
      const second = await mountView(CheckoutView, { path: '/checkout', props: {} });
      await submitButton(second.wrapper)!.trigger('click');
      await vi.waitFor(() => expect(second.router.currentRoute.value.params.outTradeNo).toBe('T20261126000002'));
      const [a, b] = posts(calls).map(keyOf);
      expect(a).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(b).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(b).not.toBe(a);
    });

    it('forgets the key on a 4xx (nothing was created), so the next press is a new attempt', async () => {
      const { calls } = mockFetch({
        'GET /api/products': [{ body: { products: [product] } }],
        'POST /api/orders': [{ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Cross-site request refused' } } }],
      });
      const { wrapper } = await mountView(CheckoutView, { path: '/checkout', props: {} });
      await submitButton(wrapper)!.trigger('click');
      await flushPromises();
      expect(localStorage.getItem(CHECKOUT_KEY_STORAGE_KEY)).toBeNull();
      await submitButton(wrapper)!.trigger('click');
      await flushPromises();
      const [a, b] = posts(calls).map(keyOf);
      expect(a).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(b).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(b).not.toBe(a);
    });

    it('when the replayed order has expired (CLOSED) meanwhile, asks for a new order with a new key', async () => {
      const fresh = order('PENDING', 'T20261126000003');
      const { calls } = mockFetch({
        'GET /api/products': [{ body: { products: [product] } }],
        'POST /api/orders': [{ networkError: true }, { status: 200, body: order('CLOSED') }, { status: 201, body: fresh }],
        [`GET /api/orders/${fresh.outTradeNo}`]: [{ body: fresh }],
      });
      const { wrapper, router } = await mountView(CheckoutView, { path: '/checkout', props: {} });
      await submitButton(wrapper)!.trigger('click');
      await flushPromises();
      await submitButton(wrapper)!.trigger('click');
      await vi.waitFor(() => expect(router.currentRoute.value.params.outTradeNo).toBe(fresh.outTradeNo));
      const [a, b, c] = posts(calls).map(keyOf);
      expect(b).toBe(a);
      expect(c).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(c).not.toBe(a);
      expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([]);
    });
  });
});

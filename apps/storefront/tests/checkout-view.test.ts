import { flushPromises } from '@vue/test-utils';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN } from '@wxpay-shop/contract';
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { CHECKOUT_KEY_STORAGE_KEY } from '../src/checkout/attempt-key';
import { LAST_ADDRESS_STORAGE_KEY } from '../src/checkout/delivery-address';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import CheckoutView from '../src/views/CheckoutView.vue';
import { resetJssdkForTests } from '../src/wechat/jssdk';
import type { Wx } from '../src/wechat/jssdk-types';
import { mockFetch } from './helpers/fetch-mock';
import { order, product } from './helpers/fixtures';
import { mountView } from './helpers/mount-view';
import { SAMPLE_DELIVERY_ADDRESS as ADDRESS } from '@wxpay-shop/contract/fixtures';

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem(CART_STORAGE_KEY, JSON.stringify([{ productId: product.id, quantity: 10 }]));
  // The address used last time is offered again (the tests below about addresses start without one).
  localStorage.setItem(LAST_ADDRESS_STORAGE_KEY, JSON.stringify(ADDRESS));
});

/** The options of the Area picker's column `index` (0 province, 1 city, 2 district). */
function pickerOptions(index: number): HTMLElement[] {
  const column = document.body.querySelectorAll('.van-picker-column')[index];
  return column ? [...column.querySelectorAll<HTMLElement>('.van-picker-column__item')] : [];
}

async function pickOption(index: number, text: string): Promise<void> {
  const option = pickerOptions(index).find((o) => o.textContent === text);
  if (!option) throw new Error(`no ${text} in picker column ${index}`);
  option.click();
  await flushPromises();
}

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
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({
      items: [{ productId: product.id, quantity: 10 }],
      deliveryAddress: ADDRESS,
    });
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
    await wrapper
      .findAll('button')
      .find((button) => button.text() === '微信登录')!
      .trigger('click');
    expect(replace).toHaveBeenCalledWith('/api/auth/login?returnTo=%2Fcheckout');
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
  });

  describe('Idempotency-Key', () => {
    const posts = (calls: ReturnType<typeof mockFetch>['calls']) =>
      calls.filter((call) => call.method === 'POST' && call.path === '/api/orders');
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
        'POST /api/orders': [
          { networkError: true },
          { status: 502, body: { error: { code: 'UPSTREAM_ERROR', message: 'Bad gateway' } } },
        ],
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
        { items: [{ productId: product.id, quantity: 10 }], deliveryAddress: ADDRESS },
        { items: [{ productId: product.id, quantity: 9 }], deliveryAddress: ADDRESS },
      ]);
      expect(a).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(b).toMatch(IDEMPOTENCY_KEY_PATTERN);
      expect(b).not.toBe(a);
    });

    it('uses a new key for the next checkout after an order was received, even for the same items', async () => {
      const { calls } = mockFetch({
        'GET /api/products': [{ body: { products: [product] } }],
        'POST /api/orders': [
          { status: 201, body: order('PENDING') },
          { status: 201, body: order('PENDING', 'T20261126000002') },
        ],
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
        'POST /api/orders': [
          { status: 403, body: { error: { code: 'FORBIDDEN', message: 'Cross-site request refused' } } },
        ],
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
        'POST /api/orders': [
          { networkError: true },
          { status: 200, body: order('CLOSED') },
          { status: 201, body: fresh },
        ],
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

describe('CheckoutView, the delivery address', () => {
  const IOS_WECHAT =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50';

  beforeEach(() => localStorage.removeItem(LAST_ADDRESS_STORAGE_KEY));

  it('without one, 提交订单 is disabled and says why; the typed form with the region picker fills it', async () => {
    const { calls } = mockFetch({
      'GET /api/products': [{ body: { products: [product] } }],
      'POST /api/orders': [{ status: 201, body: order('PENDING') }],
      [`GET /api/orders/${order('PENDING').outTradeNo}`]: [{ body: order('PENDING') }],
    });
    const { wrapper } = await mountView(CheckoutView, { path: '/checkout', props: {} });
    expect(submitButton(wrapper)!.attributes('disabled')).toBeDefined();
    expect(wrapper.get('#needs-address').text()).toBe('请先选择收货地址');
    expect(submitButton(wrapper)!.attributes('aria-describedby')).toBe('needs-address');
    // Outside WeChat there is no 选择微信收货地址, only the form.
    expect(wrapper.findAll('button').some((b) => b.text() === '选择微信收货地址')).toBe(false);
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '填写收货地址')!
      .trigger('click');
    await wrapper.get('input[name="name"]').setValue('王五');
    await wrapper.get('input[name="mobile"]').setValue('1380013800');
    await wrapper.get('textarea[name="detail"]').setValue('武侯祠大街 231 号');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.text()).toContain('请填写 11 位手机号码');
    expect(wrapper.text()).toContain('请选择省份');

    // 所在地区 opens Vant's Area picker (teleported to the body) on the region data loaded on demand.
    const region = wrapper.get('button[name="region"]');
    expect(region.text()).toBe('请选择省 / 市 / 区');
    await region.trigger('click');
    await vi.waitFor(() => expect(pickerOptions(0).length).toBeGreaterThan(30));
    await pickOption(0, '四川省');
    await pickOption(1, '成都市');
    await pickOption(2, '武侯区');
    document.body.querySelector<HTMLElement>('.van-picker__confirm')!.click();
    await flushPromises();
    expect(region.text()).toBe('四川省 成都市 武侯区');
    expect(wrapper.text()).not.toContain('请选择省份');
    await wrapper.get('input[name="mobile"]').setValue('139 1234 5678');
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    expect(wrapper.get('address').text()).toContain('王五 139****5678');
    expect(submitButton(wrapper)!.attributes('disabled')).toBeUndefined();
    await submitButton(wrapper)!.trigger('click');
    await flushPromises();
    const sent = {
      name: '王五',
      mobile: '13912345678',
      province: '四川省',
      city: '成都市',
      district: '武侯区',
      detail: '武侯祠大街 231 号',
      postalCode: '',
    };
    expect(calls.find((call) => call.method === 'POST')?.body).toMatchObject({ deliveryAddress: sent });
    // Offered again next time, from this browser only.
    expect(JSON.parse(localStorage.getItem(LAST_ADDRESS_STORAGE_KEY)!)).toEqual(sent);
  });

  it('修改地址 opens the picker on the region chosen before; Enter on a focused option chooses it', async () => {
    localStorage.setItem(LAST_ADDRESS_STORAGE_KEY, JSON.stringify(ADDRESS));
    mockFetch({ 'GET /api/products': [{ body: { products: [product] } }] });
    const { wrapper } = await mountView(CheckoutView, { path: '/checkout', props: {} });
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '修改地址')!
      .trigger('click');
    const region = wrapper.get('button[name="region"]');
    expect(region.text()).toBe('广东省 广州市 天河区');
    await region.trigger('click');
    await vi.waitFor(() => expect(pickerOptions(0).length).toBeGreaterThan(30));
    const selected = () =>
      [0, 1, 2].map((i) => pickerOptions(i).find((o) => o.matches('.van-picker-column__item--selected'))?.textContent);
    expect(selected()).toEqual(['广东省', '广州市', '天河区']);

    const option = pickerOptions(2).find((o) => o.textContent === '越秀区')!;
    option.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await flushPromises();
    expect(selected()).toEqual(['广东省', '广州市', '越秀区']);
    document.body.querySelector<HTMLElement>('.van-picker__confirm')!.click();
    await flushPromises();
    expect(region.text()).toBe('广东省 广州市 越秀区');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('address').text()).toContain('广东省广州市越秀区天河路 385 号');
  });

  it('inside WeChat, 选择微信收货地址 opens wx.openAddress and uses the picked address (+86 and spaces dropped)', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(IOS_WECHAT);
    const openAddress = vi.fn((opts: { success: (res: object) => void }) =>
      opts.success({
        errMsg: 'openAddress:ok',
        userName: '李四',
        telNumber: '+86 139-1234-5678',
        provinceName: '广东省',
        cityName: '东莞市',
        countryName: '',
        detailInfo: '南城街道 8 号',
        postalCode: '',
      }),
    );
    const wx = { config: vi.fn(), ready: (fn: () => void) => setTimeout(fn, 0), error: vi.fn(), openAddress };
    window.wx = wx as unknown as Wx;
    onTestFinished(() => {
      delete window.wx;
      resetJssdkForTests();
    });
    const { calls } = mockFetch({
      'GET /api/me': [{ body: { signedIn: true, nickname: '李四', avatarUrl: null } }],
      'GET /api/products': [{ body: { products: [product] } }],
      'GET /api/wechat/js-config': [
        { body: { appId: 'wxd930ea5d5a258f4f', timestamp: 1700000000, nonceStr: 'abc', signature: 'a'.repeat(40) } },
      ],
    });
    const { wrapper } = await mountView(CheckoutView, { path: '/checkout', props: {} });
    const pick = await vi.waitFor(() => {
      const button = wrapper.findAll('button').find((b) => b.text() === '选择微信收货地址');
      if (!button) throw new Error('no 选择微信收货地址 yet');
      return button;
    });
    expect(calls.some((call) => call.path.startsWith('/api/wechat/js-config'))).toBe(true);
    await pick.trigger('click');
    expect(openAddress).toHaveBeenCalledTimes(1);
    expect(wrapper.get('address').text()).toContain('李四 139****5678');
    expect(wrapper.get('address').text()).toContain('广东省东莞市南城街道 8 号');
  });
});

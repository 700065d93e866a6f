import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, type RouteRecordRaw } from 'vue-router';
import { createAppRouter } from '../src/router';
import { routes } from '../src/router/routes';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import type { WeixinBridgeResponse } from '../src/wechat/bridge-types';
import PayView from '../src/views/PayView.vue';
import { gate, mockFetch } from './helpers/fetch-mock';
import { order, payParams, product } from './helpers/fixtures';
import { announcerOf, liveRegions } from './helpers/live-region';
import { mountRoute, mountView } from './helpers/mount-view';

const NO = 'T20261126000001';
const path = `/orders/${NO}/pay`;

function installBridge(...replies: WeixinBridgeResponse[]) {
  const invoke = vi.fn(
    (_api: string, _params: Record<string, unknown>, callback: (res: WeixinBridgeResponse) => void) => {
      callback(replies.shift() ?? { err_msg: 'get_brand_wcpay_request:cancel' });
    },
  );
  window.WeixinJSBridge = { invoke, __emulator: true };
  return invoke;
}

function scriptJsapi() {
  return mockFetch({
    [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
    [`POST /api/orders/${NO}/pay`]: [{ body: { tradeType: 'JSAPI', payParams } }],
  });
}

afterEach(() => {
  delete window.WeixinJSBridge;
});

describe('PayView (JSAPI)', () => {
  it('counts down 剩余 mm:ss 自动关闭 to the unpaid order’s expiry beside the amount', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime('2026-11-26T11:45:30Z'); // the fixture expires at 12:00Z
    scriptJsapi();
    installBridge({ err_msg: 'get_brand_wcpay_request:cancel' });
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();

    expect(wrapper.get('.pay__summary').text()).toMatch(/剩余\s*14:30\s*自动关闭/);
  });

  it('on ok, goes to the result page (which confirms with the BFF)', async () => {
    const { calls } = scriptJsapi();
    const invoke = installBridge({ err_msg: 'get_brand_wcpay_request:ok' });
    const { wrapper, router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();

    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({ tradeType: 'JSAPI' });
    expect(invoke).toHaveBeenCalledWith('getBrandWCPayRequest', payParams, expect.any(Function));
    // The result route's view is lazily imported, so navigation settles asynchronously.
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-result'));
    expect(router.currentRoute.value.params.outTradeNo).toBe(NO);
    expect(wrapper.text()).not.toContain('支付成功');
  });

  it('on cancel, shows 已取消 and 重新支付, which opens the pay sheet again', async () => {
    scriptJsapi();
    const invoke = installBridge(
      { err_msg: 'get_brand_wcpay_request:cancel' },
      { err_msg: 'get_brand_wcpay_request:ok' },
    );
    const { wrapper, router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();

    expect(wrapper.text()).toContain('已取消');
    const retry = wrapper.findAll('button').find((button) => button.text() === '重新支付');
    expect(retry).toBeDefined();
    expect(router.currentRoute.value.name).toBe('order-pay');

    await retry!.trigger('click');
    await flushPromises();
    expect(invoke).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-result'));
  });

  it('on fail, shows err_desc and a retry', async () => {
    scriptJsapi();
    installBridge({ err_msg: 'get_brand_wcpay_request:fail', err_desc: '当前页面的URL未注册' });
    const { wrapper, router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();

    expect(wrapper.text()).toContain('当前页面的URL未注册');
    expect(wrapper.findAll('button').some((button) => button.text() === '重新支付')).toBe(true);
    expect(router.currentRoute.value.name).toBe('order-pay');
  });

  it('shows the BFF error message when the pay request fails', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      [`POST /api/orders/${NO}/pay`]: [
        { status: 409, body: { error: { code: 'CONFLICT', message: '订单已关闭，无法支付' } } },
      ],
    });
    installBridge();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();
    expect(wrapper.text()).toContain('订单已关闭，无法支付');
  });

  it('asks a signed-out WeChat shopper to sign in, in Chinese, when the BFF answers 401', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      [`POST /api/orders/${NO}/pay`]: [
        { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'JSAPI payment needs WeChat sign-in' } } },
      ],
    });
    const invoke = installBridge();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();
    expect(announcerOf(wrapper, '.state--error').text()).toContain('请先使用微信登录');
    expect(wrapper.text()).not.toContain('JSAPI payment');
    expect(wrapper.findAll('button').some((button) => button.text() === '微信登录')).toBe(true);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('does not ask to pay an order that is already closed', async () => {
    const { calls } = mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('CLOSED') }] });
    installBridge();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();
    expect(wrapper.text()).toContain('已关闭');
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
  });
});

describe('PayView, when WeChat closed or paid the order meanwhile (409 from the pay request)', () => {
  const CONFLICT = (message: string) => ({
    status: 409,
    body: { error: { code: 'CONFLICT', message, requestId: 'req-1' } },
  });

  it('re-reads a closed order and says it can no longer be paid, without 重新支付', async () => {
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('CLOSED') }],
      [`POST /api/orders/${NO}/pay`]: [CONFLICT('Order is closed')],
    });
    const invoke = installBridge();
    const { wrapper, router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();

    expect(calls.map((call) => call.method)).toEqual(['GET', 'POST', 'GET']);
    expect(wrapper.get('h2').text()).toBe('已关闭');
    expect(wrapper.text()).toContain('该订单已无法支付');
    expect(wrapper.text()).not.toContain('订单或库存状态已变化');
    expect(wrapper.findAll('button').map((button) => button.text())).not.toContain('重新支付');
    expect(invoke).not.toHaveBeenCalled();
    expect(router.currentRoute.value.name).toBe('order-pay');
  });

  it('goes to the result page for an order paid meanwhile', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('PAID') }],
      [`POST /api/orders/${NO}/pay`]: [CONFLICT('Order is already paid')],
    });
    const invoke = installBridge();
    const { router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-result'));
    expect(invoke).not.toHaveBeenCalled();
  });

  it('shows the 409 with 重新支付 and a way to my orders when the order cannot be re-read', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [
        { body: order('PENDING') },
        { status: 503, body: { error: { code: 'INTERNAL', message: 'down' } } },
      ],
      [`POST /api/orders/${NO}/pay`]: [CONFLICT('Order changed while preparing payment')],
    });
    installBridge();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();

    const alert = announcerOf(wrapper, '.state--error');
    expect(alert.text()).toContain('订单或库存状态已变化');
    expect(alert.text()).toContain('req-1');
    expect(alert.findAll('button').map((button) => button.text())).toContain('重新支付');
    expect(alert.get('a[href="/orders"]').text()).toBe('查看我的订单');
  });
});

describe('PayView, when the BFF refuses to pay an order that is still PENDING (409, e.g. close to expiry)', () => {
  const NEAR_EXPIRY = {
    status: 409,
    body: { error: { code: 'CONFLICT', message: '订单即将过期，无法发起支付，请重新下单', requestId: 'req-2' } },
  };

  beforeEach(() => {
    localStorage.clear();
  });

  it('shows the BFF message with 重新下单, not 重新支付, which puts the order back in the cart with its quantities', async () => {
    // The cart was emptied at checkout; since then the shopper put 5 of the same tea and another product in it.
    localStorage.setItem(
      CART_STORAGE_KEY,
      JSON.stringify([
        { productId: 'p-other', quantity: 1 },
        { productId: product.id, quantity: 5 },
      ]),
    );
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      [`POST /api/orders/${NO}/pay`]: [NEAR_EXPIRY],
    });
    const invoke = installBridge();
    const { wrapper, router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();

    expect(calls.map((call) => call.method)).toEqual(['GET', 'POST', 'GET']);
    const alert = announcerOf(wrapper, '.state--error');
    expect(alert.text()).toContain('订单即将过期，无法发起支付，请重新下单');
    expect(alert.text()).toContain('req-2');
    const buttons = alert.findAll('button').map((button) => button.text());
    expect(buttons).toContain('重新下单');
    expect(buttons).not.toContain('重新支付');
    expect(invoke).not.toHaveBeenCalled();

    await alert
      .findAll('button')
      .find((button) => button.text() === '重新下单')!
      .trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cart'));
    expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([
      { productId: 'p-other', quantity: 1 },
      { productId: product.id, quantity: 2 },
    ]);
    // Nothing more was asked of the BFF: the cart re-reads stock and prices itself.
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(1);
  });

  it('once the order is closed (the same order a minute later), still offers 重新下单 as its copy says, with 返回首页', async () => {
    mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('CLOSED') }] });
    installBridge();
    const { wrapper, router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();

    expect(wrapper.get('h2').text()).toBe('已关闭');
    expect(wrapper.text()).toContain('请重新下单');
    expect(wrapper.get('a[href="/"]').text()).toBe('返回首页');
    await wrapper
      .findAll('button')
      .find((button) => button.text() === '重新下单')!
      .trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cart'));
    expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([{ productId: product.id, quantity: 2 }]);
  });
});

describe('PayView for an order that does not exist (404)', () => {
  it('offers 我的订单 and 返回首页 instead of a 重新支付 that cannot help', async () => {
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ status: 404, body: { error: { code: 'NOT_FOUND', message: 'Order not found' } } }],
    });
    installBridge();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();

    const alert = announcerOf(wrapper, '.state--error');
    expect(alert.text()).toContain('没有找到相关内容');
    expect(alert.findAll('button').map((button) => button.text())).not.toContain('重新支付');
    expect(alert.get('a[href="/orders"]').text()).toBe('查看我的订单');
    expect(alert.get('a[href="/"]').text()).toBe('返回首页');
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
  });
});

describe('PayView, when the result page fails to load after the pay sheet said ok', () => {
  const resultRoute = `/orders/${NO}/result`;

  it('says the payment is being confirmed, never 无法发起支付, and its link reaches the result once the page loads', async () => {
    scriptJsapi();
    installBridge({ err_msg: 'get_brand_wcpay_request:ok' });
    const router = createAppRouter(createMemoryHistory());
    const resultView = routes.find((route) => route.name === 'order-result')!;
    // Same name: replaces the route, as if the BFF were down when its chunk is fetched.
    router.addRoute({
      ...resultView,
      component: () =>
        Promise.reject(
          new TypeError(`Failed to fetch dynamically imported module: http://shop.test/assets/ResultView-x.js`),
        ),
    } as RouteRecordRaw);
    await router.push(path);
    const wrapper = mount(PayView, { props: { outTradeNo: NO }, global: { plugins: [createPinia(), router] } });
    await flushPromises();
    await vi.waitFor(() => expect(wrapper.text()).toContain('正在确认支付结果'));

    expect(router.currentRoute.value.name).toBe('order-pay');
    expect(wrapper.text()).not.toContain('无法发起支付');
    expect(wrapper.findAll('button').map((button) => button.text())).not.toContain('重新支付');
    const link = wrapper.get(`a[href="${resultRoute}"]`);
    expect(link.text()).toBe('查看支付结果');

    router.addRoute({ ...resultView, component: { render: () => null } } as RouteRecordRaw);
    await link.trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(resultRoute));
  });
});

describe('PayView, what screen readers hear', () => {
  it('reads 正在准备支付 and then the error through one region that stays mounted, with no live region inside it', async () => {
    const payAnswer = gate();
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      [`POST /api/orders/${NO}/pay`]: [
        {
          status: 503,
          body: { error: { code: 'INTERNAL', message: 'down', requestId: 'req-7' } },
          until: payAnswer.promise,
        },
      ],
    });
    installBridge();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    const [region, ...others] = liveRegions(wrapper);
    expect(others).toEqual([]);
    expect(region!.text()).toContain('正在准备支付');

    payAnswer.open();
    await flushPromises();
    expect(announcerOf(wrapper, '.state--error').element).toBe(region!.element);
    expect(region!.text()).toContain('无法发起支付');
    expect(region!.text()).toContain('req-7');
    expect(liveRegions(wrapper)).toHaveLength(1);
  });
});

describe('PayView order summary', () => {
  it("holds the summary card's place with a blank placeholder while the order loads, then shows the order in it", async () => {
    const orderAnswer = gate();
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING'), until: orderAnswer.promise }],
      [`POST /api/orders/${NO}/pay`]: [
        { body: { tradeType: 'NATIVE', codeUrl: 'weixin://wxpay/bizpayurl?pr=abc123' } },
      ],
    });
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    // The card's slot, above the status, is taken from the start: nothing moves when the order arrives.
    const slot = () => wrapper.get('h1 + .pay__summary');
    expect(slot().classes()).toContain('pay__summary--placeholder');
    expect(slot().attributes('aria-hidden')).toBe('true');
    expect(slot().text()).toBe('');
    expect(wrapper.text()).toContain('正在准备支付');

    orderAnswer.open();
    await flushPromises();
    expect(wrapper.find('.pay__summary--placeholder').exists()).toBe(false);
    expect(wrapper.findAll('.pay__summary')).toHaveLength(1);
    expect(slot().attributes('aria-hidden')).toBeUndefined();
    expect(slot().text()).toContain(`订单号 ${NO}`);
    expect(slot().text()).toContain('¥256.00');
  });

  it('leaves no placeholder behind when the order cannot be read', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ status: 404, body: { error: { code: 'NOT_FOUND', message: '订单不存在' } } }],
    });
    installBridge();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();
    expect(announcerOf(wrapper, '.state--error').text()).toContain('订单不存在');
    expect(wrapper.find('.pay__summary').exists()).toBe(false);
  });
});

describe('PayView (JSAPI, bridge not injected yet)', () => {
  const WECHAT_UA =
    'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.51.2720(0x28003336)';

  beforeEach(() => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(WECHAT_UA);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens the pay sheet once WeixinJSBridgeReady fires', async () => {
    scriptJsapi();
    const { wrapper, router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();
    expect(wrapper.text()).toContain('正在调起微信支付');

    await vi.advanceTimersByTimeAsync(1000);
    const invoke = installBridge({ err_msg: 'get_brand_wcpay_request:ok' });
    document.dispatchEvent(new Event('WeixinJSBridgeReady'));
    await flushPromises();
    expect(invoke).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-result'));
  });

  it('reads the outcome out through the live region that showed 正在调起微信支付', async () => {
    scriptJsapi();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();
    const region = wrapper.get('[aria-live="polite"]').element;
    expect(region.textContent).toContain('正在调起微信支付');

    installBridge({ err_msg: 'get_brand_wcpay_request:cancel' });
    document.dispatchEvent(new Event('WeixinJSBridgeReady'));
    await flushPromises();
    expect(wrapper.element.contains(region)).toBe(true);
    expect(region.textContent).toContain('已取消');
  });

  it('says the WeChat pay environment is missing after the timeout, with 重新支付', async () => {
    scriptJsapi();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();
    await vi.advanceTimersByTimeAsync(5000);
    await flushPromises();
    expect(announcerOf(wrapper, '.state--error').text()).toContain('未检测到微信支付环境，请在微信中打开');
    expect(wrapper.findAll('button').some((button) => button.text() === '重新支付')).toBe(true);
  });

  it('does not open the pay sheet if the shopper left before the bridge arrived', async () => {
    scriptJsapi();
    const { wrapper } = await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();
    wrapper.unmount();

    const invoke = installBridge({ err_msg: 'get_brand_wcpay_request:ok' });
    document.dispatchEvent(new Event('WeixinJSBridgeReady'));
    await flushPromises();
    expect(invoke).not.toHaveBeenCalled();
  });
});

describe('PayView (NATIVE, outside WeChat)', () => {
  it('renders the QR code and moves to the result page once the order is PAID', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { calls } = mockFetch({
        [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('PENDING') }, { body: order('PAID') }],
        [`POST /api/orders/${NO}/pay`]: [
          { body: { tradeType: 'NATIVE', codeUrl: 'weixin://wxpay/bizpayurl?pr=abc123' } },
        ],
      });
      const { wrapper, router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
      await flushPromises();

      expect(calls.find((call) => call.method === 'POST')?.body).toEqual({ tradeType: 'NATIVE' });
      await vi.waitFor(() => expect(wrapper.find('img[alt^="微信支付二维码"]').exists()).toBe(true));
      const hint = wrapper.find('a[href*="/native?code_url="]');
      expect(hint.attributes('href')).toBe(
        `http://localhost:4000/native?code_url=${encodeURIComponent('weixin://wxpay/bizpayurl?pr=abc123')}`,
      );

      await vi.advanceTimersByTimeAsync(1000);
      await flushPromises();
      await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-result'));
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows a fatal polling error as final, with a retry, instead of "正在重试"', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { calls } = mockFetch({
        [`GET /api/orders/${NO}`]: [
          { body: order('PENDING') },
          // The session ended meanwhile: polling cannot fix that, paying again (after signing in) can.
          { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: '登录已过期，请重新登录' } } },
          { body: order('PENDING') },
        ],
        [`POST /api/orders/${NO}/pay`]: [
          { body: { tradeType: 'NATIVE', codeUrl: 'weixin://wxpay/bizpayurl?pr=abc123' } },
        ],
      });
      const { wrapper, router } = await mountView(PayView, { path, props: { outTradeNo: NO } });
      await flushPromises();
      await vi.advanceTimersByTimeAsync(0);
      await flushPromises();

      await vi.waitFor(() => expect(announcerOf(wrapper, '.state--error').text()).toContain('登录已过期，请重新登录'));
      expect(wrapper.text()).not.toContain('正在重试');
      expect(wrapper.find('img[alt^="微信支付二维码"]').exists()).toBe(false);
      // Nothing polls any more.
      const gets = calls.filter((call) => call.method === 'GET').length;
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls.filter((call) => call.method === 'GET').length).toBe(gets);
      expect(router.currentRoute.value.name).toBe('order-pay');

      const retry = wrapper.findAll('button').find((button) => button.text() === '重新支付');
      expect(retry).toBeDefined();
      await retry!.trigger('click');
      await flushPromises();
      await vi.waitFor(() => expect(wrapper.find('img[alt^="微信支付二维码"]').exists()).toBe(true));
      expect(calls.filter((call) => call.method === 'POST')).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('PayView, when only :outTradeNo changes (the router reuses the view)', () => {
  const OTHER = 'T20261126000002';
  const otherPath = `/orders/${OTHER}/pay`;
  const gets = (calls: { method: string; path: string }[], no: string) =>
    calls.filter((call) => call.method === 'GET' && call.path === `/api/orders/${no}`).length;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('NATIVE: stops polling the previous order, clears its QR code and summary, and pays the new one', async () => {
    const otherOrder = gate();
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('PENDING') }, { body: order('PAID') }],
      [`POST /api/orders/${NO}/pay`]: [{ body: { tradeType: 'NATIVE', codeUrl: 'weixin://wxpay/bizpayurl?pr=first' } }],
      [`GET /api/orders/${OTHER}`]: [
        { body: { ...order('PENDING', OTHER), totalFen: 990 }, until: otherOrder.promise },
      ],
      [`POST /api/orders/${OTHER}/pay`]: [
        { body: { tradeType: 'NATIVE', codeUrl: 'weixin://wxpay/bizpayurl?pr=second' } },
      ],
    });
    const { wrapper, router } = await mountRoute(path);
    await vi.waitFor(() => expect(wrapper.find('img[alt^="微信支付二维码"]').exists()).toBe(true));
    expect(wrapper.text()).toContain(`订单号 ${NO}`);

    await router.push(otherPath);
    await flushPromises();
    expect(wrapper.text()).toContain('正在准备支付');
    expect(wrapper.text()).not.toContain(NO);
    expect(wrapper.text()).not.toContain('¥256.00');
    expect(wrapper.find('img[alt^="微信支付二维码"]').exists()).toBe(false);

    otherOrder.open();
    await flushPromises();
    await vi.waitFor(() => expect(wrapper.find('img[alt^="微信支付二维码"]').exists()).toBe(true));
    expect(wrapper.text()).toContain(`订单号 ${OTHER}`);
    expect(wrapper.text()).toContain('¥9.90');
    expect(wrapper.find('a[href*="/native?code_url="]').attributes('href')).toContain(encodeURIComponent('pr=second'));

    // The first order would answer PAID now, but nobody asks any more: no jump to its result.
    const firstGets = gets(calls, NO);
    await vi.advanceTimersByTimeAsync(10_000);
    await flushPromises();
    expect(gets(calls, NO)).toBe(firstGets);
    expect(gets(calls, OTHER)).toBeGreaterThan(1);
    expect(router.currentRoute.value.fullPath).toBe(otherPath);
  });

  it("aborts the previous order's request and ignores its late answer (no jump to its result)", async () => {
    const firstOrder = gate();
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PAID'), until: firstOrder.promise }],
      [`GET /api/orders/${OTHER}`]: [{ body: order('CLOSED', OTHER) }],
    });
    installBridge();
    const { wrapper, router } = await mountRoute(path);
    const inFlight = calls[0]!;

    await router.push(otherPath);
    await flushPromises();
    expect(inFlight.signal?.aborted).toBe(true);
    expect(wrapper.text()).toContain('已关闭');

    firstOrder.open();
    await flushPromises();
    await vi.advanceTimersByTimeAsync(1000);
    await flushPromises();
    expect(router.currentRoute.value.fullPath).toBe(otherPath);
    expect(wrapper.text()).toContain('已关闭');
    expect(wrapper.text()).toContain(`订单号 ${OTHER}`);
  });

  it('JSAPI: waits for the bridge for the new order only, then opens one pay sheet with its params', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(
      'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.51.2720(0x28003336)',
    );
    const otherParams = { ...payParams, package: 'prepay_id=wx-second' };
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      [`POST /api/orders/${NO}/pay`]: [{ body: { tradeType: 'JSAPI', payParams } }],
      [`GET /api/orders/${OTHER}`]: [{ body: order('PENDING', OTHER) }],
      [`POST /api/orders/${OTHER}/pay`]: [{ body: { tradeType: 'JSAPI', payParams: otherParams } }],
    });
    const { wrapper, router } = await mountRoute(path);
    expect(wrapper.text()).toContain('正在调起微信支付');
    expect(vi.getTimerCount()).toBe(1); // waiting for WeixinJSBridge

    await router.push(otherPath);
    await flushPromises();
    // Only the new order waits for the bridge; the old wait was cancelled, not left to time out.
    expect(vi.getTimerCount()).toBe(1);

    const callbacks: ((res: WeixinBridgeResponse) => void)[] = [];
    const invoke = vi.fn(
      (_api: string, _params: Record<string, unknown>, callback: (res: WeixinBridgeResponse) => void) => {
        callbacks.push(callback);
      },
    );
    window.WeixinJSBridge = { invoke, __emulator: true };
    document.dispatchEvent(new Event('WeixinJSBridgeReady'));
    await flushPromises();
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(invoke).toHaveBeenCalledWith('getBrandWCPayRequest', otherParams, expect.any(Function));

    callbacks[0]!({ err_msg: 'get_brand_wcpay_request:ok' });
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-result'));
    expect(router.currentRoute.value.params.outTradeNo).toBe(OTHER);
  });

  it('ignores a pay sheet outcome for the previous order that arrives after the switch', async () => {
    const callbacks: ((res: WeixinBridgeResponse) => void)[] = [];
    const invoke = vi.fn(
      (_api: string, _params: Record<string, unknown>, callback: (res: WeixinBridgeResponse) => void) => {
        callbacks.push(callback);
      },
    );
    window.WeixinJSBridge = { invoke, __emulator: true };
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      [`POST /api/orders/${NO}/pay`]: [{ body: { tradeType: 'JSAPI', payParams } }],
      [`GET /api/orders/${OTHER}`]: [{ body: order('PENDING', OTHER) }],
      [`POST /api/orders/${OTHER}/pay`]: [{ body: { tradeType: 'JSAPI', payParams } }],
    });
    const { wrapper, router } = await mountRoute(path);
    expect(invoke).toHaveBeenCalledTimes(1);

    await router.push(otherPath);
    await flushPromises();
    expect(invoke).toHaveBeenCalledTimes(2);

    callbacks[0]!({ err_msg: 'get_brand_wcpay_request:ok' });
    await flushPromises();
    await vi.advanceTimersByTimeAsync(1000);
    expect(router.currentRoute.value.fullPath).toBe(otherPath);
    expect(wrapper.text()).toContain('正在调起微信支付');
    expect(wrapper.text()).toContain(`订单号 ${OTHER}`);
  });
});

describe('PayView (H5, a phone browser outside WeChat)', () => {
  const IPHONE =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1';
  const H5_URL = 'http://localhost:4000/h5/checkmweb?prepay_id=wx1&package=123';
  let left: Array<{ href: string; referrerPolicy: string }>;
  beforeEach(() => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(IPHONE);
    left = [];
    // jsdom does not navigate: record where the link would have taken the browser.
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      left.push({ href: this.href, referrerPolicy: this.referrerPolicy });
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('asks for H5 and leaves for the H5 URL with redirect_url back here, sending the shop as Referer', async () => {
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      [`POST /api/orders/${NO}/pay`]: [{ body: { tradeType: 'H5', h5Url: H5_URL } }],
    });
    await mountView(PayView, { path, props: { outTradeNo: NO } });
    await flushPromises();
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({ tradeType: 'H5' });
    const back = `${window.location.origin}/orders/${NO}/pay?h5=return`;
    expect(left).toEqual([{ href: `${H5_URL}&redirect_url=${encodeURIComponent(back)}`, referrerPolicy: 'origin' }]);
  });

  it('back from H5: asks 是否已完成支付 without paying again; 已完成 goes to the result page, which confirms', async () => {
    const { calls } = mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }] });
    const { wrapper, router } = await mountView(PayView, { path: `${path}?h5=return`, props: { outTradeNo: NO } });
    await flushPromises();
    expect(wrapper.text()).toContain('是否已完成支付');
    expect(wrapper.text()).not.toContain('支付成功');
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '已完成')!
      .trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-result'));
  });

  it('back from H5: 遇到问题，重新支付 asks for a fresh H5 URL and leaves again', async () => {
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('PENDING') }],
      [`POST /api/orders/${NO}/pay`]: [{ body: { tradeType: 'H5', h5Url: H5_URL } }],
    });
    const { wrapper, router } = await mountView(PayView, { path: `${path}?h5=return`, props: { outTradeNo: NO } });
    await flushPromises();
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '遇到问题，重新支付')!
      .trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.query).toEqual({});
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(1);
    expect(left).toHaveLength(1);
  });

  it('back from H5 with the order already PAID: still asks first, as WeChat’s H5 guidelines want', async () => {
    mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('PAID') }] });
    const { wrapper, router } = await mountView(PayView, { path: `${path}?h5=return`, props: { outTradeNo: NO } });
    await flushPromises();
    expect(wrapper.text()).toContain('是否已完成支付');
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '已完成')!
      .trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('order-result'));
  });

  it('back from H5 with the order closed meanwhile: says it can no longer be paid', async () => {
    mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('CLOSED') }] });
    const { wrapper } = await mountView(PayView, { path: `${path}?h5=return`, props: { outTradeNo: NO } });
    await flushPromises();
    expect(wrapper.text()).not.toContain('是否已完成支付');
    expect(wrapper.text()).toContain('重新下单');
  });
});

import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import ResultView from '../src/views/ResultView.vue';
import { gate, mockFetch } from './helpers/fetch-mock';
import { order } from './helpers/fixtures';
import { announcerOf, liveRegions } from './helpers/live-region';
import { mountRoute, mountView } from './helpers/mount-view';

const NO = 'T20261126000001';
const path = `/orders/${NO}/result`;

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await flushPromises();
}

beforeEach(() => {
  // Fake only timers and Date so flushPromises (setImmediate) keeps working.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ResultView', () => {
  it('shows 确认中, never 支付成功, until the BFF says PAID', async () => {
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('PENDING') }, { body: order('PAID') }],
    });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });

    expect(calls).toHaveLength(1);
    expect(wrapper.text()).toContain('确认中');
    expect(wrapper.text()).not.toContain('支付成功');
    expect(wrapper.find('.result__mark').exists()).toBe(false);

    await advance(500);
    expect(calls).toHaveLength(2);
    expect(wrapper.text()).toContain('确认中');
    expect(wrapper.text()).not.toContain('支付成功');

    await advance(749);
    expect(calls).toHaveLength(2);
    expect(wrapper.text()).not.toContain('支付成功');

    await advance(1);
    expect(calls).toHaveLength(3);
    expect(wrapper.text()).toContain('支付成功');
    expect(wrapper.text()).not.toContain('确认中');
    expect(wrapper.text()).toContain('¥256.00');
    // The success mark, a picture only: the heading says it.
    expect(wrapper.get('svg.result__mark').attributes('aria-hidden')).toBe('true');

    // Settled: no more polling.
    await advance(30_000);
    expect(calls).toHaveLength(3);
  });

  it('announces 确认中 → 支付成功 through one live region that stays mounted', async () => {
    mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('PAID') }] });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    const region = wrapper.get('[aria-live="polite"]').element;
    expect(region.textContent).toContain('确认中');

    await advance(500);
    expect(wrapper.element.contains(region)).toBe(true);
    expect(region.textContent).toContain('支付成功');
  });

  it('reads a final error through that same region, which holds no live region of its own', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [
        { status: 502, body: { error: { code: 'UPSTREAM_ERROR', message: '微信支付繁忙' } } },
        { status: 404, body: { error: { code: 'NOT_FOUND', message: '订单不存在', requestId: 'req-404' } } },
      ],
    });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    const [region, ...others] = liveRegions(wrapper);
    expect(others).toEqual([]);
    expect(region!.text()).toContain('确认中');

    await advance(500);
    expect(announcerOf(wrapper, '.state--error').element).toBe(region!.element);
    expect(region!.text()).toContain('无法查询订单');
    expect(region!.text()).toContain('req-404');
    expect(liveRegions(wrapper)).toHaveLength(1);
  });

  it('shows 已关闭 for a CLOSED order', async () => {
    mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('CLOSED') }] });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(wrapper.text()).toContain('已关闭');
    expect(wrapper.text()).not.toContain('支付成功');
  });

  it('shows 支付失败 for a FAILED order', async () => {
    mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('FAILED') }] });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(wrapper.text()).toContain('支付失败');
  });

  it('keeps polling through transient errors', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [
        { status: 502, body: { error: { code: 'UPSTREAM_ERROR', message: '微信支付繁忙' } } },
        { body: order('PAID') },
      ],
    });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(wrapper.text()).toContain('确认中');
    await advance(500);
    expect(wrapper.text()).toContain('支付成功');
  });

  it('gives up after about a minute with a manual refresh', async () => {
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('PENDING') }],
    });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    await advance(61_000);
    expect(wrapper.text()).toContain('仍在确认，请稍后在我的订单中查看');
    expect(wrapper.text()).not.toContain('支付成功');

    const polled = calls.length;
    const refresh = wrapper.findAll('button').find((button) => button.text() === '刷新');
    expect(refresh).toBeDefined();
    await refresh!.trigger('click');
    await flushPromises();
    expect(calls.length).toBe(polled + 1);
    expect(wrapper.text()).toContain('确认中');
  });

  it('does not spin forever on a request that hangs: each is cut short, and the minute ends the one in flight', async () => {
    const { calls } = mockFetch({ [`GET /api/orders/${NO}`]: [{ hang: true }] });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    // Polls give up on an answer after 8 s and try again.
    await advance(8000);
    expect(calls[0]!.signal?.aborted).toBe(true);
    expect(wrapper.text()).toContain('查询暂时失败，正在重试');

    await advance(52_000);
    expect(calls.at(-1)!.signal?.aborted).toBe(true);
    expect(wrapper.text()).toContain('仍在确认，请稍后在我的订单中查看');
    expect(wrapper.find('.spinner').exists()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shows the BFF error for an unknown order', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ status: 404, body: { error: { code: 'NOT_FOUND', message: '订单不存在' } } }],
    });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(wrapper.text()).toContain('订单不存在');
  });

  it('offers 我的订单 instead of a 重试 that cannot help for an unknown order, and keeps 重试 for a server error', async () => {
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ status: 404, body: { error: { code: 'NOT_FOUND', message: '订单不存在' } } }],
    });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    const alert = announcerOf(wrapper, '.state--error');
    expect(alert.text()).toContain('订单不存在');
    expect(alert.findAll('button').map((button) => button.text())).not.toContain('重试');
    expect(alert.get('a[href="/orders"]').text()).toBe('我的订单');
    expect(calls).toHaveLength(1);

    // Another shopper's order (403) is just as final.
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Not your order' } } }],
    });
    const foreign = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(foreign.wrapper.findAll('button').map((button) => button.text())).not.toContain('重试');
    expect(announcerOf(foreign.wrapper, '.state--error').get('a[href="/orders"]').text()).toBe('我的订单');

    // A malformed request (400) also stops polling, but reloading the page may fix it: 重试 stays.
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ status: 400, body: { error: { code: 'BAD_REQUEST', message: 'bad' } } }],
    });
    const bad = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(
      announcerOf(bad.wrapper, '.state--error')
        .findAll('button')
        .map((button) => button.text()),
    ).toContain('重试');
    expect(bad.wrapper.find('a[href="/orders"]').exists()).toBe(false);
  });

  it('while REFUNDING, says the refund is in progress instead of 已退款 ¥0.00', async () => {
    mockFetch({ [`GET /api/orders/${NO}`]: [{ body: { ...order('REFUNDING'), refundedFen: 0 } }] });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(wrapper.get('h1').text()).toBe('退款中');
    expect(wrapper.text()).toContain('退款处理中');
    expect(wrapper.text()).toContain('订单金额 ¥256.00');
    expect(wrapper.text()).not.toContain('已退款 ¥0.00');
  });

  it('shows the refunded amount of a REFUNDED order, and of a partly refunded PAID one', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: { ...order('REFUNDED'), refundedFen: 25_600 } }],
      [`GET /api/orders/T2`]: [{ body: { ...order('PAID', 'T2'), refundedFen: 1_000 } }],
    });
    const refunded = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(refunded.wrapper.get('h1').text()).toBe('已退款');
    expect(refunded.wrapper.text()).toContain('已退款 ¥256.00');

    const partly = await mountView(ResultView, { path: '/orders/T2/result', props: { outTradeNo: 'T2' } });
    expect(partly.wrapper.get('h1').text()).toBe('支付成功');
    expect(partly.wrapper.text()).toContain('其中已退款 ¥10.00');
  });

  it.each([
    ['PENDING', '确认中'],
    ['PAID', '支付成功'],
    ['CLOSED', '已关闭'],
    ['FAILED', '支付失败'],
    ['REFUNDING', '退款中'],
  ] as const)('titles a %s order with one h1, %s', async (status, title) => {
    mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order(status) }] });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(wrapper.findAll('h1').map((h1) => h1.text())).toEqual([title]);
  });

  describe('when only :outTradeNo changes (the router reuses the view)', () => {
    const OTHER = 'T20261126000002';
    const gets = (calls: { method: string; path: string }[], no: string) =>
      calls.filter((call) => call.method === 'GET' && call.path === `/api/orders/${no}`).length;

    it("never shows the previous order's 支付成功 while the next one is confirmed", async () => {
      const otherAnswer = gate();
      mockFetch({
        [`GET /api/orders/${NO}`]: [{ body: order('PAID') }],
        [`GET /api/orders/${OTHER}`]: [
          { body: order('PENDING', OTHER), until: otherAnswer.promise },
          { body: order('PAID', OTHER) },
        ],
      });
      const { wrapper, router } = await mountRoute(path);
      expect(wrapper.text()).toContain('支付成功');
      expect(wrapper.text()).toContain(`订单号 ${NO}`);

      await router.push(`/orders/${OTHER}/result`);
      await flushPromises();
      expect(wrapper.text()).toContain('确认中');
      expect(wrapper.text()).not.toContain('支付成功');
      expect(wrapper.text()).not.toContain(NO);

      otherAnswer.open();
      await flushPromises();
      expect(wrapper.text()).toContain('确认中');
      await advance(500);
      expect(wrapper.text()).toContain('支付成功');
      expect(wrapper.text()).toContain(`订单号 ${OTHER}`);
      expect(wrapper.text()).not.toContain(NO);
    });

    it("stops the previous order's polling and ignores its late answer", async () => {
      const lateAnswer = gate();
      const { calls } = mockFetch({
        // NO is still PENDING; its second query is in flight when the shopper moves on,
        // and then answers PAID anyway.
        [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('PAID'), until: lateAnswer.promise }],
        [`GET /api/orders/${OTHER}`]: [{ body: order('PENDING', OTHER) }],
      });
      const { wrapper, router } = await mountRoute(path);
      await advance(500);
      expect(gets(calls, NO)).toBe(2);
      const inFlight = calls.at(-1)!;

      await router.push(`/orders/${OTHER}/result`);
      await flushPromises();
      expect(inFlight.signal?.aborted).toBe(true);
      lateAnswer.open();
      await flushPromises();
      expect(wrapper.text()).toContain('确认中');
      expect(wrapper.text()).not.toContain('支付成功');

      // Only the new order is polled from now on, on its own schedule.
      await advance(30_000);
      expect(gets(calls, NO)).toBe(2);
      expect(gets(calls, OTHER)).toBeGreaterThan(1);
      expect(wrapper.text()).not.toContain('支付成功');
    });

    it('follows back and forward between two orders, each with its own status', async () => {
      mockFetch({
        [`GET /api/orders/${NO}`]: [{ body: order('PAID') }],
        [`GET /api/orders/${OTHER}`]: [{ body: order('CLOSED', OTHER) }],
      });
      const { wrapper, router } = await mountRoute(path);
      expect(wrapper.text()).toContain('支付成功');

      await router.push(`/orders/${OTHER}/result`);
      await flushPromises();
      expect(wrapper.text()).toContain('已关闭');
      expect(wrapper.text()).not.toContain('支付成功');

      router.back();
      await vi.waitFor(() => expect(wrapper.text()).toContain(`订单号 ${NO}`));
      expect(wrapper.text()).toContain('支付成功');

      router.forward();
      await vi.waitFor(() => expect(wrapper.text()).toContain('已关闭'));
      expect(wrapper.text()).not.toContain('支付成功');
    });
  });
});

import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import ResultView from '../src/views/ResultView.vue';
import { mockFetch } from './helpers/fetch-mock';
import { order } from './helpers/fixtures';
import { mountView } from './helpers/mount-view';

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
    const { calls } = mockFetch({ [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }, { body: order('PENDING') }] });
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

  it('shows the BFF error for an unknown order', async () => {
    mockFetch({ [`GET /api/orders/${NO}`]: [{ status: 404, body: { error: { code: 'NOT_FOUND', message: '订单不存在' } } }] });
    const { wrapper } = await mountView(ResultView, { path, props: { outTradeNo: NO } });
    expect(wrapper.text()).toContain('订单不存在');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import { mockFetch } from './helpers/fetch-mock';
import { order, product } from './helpers/fixtures';
import { mountRoute } from './helpers/mount-view';

beforeEach(() => {
  localStorage.clear();
  // The fixtures' orders expire at 12:00Z.
  vi.useFakeTimers({ toFake: ['Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('my orders, an unpaid order past its expiry', () => {
  it('is shown as 已过期 without 去支付 (the BFF refuses to pay it), and 重新下单 puts its items back in the cart', async () => {
    vi.setSystemTime('2026-11-26T12:00:01Z');
    const open = { ...order('PENDING', 'T-open'), expiresAt: '2026-11-26T12:30:00.000Z' };
    mockFetch({
      'GET /api/orders': [{ body: { orders: [order('PENDING', 'T-late'), open] } }],
      'GET /api/products': [{ body: { products: [product] } }],
    });
    const { wrapper, router } = await mountRoute('/orders');
    const card = (no: string) => wrapper.get(`[data-order="${no}"]`);

    expect(card('T-late').get('.tag').text()).toBe('已过期');
    expect(card('T-late').find('a[href="/orders/T-late/pay"]').exists()).toBe(false);
    expect(card('T-open').get('.tag').text()).toBe('待付款');
    expect(card('T-open').get('a[href="/orders/T-open/pay"]').text()).toBe('去支付');

    const again = card('T-late')
      .findAll('button')
      .find((button) => button.text() === '重新下单');
    expect(again).toBeDefined();
    await again!.trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cart'));
    expect(JSON.parse(localStorage.getItem(CART_STORAGE_KEY)!)).toEqual([{ productId: product.id, quantity: 2 }]);
  });
});

describe('my orders, signed out inside WeChat (after 退出登录 or a declined sign-in)', () => {
  it('asks to sign in with 微信登录 (back to my orders) rather than saying 还没有订单', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(
      'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.51.2720(0x28003336)',
    );
    history.replaceState(null, '', '/orders');
    const replace = vi.spyOn(window.location, 'replace').mockImplementation(() => {});
    // The BFF lists no orders without a session.
    mockFetch({ 'GET /api/orders': [{ body: { orders: [] } }] });
    const { wrapper } = await mountRoute('/orders');

    expect(wrapper.text()).toContain('请先使用微信登录，再查看订单');
    expect(wrapper.text()).not.toContain('还没有订单');
    expect(wrapper.findAll('button').map((button) => button.text())).toEqual(['微信登录']);
    await wrapper.get('button').trigger('click');
    expect(replace).toHaveBeenCalledWith('/api/auth/login?returnTo=%2Forders');
  });
});

describe('my orders, the delivery address', () => {
  it('is shown with a masked mobile and the region once; orders without one show none', async () => {
    vi.setSystemTime('2026-11-26T11:00:00Z');
    const address = {
      name: '<b>李四</b>',
      mobile: '13912345678',
      province: '北京市',
      city: '北京市',
      district: '东城区',
      detail: '王府井大街 1 号',
      postalCode: '100010',
    };
    mockFetch({
      'GET /api/orders': [
        { body: { orders: [{ ...order('PAID', 'T-addr'), deliveryAddress: address }, order('PAID', 'T-none')] } },
      ],
    });
    const { wrapper } = await mountRoute('/orders');
    const shown = wrapper.get('[data-order="T-addr"] address');
    expect(shown.text()).toContain('<b>李四</b> 139****5678');
    expect(shown.text()).toContain('北京市东城区王府井大街 1 号');
    expect(shown.html()).not.toContain('<b>');
    expect(wrapper.find('[data-order="T-none"] address').exists()).toBe(false);
  });
});

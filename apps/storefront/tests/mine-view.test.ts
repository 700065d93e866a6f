import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import type { SignedInMe } from '../src/auth/bootstrap';
import { createAppRouter } from '../src/router';
import { useSessionStore } from '../src/stores/session';
import { useShopStore } from '../src/stores/shop';
import MineView from '../src/views/MineView.vue';
import { mockFetch } from './helpers/fetch-mock';
import { order } from './helpers/fixtures';

const PATH = '/mine';

function signedIn(overrides: Partial<SignedInMe> = {}): SignedInMe {
  return { signedIn: true, openid: 'o-123', nickname: null, avatarUrl: null, ...overrides };
}

async function mountMine(
  state: ReturnType<typeof useSessionStore>['state'],
  orders = [order('PAID')],
  servicePhone: string | null = '400-800-8888',
) {
  mockFetch({ 'GET /api/orders': [{ body: { orders } }] });
  const router = createAppRouter(createMemoryHistory());
  await router.push(PATH);
  await router.isReady();
  const pinia = createPinia();
  useSessionStore(pinia).state = state;
  useShopStore(pinia).servicePhone = servicePhone;
  const wrapper = mount(MineView, { global: { plugins: [pinia, router] } });
  await flushPromises();
  return wrapper;
}

let replace: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  sessionStorage.clear();
  // The real app uses web history, so the address bar is the current route.
  history.replaceState(null, '', PATH);
  replace = vi.spyOn(window.location, 'replace').mockImplementation(() => {});
});

describe('我的: the shopper', () => {
  it('shows the signed-in shopper’s avatar and nickname, without the profile button', async () => {
    const wrapper = await mountMine({
      kind: 'signed-in',
      me: signedIn({ nickname: '小李🐼', avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/a/132' }),
    });

    const avatar = wrapper.get('img.avatar');
    expect(avatar.attributes('src')).toBe('https://thirdwx.qlogo.cn/mmopen/a/132');
    expect(avatar.attributes('alt')).toBe('小李🐼');
    expect(wrapper.get('.account__name').text()).toBe('小李🐼');
    expect(wrapper.text()).not.toContain('使用微信头像昵称');
  });

  it('falls back to the placeholder when the avatar fails to load', async () => {
    const wrapper = await mountMine({
      kind: 'signed-in',
      me: signedIn({ nickname: '张三', avatarUrl: 'https://x.test/expired' }),
    });

    await wrapper.get('img.avatar').trigger('error');
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.get('span.avatar').attributes('aria-hidden')).toBe('true');
  });

  it('without a nickname, shows 微信用户 and a button to the consented sign-in for this page', async () => {
    const wrapper = await mountMine({ kind: 'signed-in', me: signedIn() });

    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.get('.account__name').text()).toBe('微信用户');
    const button = wrapper.findAll('button').find((b) => b.text() === '使用微信头像昵称');
    expect(button?.attributes('type')).toBe('button');

    await button!.trigger('click');
    expect(replace).toHaveBeenCalledTimes(1);
    expect(replace).toHaveBeenCalledWith(`/api/auth/login?scope=snsapi_userinfo&returnTo=${encodeURIComponent(PATH)}`);
    expect(useSessionStore().state).toEqual({ kind: 'redirecting' });
  });

  it('renders a nickname containing markup as text', async () => {
    const nickname = '<b>Tom & "Jerry"</b>';
    const wrapper = await mountMine({
      kind: 'signed-in',
      me: signedIn({ nickname, avatarUrl: 'https://x.test/a.png' }),
    });

    expect(wrapper.find('.account b').exists()).toBe(false);
    expect(wrapper.get('.account__name').text()).toBe(nickname);
    expect(wrapper.get('.account__name').attributes('title')).toBe(nickname);
    expect(wrapper.get('img.avatar').attributes('alt')).toBe(nickname);
  });

  it('outside WeChat, a guest reads 未登录 and is offered no WeChat sign-in it could not complete', async () => {
    const wrapper = await mountMine({ kind: 'guest' });

    expect(wrapper.get('.account__name').text()).toBe('未登录');
    expect(wrapper.text()).toContain('请在微信中打开本店');
    expect(wrapper.findAll('button')).toHaveLength(0);
  });
});

describe('我的: order shortcuts, 客服', () => {
  it('links each 我的订单 tab with the number of orders in it', async () => {
    const shipped = { ...order('PAID', 'T2'), fulfilment: 'SHIPPED' as const };
    const wrapper = await mountMine({ kind: 'signed-in', me: signedIn() }, [
      order('PENDING', 'T1'),
      order('PENDING', 'T3'),
      order('PAID', 'T4'),
      shipped,
    ]);

    const shortcuts = wrapper.findAll('.mine__shortcut');
    expect(shortcuts.map((a) => [a.attributes('href'), a.text()])).toEqual([
      ['/orders?tab=unpaid', '2 待付款，2 个订单'],
      ['/orders?tab=to-ship', '1 待发货，1 个订单'],
      ['/orders?tab=to-receive', '1 待收货，1 个订单'],
      ['/orders?tab=after-sale', '退款/售后'],
    ]);
    expect(wrapper.get('a[href="/orders"]').text()).toContain('全部订单');
  });

  it('dials the shop’s 客服 hotline, showing the number and hours', async () => {
    const wrapper = await mountMine({ kind: 'signed-in', me: signedIn() });

    const service = wrapper.get('a[href^="tel:"]');
    expect(service.attributes('href')).toBe('tel:4008008888');
    expect(service.text()).toMatch(/联系客服.*9:00–21:00.*400-800-8888/);
  });

  it('offers no 客服 row when the shop has configured no number', async () => {
    const wrapper = await mountMine({ kind: 'signed-in', me: signedIn() }, [], null);
    expect(wrapper.find('a[href^="tel:"]').exists()).toBe(false);
  });

  it('offers 退出登录 to a signed-in shopper only', async () => {
    const signedInPage = await mountMine({ kind: 'signed-in', me: signedIn() });
    expect(signedInPage.findAll('button').map((b) => b.text())).toContain('退出登录');
    const guestPage = await mountMine({ kind: 'guest' });
    expect(guestPage.text()).not.toContain('退出登录');
  });
});

import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Component } from 'vue';
import OrdersView from '../src/views/OrdersView.vue';
import PayView from '../src/views/PayView.vue';
import ResultView from '../src/views/ResultView.vue';
import { mockFetch } from './helpers/fetch-mock';
import { order } from './helpers/fixtures';
import { announcerOf } from './helpers/live-region';
import { mountView } from './helpers/mount-view';

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.51.2720(0x28003336)';
const NO = 'T20261126000001';
const UNAUTHENTICATED = {
  status: 401,
  body: { error: { code: 'UNAUTHENTICATED', message: 'Sign in with WeChat first' } },
};

interface Page {
  name: string;
  view: Component;
  path: string;
  props: Record<string, unknown>;
  script: Parameters<typeof mockFetch>[0];
}

const pages: Page[] = [
  {
    name: 'result page',
    view: ResultView,
    path: `/orders/${NO}/result`,
    props: { outTradeNo: NO },
    script: { [`GET /api/orders/${NO}`]: [UNAUTHENTICATED] },
  },
  {
    name: 'orders page',
    view: OrdersView,
    path: '/orders',
    props: {},
    script: { 'GET /api/orders': [UNAUTHENTICATED] },
  },
  {
    name: 'pay page',
    view: PayView,
    path: `/orders/${NO}/pay`,
    props: { outTradeNo: NO },
    script: {
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING') }],
      [`POST /api/orders/${NO}/pay`]: [UNAUTHENTICATED],
    },
  },
];

let replace: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  sessionStorage.clear();
  replace = vi.spyOn(window.location, 'replace').mockImplementation(() => {});
});

async function mountPage(page: Page) {
  // The app uses web history, so the address bar is the page the shopper returns to.
  history.replaceState(null, '', `${page.path}?from=share`);
  mockFetch(page.script);
  const { wrapper } = await mountView(page.view, { path: page.path, props: page.props });
  await flushPromises();
  return wrapper;
}

describe.each(pages)('a 401 on the $name', (page) => {
  it('inside WeChat, offers 微信登录, which signs in and returns to this page', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(WECHAT_UA);
    const wrapper = await mountPage(page);

    const alert = announcerOf(wrapper, '.state--error');
    expect(alert.text()).toContain('请先使用微信登录');
    expect(alert.text()).not.toContain('Sign in with WeChat first');
    const signIn = alert.findAll('button').find((button) => button.text() === '微信登录');
    expect(signIn).toBeDefined();
    expect(replace).not.toHaveBeenCalled();

    await signIn!.trigger('click');
    expect(replace).toHaveBeenCalledTimes(1);
    expect(replace).toHaveBeenCalledWith(`/api/auth/login?returnTo=${encodeURIComponent(`${page.path}?from=share`)}`);
  });

  it('outside WeChat, where WeChat sign-in cannot complete, offers no 微信登录', async () => {
    const wrapper = await mountPage(page);
    expect(announcerOf(wrapper, '.state--error').text()).toContain('请先使用微信登录');
    expect(wrapper.findAll('button').map((button) => button.text())).not.toContain('微信登录');
  });
});

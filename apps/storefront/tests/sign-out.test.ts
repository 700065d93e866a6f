import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../src/App.vue';
import MineView from '../src/views/MineView.vue';
import { useSessionStore } from '../src/stores/session';
import { mockFetch } from './helpers/fetch-mock';
import { order } from './helpers/fixtures';
import { mountView } from './helpers/mount-view';

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.51.2720(0x28003336)';
const me = { signedIn: true, openid: 'o-123', nickname: '小李🐼', avatarUrl: null } as const;

let replace: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  sessionStorage.clear();
  history.replaceState(null, '', '/mine');
  replace = vi.spyOn(window.location, 'replace').mockImplementation(() => {});
});

/** 我的, signed in; returns the 退出登录 button once rendered. */
async function mountSignedIn() {
  const mounted = await mountView(MineView, { path: '/mine', props: {} });
  const session = useSessionStore();
  session.state = { kind: 'signed-in', me };
  await flushPromises();
  const button = mounted.wrapper.findAll('button').find((b) => b.text() === '退出登录');
  expect(button).toBeDefined();
  // The app's router uses web history; keep the address bar in step for the bootstrap.
  mounted.router.afterEach((to) => history.replaceState(null, '', to.fullPath));
  return { ...mounted, session, button: button! };
}

describe('退出登录', () => {
  it('posts the logout, forgets the shopper and goes home as a guest', async () => {
    const { calls } = mockFetch({
      'GET /api/orders': [{ body: { orders: [order('PAID')] } }],
      'POST /api/auth/logout': [{ status: 204, body: null }],
      'GET /api/me': [{ body: { signedIn: false } }],
    });
    const { router, session, button } = await mountSignedIn();

    await button.trigger('click');
    await flushPromises();

    expect(calls.filter((call) => call.method === 'POST').map((call) => call.path)).toEqual(['/api/auth/logout']);
    expect(router.currentRoute.value.path).toBe('/');
    expect(session.me).toBeUndefined();
    expect(session.state).toEqual({ kind: 'guest' });
    expect(replace).not.toHaveBeenCalled();
  });

  it('inside WeChat, says 已退出登录 and signs in again only when the shopper presses 微信登录', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(WECHAT_UA);
    mockFetch({
      'GET /api/me': [{ body: me }, { body: { signedIn: false } }],
      'GET /api/orders': [{ body: { orders: [] } }],
      'GET /api/products': [{ body: { products: [] } }],
      'POST /api/auth/logout': [{ status: 204, body: null }],
    });
    const { wrapper, router } = await mountView(App, { path: '/mine', props: {} });
    router.afterEach((to) => history.replaceState(null, '', to.fullPath));
    const session = useSessionStore();
    await flushPromises();

    await wrapper
      .findAll('button')
      .find((b) => b.text() === '退出登录')!
      .trigger('click');
    await flushPromises();

    expect(router.currentRoute.value.path).toBe('/');
    expect(replace).not.toHaveBeenCalled();
    const notice = wrapper.get('.notice[role="alert"]');
    expect(notice.text()).toContain('已退出登录');
    // Coming back to the shop later in this visit (a reload) does not sign in silently either.
    await session.bootstrap();
    await flushPromises();
    expect(replace).not.toHaveBeenCalled();
    expect(wrapper.get('.notice[role="alert"]').text()).toContain('已退出登录');

    await wrapper.get('.notice[role="alert"] button').trigger('click');
    expect(replace).toHaveBeenCalledTimes(1);
    expect(replace).toHaveBeenCalledWith('/api/auth/login?returnTo=%2F');
    // Asked for: back from WeChat still signed out, the usual loop guard applies, not the sign-out.
    await session.bootstrap();
    expect(session.state).toEqual({ kind: 'login-failed', reason: 'unknown' });
    expect(replace).toHaveBeenCalledTimes(1);
  });

  it('stays signed in and says why when the logout fails', async () => {
    mockFetch({
      'GET /api/orders': [{ body: { orders: [] } }],
      'POST /api/auth/logout': [
        { status: 503, body: { error: { code: 'INTERNAL', message: '服务繁忙，请稍后重试' } } },
      ],
    });
    const { wrapper, router, session, button } = await mountSignedIn();

    await button.trigger('click');
    await flushPromises();

    expect(wrapper.get('[role="alert"]').text()).toBe('服务繁忙，请稍后重试');
    expect(session.me).toEqual(me);
    expect(router.currentRoute.value.path).toBe('/mine');
    expect(button.attributes('disabled')).toBeUndefined();
  });
});

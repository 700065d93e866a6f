import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import type { SignedInMe } from '../src/auth/bootstrap';
import AppHeader from '../src/components/AppHeader.vue';
import { createAppRouter } from '../src/router';
import { useSessionStore } from '../src/stores/session';

const PATH = '/products/p-tea?from=share';

function signedIn(overrides: Partial<SignedInMe> = {}): SignedInMe {
  return { signedIn: true, openid: 'o-123', nickname: null, avatarUrl: null, ...overrides };
}

async function mountHeader(state: ReturnType<typeof useSessionStore>['state']) {
  const router = createAppRouter(createMemoryHistory());
  await router.push(PATH);
  await router.isReady();
  const pinia = createPinia();
  const wrapper = mount(AppHeader, { global: { plugins: [pinia, router] } });
  useSessionStore(pinia).state = state;
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

describe('AppHeader', () => {
  it('shows the signed-in shopper’s avatar and nickname, without the profile button', async () => {
    const wrapper = await mountHeader({
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
    const wrapper = await mountHeader({
      kind: 'signed-in',
      me: signedIn({ nickname: '张三', avatarUrl: 'https://x.test/expired' }),
    });

    await wrapper.get('img.avatar').trigger('error');
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.get('span.avatar').attributes('aria-hidden')).toBe('true');
  });

  it('without a nickname, shows 微信用户 and a button to the consented sign-in for this page', async () => {
    const wrapper = await mountHeader({ kind: 'signed-in', me: signedIn() });

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
    const wrapper = await mountHeader({
      kind: 'signed-in',
      me: signedIn({ nickname, avatarUrl: 'https://x.test/a.png' }),
    });

    expect(wrapper.find('.account b').exists()).toBe(false);
    expect(wrapper.get('.account__name').text()).toBe(nickname);
    expect(wrapper.get('.account__name').attributes('title')).toBe(nickname);
    expect(wrapper.get('img.avatar').attributes('alt')).toBe(nickname);
  });

  it('adds nothing for guests', async () => {
    const wrapper = await mountHeader({ kind: 'guest' });

    expect(wrapper.find('.account').exists()).toBe(false);
    expect(wrapper.findAll('button')).toHaveLength(0);
  });
});

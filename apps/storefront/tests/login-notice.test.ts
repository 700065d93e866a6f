import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../src/App.vue';
import { mockFetch } from './helpers/fetch-mock';
import { mountView } from './helpers/mount-view';

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.51.2720(0x28003336)';

let replace: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  sessionStorage.clear();
  vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(WECHAT_UA);
  replace = vi.spyOn(window.location, 'replace').mockImplementation(() => {});
});

describe('the sign-in notice after coming back from WeChat still signed out', () => {
  it.each([
    ['declined', '你已取消微信授权，登录后才能支付。'],
    ['failed', '微信登录暂时失败，请重新登录。'],
    ['whatever', '未完成微信登录，登录后才能支付。'],
  ])('login=%s says %s and 重新登录 starts a fresh sign-in', async (flag, text) => {
    history.replaceState(null, '', `/cart?login=${flag}`);
    mockFetch({ 'GET /api/me': [{ body: { signedIn: false } }] });
    const { wrapper } = await mountView(App, { path: '/cart', props: {} });
    await flushPromises();

    const notice = wrapper.get('.notice[role="alert"]');
    expect(notice.text()).toContain(text);
    expect(replace).not.toHaveBeenCalled();
    await notice.get('button').trigger('click');
    expect(replace).toHaveBeenCalledWith('/api/auth/login?returnTo=%2Fcart');
  });
});

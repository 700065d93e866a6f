import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bootstrapAuth } from '../src/auth/bootstrap';
import { mockFetch } from './helpers/fetch-mock';

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.51.2720(0x28003336) NetType/WIFI Language/zh_CN';
const DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

function setUserAgent(ua: string): void {
  vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(ua);
}

let replace: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  sessionStorage.clear();
  history.replaceState(null, '', '/products/p-tea?from=share');
  replace = vi.spyOn(window.location, 'replace').mockImplementation(() => {});
});

afterEach(() => {
  delete window.WeixinJSBridge;
});

describe('auth bootstrap', () => {
  it('in WeChat, sends a signed-out shopper to the BFF login with the current path', async () => {
    setUserAgent(WECHAT_UA);
    mockFetch({ 'GET /api/me': [{ body: { signedIn: false } }] });

    await expect(bootstrapAuth()).resolves.toEqual({ kind: 'redirecting' });
    expect(replace).toHaveBeenCalledTimes(1);
    expect(replace).toHaveBeenCalledWith(
      `/api/auth/login?returnTo=${encodeURIComponent('/products/p-tea?from=share')}`,
    );
  });

  it('replaces the current history entry instead of adding one, so one Back leaves the shop after sign-in', async () => {
    setUserAgent(WECHAT_UA);
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
    mockFetch({ 'GET /api/me': [{ body: { signedIn: false } }] });

    await bootstrapAuth();
    expect(replace).toHaveBeenCalledTimes(1);
    expect(assign).not.toHaveBeenCalled();
    // Still one sign-in per visit: back from WeChat still signed out stops at a notice.
    await expect(bootstrapAuth()).resolves.toEqual({ kind: 'login-failed', reason: 'unknown' });
    expect(replace).toHaveBeenCalledTimes(1);
    expect(assign).not.toHaveBeenCalled();
  });

  it('treats the emulator bridge as WeChat (dev in a desktop browser)', async () => {
    setUserAgent(DESKTOP_UA);
    window.WeixinJSBridge = { invoke: vi.fn(), __emulator: true };
    mockFetch({ 'GET /api/me': [{ body: { signedIn: false } }] });

    await bootstrapAuth();
    expect(replace).toHaveBeenCalledWith('/api/auth/login?returnTo=%2Fproducts%2Fp-tea%3Ffrom%3Dshare');
  });

  it('outside WeChat, keeps the shopper as a guest without redirecting', async () => {
    setUserAgent(DESKTOP_UA);
    mockFetch({ 'GET /api/me': [{ body: { signedIn: false } }] });

    await expect(bootstrapAuth()).resolves.toEqual({ kind: 'guest' });
    expect(replace).not.toHaveBeenCalled();
  });

  it('does not redirect a signed-in shopper', async () => {
    setUserAgent(WECHAT_UA);
    const me = { signedIn: true, openid: 'o-123', nickname: '小明', avatarUrl: null };
    mockFetch({ 'GET /api/me': [{ body: me }] });

    await expect(bootstrapAuth()).resolves.toEqual({ kind: 'signed-in', me });
    expect(replace).not.toHaveBeenCalled();
  });

  it('does not loop when WeChat sign-in came back still signed out', async () => {
    setUserAgent(WECHAT_UA);
    mockFetch({ 'GET /api/me': [{ body: { signedIn: false } }] });

    await bootstrapAuth();
    await expect(bootstrapAuth()).resolves.toEqual({ kind: 'login-failed', reason: 'unknown' });
    expect(replace).toHaveBeenCalledTimes(1);
  });

  it('stops at a notice when the shopper declined WeChat authorization', async () => {
    setUserAgent(WECHAT_UA);
    history.replaceState(null, '', '/checkout?login=declined');
    mockFetch({ 'GET /api/me': [{ body: { signedIn: false } }] });

    await expect(bootstrapAuth()).resolves.toEqual({ kind: 'login-failed', reason: 'declined' });
    expect(replace).not.toHaveBeenCalled();
    expect(`${location.pathname}${location.search}`).toBe('/checkout');
  });

  it('stops at a notice when WeChat did not answer the sign-in (login=failed), without looping', async () => {
    setUserAgent(WECHAT_UA);
    history.replaceState(null, '', '/cart?step=2&login=failed');
    mockFetch({ 'GET /api/me': [{ body: { signedIn: false } }] });

    await expect(bootstrapAuth()).resolves.toEqual({ kind: 'login-failed', reason: 'failed' });
    expect(replace).not.toHaveBeenCalled();
    expect(`${location.pathname}${location.search}`).toBe('/cart?step=2');
  });

  it('surfaces the BFF error message', async () => {
    setUserAgent(WECHAT_UA);
    mockFetch({
      'GET /api/me': [
        { status: 502, body: { error: { code: 'UPSTREAM_ERROR', message: '微信服务暂时不可用', requestId: 'r-1' } } },
      ],
    });
    await expect(bootstrapAuth()).rejects.toMatchObject({
      message: '微信服务暂时不可用',
      requestId: 'r-1',
      code: 'UPSTREAM_ERROR',
    });
    expect(replace).not.toHaveBeenCalled();
  });
});

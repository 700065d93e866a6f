/** The JS-SDK glue: which URL is signed (iOS landing-URL rule), one retry after wx.error, share cards. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JsConfig, Product } from '@wxpay-shop/contract';
import { configureJssdk, JS_API_LIST, resetJssdkForTests, type JssdkDeps } from '../src/wechat/jssdk';
import type { Wx } from '../src/wechat/jssdk-types';
import { shareableLink, signatureUrl } from '../src/wechat/jssdk-url';
import { productShareCard } from '../src/wechat/share-card';

const IOS_WECHAT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50';
const ANDROID_WECHAT =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.50';
const SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1';
const LANDING = 'https://shop.example/products/green-tea?from=singlemessage';
const CURRENT = 'https://shop.example/checkout#address';

afterEach(() => resetJssdkForTests());

describe('signatureUrl', () => {
  it('iOS signs the landing URL, Android the current one, neither with #…', () => {
    expect(signatureUrl({ userAgent: IOS_WECHAT, landingUrl: `${LANDING}#x`, currentUrl: CURRENT })).toBe(LANDING);
    expect(signatureUrl({ userAgent: ANDROID_WECHAT, landingUrl: LANDING, currentUrl: CURRENT })).toBe(
      'https://shop.example/checkout',
    );
  });
});

describe('shareableLink', () => {
  it('drops code, state and the fragment, keeps other parameters', () => {
    expect(shareableLink('https://shop.example/products/tea?code=061abc&state=xyz&from=timeline#top')).toBe(
      'https://shop.example/products/tea?from=timeline',
    );
  });
});

describe('productShareCard', () => {
  const product: Product = {
    id: 'green-tea',
    name: '明前龙井',
    description: '清香',
    priceFen: 990,
    imageUrl: '/api/pictures/green-tea-1.svg?v=abc',
    stock: 3,
    gallery: [],
    details: [],
    sevenDayReturns: false,
  };
  it('title, price in the description, the absolute PNG picture, clean link', () => {
    expect(productShareCard(product, 'https://shop.example/products/green-tea?code=c&state=s')).toEqual({
      title: '明前龙井',
      desc: '¥9.90 · 清香',
      link: 'https://shop.example/products/green-tea',
      imgUrl: 'https://shop.example/api/products/green-tea/share.png',
    });
  });
  it('whatever the main picture is (SVG, inline), the card shows the BFF share PNG', () => {
    for (const imageUrl of ['data:image/svg+xml,x', 'https://cdn.example/tea.svg']) {
      expect(productShareCard({ ...product, imageUrl }, 'https://shop.example/p?code=c').imgUrl).toBe(
        'https://shop.example/api/products/green-tea/share.png',
      );
    }
  });
});

/** A fake `wx` whose config outcome per call is scripted: 'ok' → ready, anything else → error with that errMsg. */
function fakeWx(outcomes: string[]) {
  const ready: (() => void)[] = [];
  const errors: ((res: { errMsg: string }) => void)[] = [];
  let outcome = '';
  const configs: unknown[] = [];
  const wx = {
    config: vi.fn((c: unknown) => {
      configs.push(c);
      outcome = outcomes.shift() ?? 'config:invalid signature';
    }),
    ready: (fn: () => void) => {
      ready.push(fn);
      if (outcome === 'ok') setTimeout(fn, 0);
    },
    error: (fn: (res: { errMsg: string }) => void) => {
      errors.push(fn);
      if (outcome !== 'ok') setTimeout(() => fn({ errMsg: outcome }), 0);
    },
  } as unknown as Wx;
  return { wx, configs };
}

function deps(
  wx: Wx,
  userAgent = IOS_WECHAT,
  fetchConfig = vi.fn(async (url: string): Promise<JsConfig> => ({
    appId: 'wx1',
    timestamp: 1,
    nonceStr: url.length.toString(36),
    signature: 'a'.repeat(40),
  })),
) {
  const d: JssdkDeps = {
    userAgent,
    landingUrl: LANDING,
    currentUrl: () => CURRENT,
    loadScript: async () => wx,
    fetchConfig,
  };
  return { d, fetchConfig };
}

describe('configureJssdk', () => {
  it('configures with the BFF signature for the right URL and all APIs the shop uses', async () => {
    const { wx, configs } = fakeWx(['ok']);
    const { d, fetchConfig } = deps(wx);
    expect(await configureJssdk(d)).toBe(wx);
    expect(fetchConfig).toHaveBeenCalledWith(LANDING);
    expect(configs[0]).toMatchObject({ appId: 'wx1', jsApiList: JS_API_LIST });
    // iOS: one configuration serves every later page.
    expect(await configureJssdk(d)).toBe(wx);
    expect(fetchConfig).toHaveBeenCalledTimes(1);
  });

  it('wx.error → one retry with a fresh signature, which may succeed', async () => {
    const { wx, configs } = fakeWx(['config:invalid signature', 'ok']);
    const { d, fetchConfig } = deps(wx, ANDROID_WECHAT);
    expect(await configureJssdk(d)).toBe(wx);
    expect(fetchConfig).toHaveBeenCalledTimes(2);
    expect(fetchConfig).toHaveBeenLastCalledWith('https://shop.example/checkout');
    expect(configs).toHaveLength(2);
  });

  it('refused twice → null (no third try); the next call tries again', async () => {
    const { wx, configs } = fakeWx(['config:invalid signature', 'config:invalid signature', 'ok']);
    const { d } = deps(wx);
    expect(await configureJssdk(d)).toBeNull();
    expect(configs).toHaveLength(2);
    expect(await configureJssdk(d)).toBe(wx);
  });

  it('no signature from the BFF, or no script → null, never a throw', async () => {
    const { wx } = fakeWx(['ok', 'ok']);
    const failing = deps(
      wx,
      IOS_WECHAT,
      vi.fn(async () => Promise.reject(new Error('502'))),
    );
    expect(await configureJssdk(failing.d)).toBeNull();
    expect(failing.fetchConfig).toHaveBeenCalledTimes(2);
    const noScript = { ...deps(wx).d, loadScript: () => Promise.reject(new Error('offline')) };
    expect(await configureJssdk(noScript)).toBeNull();
  });

  it('outside WeChat nothing is loaded', async () => {
    const loadScript = vi.fn();
    expect(await configureJssdk({ ...deps(fakeWx([]).wx).d, userAgent: SAFARI, loadScript })).toBeNull();
    expect(loadScript).not.toHaveBeenCalled();
  });
});

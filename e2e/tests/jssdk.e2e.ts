/**
 * WeChat's JS-SDK in Chromium, with the emulator's stand-in in place of WeChat's script: wx.config signed by the BFF
 * for the URL each platform validates (iOS: the landing URL; Android: the current one), 微信收货地址 at checkout
 * through to the paid order, the product's share card, and the typed address form outside WeChat.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { OrderSchema } from '@wxpay-shop/contract';
import {
  IOS_WECHAT_UA,
  desktopContext,
  launchChromium,
  screenshotter,
  takeCspViolations,
  wechatContext,
} from '../src/browser';
import { cartLinkName, openCheckoutWithFirstProduct, orderOnPayPage } from '../src/flows';
import { startStack, type Stack } from '../src/stack';

const ANDROID_WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A.240405.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300259 MicroMessenger/8.0.51.2720(0x28003336) NetType/WIFI';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
});
beforeEach(() => onTestFailed(() => console.error(stack.logs().slice(-20_000))));
// The JS-SDK script and Vant's picker (its stylesheet carries an icon font) stay within the page's CSP.
afterEach(() => expect(takeCspViolations()).toEqual([]));
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface SharedCard {
  kind: string;
  title: string;
  desc?: string;
  link: string;
  imgUrl: string;
}
async function jssdkState() {
  const state = (await (await fetch(`${stack.emulatorUrl}/__emulator/state`)).json()) as {
    jssdk: { configs: { ok: number; failed: number }; shares: SharedCard[] };
  };
  return state.jssdk;
}

/** What the page's own wx.config would answer for a signature of `url`: 'ready' or WeChat's errMsg. */
function configVerdict(page: Page, url: string): Promise<string> {
  return page.evaluate(async (signed) => {
    const config = await (await fetch(`/api/wechat/js-config?url=${encodeURIComponent(signed)}`)).json();
    const wx = (
      window as unknown as {
        wx: { config(c: object): void; ready(f: () => void): void; error(f: (r: { errMsg: string }) => void): void };
      }
    ).wx;
    return new Promise<string>((resolve) => {
      wx.config({ ...config, jsApiList: [] });
      wx.ready(() => resolve('ready'));
      wx.error((res) => resolve(res.errMsg));
    });
  }, url);
}

describe.each([
  { platform: 'iOS', userAgent: IOS_WECHAT_UA, validates: 'landing' },
  { platform: 'Android', userAgent: ANDROID_WECHAT_UA, validates: 'current' },
])('inside WeChat on $platform', ({ platform, userAgent, validates }) => {
  it('lands on a product (share card set), moves to checkout, picks a 微信收货地址, pays; the order shows the address', async () => {
    const context = await wechatContext(browser, stack.emulatorUrl, userAgent);
    const page = await context.newPage();
    const shot = screenshotter(page, `jssdk-${platform}`);
    const { products } = (await (await fetch(`${stack.storefrontUrl}/api/products`)).json()) as {
      products: { id: string; name: string; priceFen: number }[];
    };
    const product = products[0]!;
    const landing = `${stack.storefrontUrl}/products/${product.id}?from=singlemessage`;
    const configsBefore = await jssdkState();

    // Landing on a product page inside WeChat: a silent sign-in, then the page sets its share card.
    await page.goto(landing);
    await page.getByRole('heading', { level: 1, name: product.name }).waitFor();
    await expect
      .poll(async () => (await jssdkState()).shares.filter((c) => c.title === product.name).length)
      .toBeGreaterThanOrEqual(2);
    const cards = (await jssdkState()).shares.filter((c) => c.title === product.name);
    const chat = cards.find((c) => c.kind === 'appMessage')!;
    expect(chat.desc).toContain(`¥${(product.priceFen / 100).toFixed(2)}`);
    // A clean link: no sign-in parameters, no fragment; the shop's own parameters stay.
    expect(chat.link).toBe(landing);
    expect(cards.find((c) => c.kind === 'timeline')!.link).toBe(landing);
    // An absolute PNG WeChat can fetch and show (it shows SVG unreliably): the BFF renders the main picture.
    expect(chat.imgUrl).toBe(`${stack.storefrontUrl}/api/products/${product.id}/share.png`);
    const picture = await fetch(chat.imgUrl);
    expect(picture.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await picture.arrayBuffer());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // The gallery's pictures come from the built BFF (dist/pictures), drawn at their 4:3 size.
    const main = page.locator('.product-gallery img').first();
    await expect.poll(() => main.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(480);
    await shot('product');

    // In-app navigation to the checkout: 选择微信收货地址 appears only once wx.config succeeded for this page.
    await page.getByRole('button', { name: '加入购物车' }).click();
    await page.getByRole('link', { name: cartLinkName(1) }).click();
    await page.waitForURL(/\/cart$/);
    await page.getByRole('button', { name: '结算(1)' }).click();
    const pick = page.getByRole('button', { name: '选择微信收货地址' });
    await pick.waitFor();
    const configs = await jssdkState();
    expect(configs.configs.failed).toBe(configsBefore.configs.failed);
    expect(configs.configs.ok).toBeGreaterThan(configsBefore.configs.ok);
    expect(await page.getByRole('button', { name: '提交订单' }).isDisabled()).toBe(true);
    await pick.click();
    await page.getByTestId('wx-address-sheet').waitFor();
    await shot('address-sheet');
    await page.getByTestId('wx-address-0').click();
    await page.locator('.address-card address').getByText('张三 138****8000').waitFor();
    await shot('checkout');

    await page.getByRole('button', { name: '提交订单' }).click();
    const outTradeNo = await orderOnPayPage(page);
    await page.getByTestId('wx-pay-confirm').click();
    await page.getByText('支付成功').waitFor({ timeout: 30_000 });
    await page.locator('address').getByText('广东省广州市天河区天河路 385 号 太古汇 1 座 2001 室').waitFor();
    await shot('paid');
    const order = OrderSchema.parse(
      await page.evaluate(async (no) => (await fetch(`/api/orders/${no}`)).json(), outTradeNo),
    );
    expect(order.deliveryAddress).toEqual({
      name: '张三',
      mobile: '13800138000',
      province: '广东省',
      city: '广州市',
      district: '天河区',
      detail: '天河路 385 号 太古汇 1 座 2001 室',
      postalCode: '510620',
    });

    // The stand-in validates the URL this platform validates: a signature of the other one is refused.
    const current = page.url().split('#')[0]!;
    const [right, wrong] = validates === 'landing' ? [landing, current] : [current, landing];
    expect(await configVerdict(page, wrong)).toBe('config:invalid signature');
    expect(await configVerdict(page, right)).toBe('ready');
    await context.close();
  });
});

describe('outside WeChat', () => {
  it('checkout offers the typed address form with the region picker, no 微信收货地址', async () => {
    const context = await desktopContext(browser);
    const page = await context.newPage();
    const shot = screenshotter(page, 'address-form');
    await page.goto(stack.storefrontUrl);
    await openCheckoutWithFirstProduct(page, shot);
    expect(await page.getByRole('button', { name: '选择微信收货地址' }).count()).toBe(0);
    await page.locator('.address-card address').getByText('张三 138****8000').waitFor();
    // 修改地址 reopens the form, and 所在地区 opens Vant's picker on the region chosen.
    await page.getByRole('button', { name: '修改地址' }).click();
    await page.getByRole('button', { name: '所在地区 广东省 广州市 天河区' }).click();
    const picker = page.getByRole('dialog', { name: '选择所在地区' });
    await picker.waitFor();
    expect(await picker.locator('.van-picker-column__item--selected').allTextContents()).toEqual([
      '广东省',
      '广州市',
      '天河区',
    ]);
    // The sheet has slid in: a picture of it, not of a frame of its transition.
    await picker.evaluate((sheet) => Promise.all(sheet.getAnimations().map((a) => a.finished)));
    await shot('region-picker');
    await picker.getByRole('button', { name: '取消' }).click();
    await picker.waitFor({ state: 'hidden' });
    await shot('address-form');
    await page.getByRole('button', { name: '保存地址' }).click();
    await page.locator('.address-card address').getByText('张三 138****8000').waitFor();
    await page.getByRole('button', { name: '提交订单' }).click();
    const outTradeNo = await orderOnPayPage(page);
    const order = OrderSchema.parse(
      await page.evaluate(async (no) => (await fetch(`/api/orders/${no}`)).json(), outTradeNo),
    );
    expect(order.deliveryAddress).toMatchObject({ province: '广东省', city: '广州市', district: '天河区' });
    await context.close();
  });
});

/**
 * Paying through each WeChat Pay API version in real Chromium: v3 with the bridge's pay sheet (RSA
 * paySign), the desktop QR code and H5 in a phone browser outside WeChat; H5 on v2 too (JSAPI and
 * NATIVE on v2 are shopper.e2e.ts's journeys). Each version runs its own stack.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { OrderSchema } from '@wxpay-shop/contract';
import {
  desktopContext,
  launchChromium,
  phoneContext,
  screenshotter,
  takeCspViolations,
  wechatContext,
} from '../src/browser';
import { emulatorOrder, emulatorState } from '../src/emulator';
import { checkoutFirstProduct, openCheckoutWithFirstProduct } from '../src/flows';
import { startStack, type Stack } from '../src/stack';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
// Desktop and phone pages run under the BFF's real Content-Security-Policy: no flow may trip it.
afterEach(() => expect(takeCspViolations()).toEqual([]));

async function bffOrder(page: Page, outTradeNo: string) {
  return OrderSchema.parse(await page.evaluate(async (no) => (await fetch(`/api/orders/${no}`)).json(), outTradeNo));
}

describe.each([
  { apiVersion: 'v3' as const, flows: ['JSAPI', 'NATIVE', 'H5'] },
  { apiVersion: 'v2' as const, flows: ['H5'] },
])('WeChat Pay API $apiVersion', ({ apiVersion, flows }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ apiVersion });
  });
  beforeEach(() => onTestFailed(() => console.error(stack.logs().slice(-20_000))));
  afterAll(async () => {
    await stack?.stop();
  });

  it.runIf(flows.includes('JSAPI'))(
    'inside WeChat: the pay sheet takes the page’s pay params, then 支付成功',
    async () => {
      const context = await wechatContext(browser, stack.emulatorUrl);
      const page = await context.newPage();
      const shot = screenshotter(page, `${apiVersion}-jsapi`);
      await page.goto(stack.storefrontUrl);
      const outTradeNo = await checkoutFirstProduct(page, shot);
      await page.getByTestId('wx-pay-sheet').waitFor();
      await shot('pay-sheet');
      await page.getByTestId('wx-pay-confirm').click();
      await page.getByText('支付成功').waitFor({ timeout: 30_000 });
      await shot('paid');
      expect((await bffOrder(page, outTradeNo)).status).toBe('PAID');
      const atWechat = await emulatorOrder(stack.emulatorUrl, outTradeNo);
      expect(atWechat).toMatchObject({ state: 'SUCCESS', tradeType: 'JSAPI', api: apiVersion, signType: 'RSA' });
      await context.close();
    },
  );

  it.runIf(flows.includes('NATIVE'))(
    'on a desktop: the QR code, paid from the emulator’s scan page, then 支付成功',
    async () => {
      const context = await desktopContext(browser);
      const page = await context.newPage();
      const shot = screenshotter(page, `${apiVersion}-native`);
      await page.goto(stack.storefrontUrl);
      const outTradeNo = await checkoutFirstProduct(page, shot);
      await page.getByRole('img', { name: /^微信支付二维码/ }).waitFor();
      await shot('qr-code');
      const { codeUrl } = await emulatorOrder(stack.emulatorUrl, outTradeNo);
      const phone = await context.newPage();
      await phone.goto(`${stack.emulatorUrl}/native?code_url=${encodeURIComponent(codeUrl!)}`);
      await phone.getByTestId('wx-pay-confirm').click();
      await page.getByText('支付成功').waitFor({ timeout: 30_000 });
      await shot('paid');
      expect((await bffOrder(page, outTradeNo)).status).toBe('PAID');
      expect(await emulatorOrder(stack.emulatorUrl, outTradeNo)).toMatchObject({
        tradeType: 'NATIVE',
        api: apiVersion,
      });
      await context.close();
    },
  );

  it.runIf(flows.includes('H5'))(
    'in a phone browser outside WeChat: H5 pay, back to 是否已完成支付, 已完成 → 支付成功 once the BFF says PAID',
    async () => {
      const context = await phoneContext(browser);
      const page = await context.newPage();
      const shot = screenshotter(page, `${apiVersion}-h5`);
      await page.goto(stack.storefrontUrl);
      await openCheckoutWithFirstProduct(page, shot);
      await page.getByRole('button', { name: '提交订单' }).click();
      // WeChat's 正在跳转微信支付 step: it checked our Referer (the shop's origin) and the shopper's IP.
      await page.waitForURL((url) => url.origin === stack.emulatorUrl && url.pathname === '/h5/checkmweb');
      // The way back WeChat will take: this order's pay page, marked as the H5 return.
      const back = new URL(new URL(page.url()).searchParams.get('redirect_url')!);
      expect(back.searchParams.get('h5')).toBe('return');
      const outTradeNo = /^\/orders\/([^/]+)\/pay$/.exec(back.pathname)?.[1];
      expect(outTradeNo).toBeTruthy();
      await page.getByTestId('wx-h5-pay').waitFor();
      await shot('wechat-h5-page');
      await page.getByTestId('wx-h5-pay').click();

      // Back in the shop: it asks, and only the BFF's word makes it 支付成功.
      await page.waitForURL((url) => url.origin === stack.storefrontUrl && url.searchParams.get('h5') === 'return');
      await page.getByText('是否已完成支付').waitFor();
      expect(await page.getByRole('button', { name: '遇到问题，重新支付' }).count()).toBe(1);
      await shot('did-you-pay');
      await page.getByRole('button', { name: '已完成' }).click();
      await page.getByText('支付成功').waitFor({ timeout: 30_000 });
      await shot('paid');
      expect((await bffOrder(page, outTradeNo!)).status).toBe('PAID');
      expect(await emulatorOrder(stack.emulatorUrl, outTradeNo!)).toMatchObject({ tradeType: 'MWEB', api: apiVersion });
      const delivery = (await emulatorState(stack.emulatorUrl)).notifications.find((d) => d.outTradeNo === outTradeNo);
      expect(delivery).toBeDefined();
      await context.close();
    },
  );
});

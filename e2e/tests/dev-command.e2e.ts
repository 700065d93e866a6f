/**
 * The README's first command: `npm start` runs everything offline, and opening the printed
 * storefront URL in any browser (here desktop Chromium with no WeChat UA and nothing injected)
 * walks the whole flow: silent WeChat sign-in through the emulator, cart, checkout, the
 * emulator's pay sheet loaded by the dev server, and 支付成功 once the BFF says PAID. The BFF logs
 * one readable line per request there.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { OrderSchema } from '@wxpay-shop/contract';
import { desktopContext, launchChromium, screenshotter, wechatContext } from '../src/browser';
import { startDevCommand, type DevCommand } from '../src/dev-command';
import { checkoutFirstProduct } from '../src/flows';

let dev: DevCommand;
let browser: Browser;

beforeAll(async () => {
  dev = await startDevCommand();
  browser = await launchChromium();
});

beforeEach(() => onTestFailed(() => console.error(dev.output().slice(-20_000))));

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

describe('npm start (scripts/dev.mjs)', () => {
  it('prints the storefront URL, and a plain browser there signs in, pays on the pay sheet and sees 支付成功', async () => {
    expect(dev.output()).toContain(`Storefront   ${dev.storefrontUrl}`);
    // The operator console and its dev account (created by the BFF from DEV_OPERATOR).
    expect(dev.output()).toContain(`Console      ${dev.adminUrl}  operator console; sign in as dev / `);
    const context = await desktopContext(browser);
    const page = await context.newPage();
    const shot = screenshotter(page, 'dev-command');
    await page.goto(dev.storefrontUrl);

    // Dev counts the emulator's bridge as WeChat: the shopper is signed in silently (snsapi_base).
    await expect
      .poll(async () => (await page.evaluate(async () => (await fetch('/api/me')).json())).signedIn, {
        timeout: 60_000,
      })
      .toBe(true);
    const outTradeNo = await checkoutFirstProduct(page, shot);
    await page.getByTestId('wx-pay-sheet').waitFor();
    await shot('pay-sheet');
    await page.getByTestId('wx-pay-confirm').click();
    await page.getByText('支付成功').waitFor({ timeout: 120_000 });
    await shot('paid');

    const order = OrderSchema.parse(
      await page.evaluate(async (no) => (await fetch(`/api/orders/${no}`)).json(), outTradeNo),
    );
    expect(order.status).toBe('PAID');
    const emulatorOrders = (await (await fetch(`${dev.emulatorUrl}/__emulator/state`)).json()) as {
      orders: { outTradeNo: string; state: string }[];
    };
    expect(emulatorOrders.orders.find((o) => o.outTradeNo === outTradeNo)?.state).toBe('SUCCESS');
    // The BFF's development log: one readable line per request with its request id, no JSON.
    expect(dev.output()).toMatch(/\[bff\]\S* \[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/api\/me 200 \d+ ms [0-9a-f-]{36}\n/);
    expect(dev.output()).toMatch(new RegExp(`INFO: POST /api/orders/${outTradeNo}/pay 200 \\d+ ms`));
    expect(dev.output()).not.toContain('"msg":"request"');
    await context.close();
  });

  it("inside WeChat, the dev server's page keeps WeChat's own WeixinJSBridge: it never loads the emulator's bridge.js", async () => {
    // The WeChat UA, and a bridge injected before any page script, as the WeChat client does.
    const context = await wechatContext(browser, dev.emulatorUrl);
    const page = await context.newPage();
    const bridgeLoads: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/bridge.js') bridgeLoads.push(request.url());
    });
    await page.goto(dev.storefrontUrl);
    // Still WeChat to the storefront: the shopper is signed in silently.
    await expect
      .poll(async () => (await page.evaluate(async () => (await fetch('/api/me')).json())).signedIn, {
        timeout: 60_000,
      })
      .toBe(true);
    await page.locator('.product-card').first().waitFor();
    expect(bridgeLoads).toEqual([]);
    await context.close();
  });
});

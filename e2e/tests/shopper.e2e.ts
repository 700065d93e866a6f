/**
 * The shopper's whole journey in real Chromium against real processes:
 * WeChat sign-in on the emulator's consent page, cart, checkout, the pay sheet,
 * the notification, and the result page that waits for the BFF's word.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { OrderListSchema, OrderSchema } from '@wxpay-shop/contract';
import { desktopContext, launchChromium, screenshotter, takeCspViolations, wechatContext } from '../src/browser';
import { DELIVERY_ADDRESS } from '../src/delivery-address';
import { emulatorOrder, emulatorState } from '../src/emulator';
import {
  checkoutFirstProduct,
  ensureDeliveryAddress,
  openCheckoutWithFirstProduct,
  orderOnPayPage,
  outTradeNoFrom,
} from '../src/flows';
import { startStack, type Stack } from '../src/stack';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
});

// On failure, the processes' output is the first thing to read.
beforeEach(() => onTestFailed(() => console.error(stack.logs().slice(-20_000))));

// Desktop pages run under the BFF's real Content-Security-Policy: no flow may trip it.
afterEach(() => expect(takeCspViolations()).toEqual([]));

// A test that fails midway must not leave its faults to the next one.
afterEach(async () => {
  await fetch(`${stack.emulatorUrl}/__emulator/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function fault(body: { target: string; kind: string; count?: number; delayMs?: number }): Promise<void> {
  const res = await fetch(`${stack.emulatorUrl}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fault ${JSON.stringify(body)}: HTTP ${res.status}`);
}

async function bffOrder(page: Page, outTradeNo: string) {
  const body = await page.evaluate(async (no) => (await fetch(`/api/orders/${no}`)).json(), outTradeNo);
  return OrderSchema.parse(body);
}

async function notificationOf(outTradeNo: string) {
  return (await emulatorState(stack.emulatorUrl)).notifications.find((d) => d.outTradeNo === outTradeNo);
}

/** Uses left of the queued orderquery fault (0 once spent or cleared). */
async function orderqueryFaultsLeft(): Promise<number> {
  return (await emulatorState(stack.emulatorUrl)).faults.find((f) => f.target === 'orderquery')?.remaining ?? 0;
}

/** How many lines the element's text takes as laid out (a phrase broken across lines counts 2). */
async function textLines(locator: Locator): Promise<number> {
  return locator.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size;
  });
}

/** How long the notify-only test holds back the payment notification. */
const NOTIFY_DELAY_MS = 8000;

describe('inside WeChat (JSAPI)', () => {
  it('from 我的, 使用微信头像昵称 goes through the consent page and back with the nickname; pays, and shows 支付成功 only once the BFF says PAID', async () => {
    const context = await wechatContext(browser, stack.emulatorUrl);
    const page = await context.newPage();
    const shot = screenshotter(page, 'wechat-pay');

    // Opened on 我的: WeChat signs the shopper in silently (snsapi_base), which shares no
    // nickname, so 我的 offers 使用微信头像昵称.
    await page.goto(`${stack.storefrontUrl}/mine`);
    const profile = page.locator('.account');
    const share = profile.getByRole('button', { name: '使用微信头像昵称' });
    await share.waitFor();
    await profile.getByText('微信用户', { exact: true }).waitFor();
    await shot('signed-in-silently');

    // The button asks for snsapi_userinfo: WeChat's consent page, then back to 我的.
    await share.click();
    await page.getByTestId('wx-oauth-allow').waitFor();
    await shot('consent');
    await page.getByTestId('wx-oauth-allow').click();
    await page.waitForURL((url) => url.origin === stack.storefrontUrl && url.pathname === '/mine');
    const me = await page.evaluate(async () => (await fetch('/api/me')).json());
    expect(me).toMatchObject({ signedIn: true });
    expect(me.openid).toMatch(/^o[\w-]{27}$/);
    expect(me.nickname).toBeTruthy();
    // 我的 greets the shopper by the nickname WeChat shared, as plain text, and stops offering it.
    await profile.getByText(me.nickname, { exact: true }).waitFor();
    expect(await share.count()).toBe(0);
    await shot('nickname-shown');

    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '首页' }).click();
    const outTradeNo = await checkoutFirstProduct(page, shot);
    const sheet = page.getByTestId('wx-pay-sheet');
    await sheet.waitFor();
    await shot('pay-sheet');
    expect(await page.getByTestId('wx-pay-amount').textContent()).toMatch(/^¥\d+\.\d{2}$/);

    // Lose the notification and make WeChat's orderquery fail: the BFF cannot know the order is
    // paid, so the result page must keep saying 确认中 whatever the bridge said.
    await fault({ target: 'notify', kind: 'drop', count: 1 });
    await fault({ target: 'orderquery', kind: 'http500', count: 1000 });
    await page.getByTestId('wx-pay-confirm').click();
    await page.waitForURL(/\/orders\/[^/]+\/result/);
    await page.getByText('确认中').first().waitFor();
    await shot('confirming');
    for (let i = 0; i < 4; i += 1) {
      await page.waitForTimeout(500);
      expect(await page.getByText('支付成功').count()).toBe(0);
    }
    expect((await bffOrder(page, outTradeNo)).status).toBe('PENDING');
    expect((await emulatorOrder(stack.emulatorUrl, outTradeNo)).state).toBe('SUCCESS');

    // Once WeChat answers again, the BFF's orderquery finds the payment and the page turns to 支付成功.
    await fetch(`${stack.emulatorUrl}/__emulator/faults`, { method: 'DELETE' });
    await page.getByText('支付成功').waitFor({ timeout: 120_000 });
    await shot('paid');
    const order = await bffOrder(page, outTradeNo);
    expect(order.status).toBe('PAID');
    expect(order.transactionId).toMatch(/^4200\d{24}$/);

    // The lost notification, delivered late, is acknowledged with SUCCESS and changes nothing.
    const lost = (await emulatorState(stack.emulatorUrl)).notifications.find((d) => d.outTradeNo === outTradeNo);
    expect(lost?.status).toBe('dropped');
    await fetch(`${stack.emulatorUrl}/__emulator/notifications/${lost!.id}/replay`, { method: 'POST' });
    await expect
      .poll(async () => (await emulatorState(stack.emulatorUrl)).notifications.find((d) => d.id === lost!.id)?.status)
      .toBe('delivered');
    expect((await bffOrder(page, outTradeNo)).status).toBe('PAID');

    await page.getByRole('link', { name: '查看订单' }).click();
    const card = page.locator('li', { hasText: `订单号 ${outTradeNo}` });
    await card.waitFor();
    expect(await card.textContent()).toContain('待发货');
    await shot('my-orders');
    await context.close();
  });

  it('with every orderquery refused, the notification alone turns 确认中 into 支付成功, and only once it is delivered', async () => {
    const context = await wechatContext(browser, stack.emulatorUrl);
    const page = await context.newPage();
    const shot = screenshotter(page, 'wechat-notify-only');
    await page.goto(stack.storefrontUrl);
    const outTradeNo = await checkoutFirstProduct(page, shot);
    await page.getByTestId('wx-pay-sheet').waitFor();

    // WeChat answers every orderquery with a signed SYSTEMERROR, and sends the payment
    // notification NOTIFY_DELAY_MS after the payment: only the notification can tell the BFF.
    await fault({ target: 'orderquery', kind: 'systemerror', count: 1000 });
    await fault({ target: 'notify', kind: 'delay', delayMs: NOTIFY_DELAY_MS });
    await page.getByTestId('wx-pay-confirm').click();
    await page.waitForURL(/\/orders\/[^/]+\/result/);
    await page.getByText('确认中').first().waitFor();
    await shot('confirming');
    // Reading the order made the BFF ask WeChat, in vain.
    await expect.poll(orderqueryFaultsLeft).toBeLessThan(1000);
    expect((await bffOrder(page, outTradeNo)).status).toBe('PENDING');
    expect(await page.getByText('支付成功').count()).toBe(0);
    expect((await emulatorOrder(stack.emulatorUrl, outTradeNo)).state).toBe('SUCCESS');
    // All of the above was seen before the notification went out.
    expect(await notificationOf(outTradeNo)).toMatchObject({ status: 'pending', attempts: [] });

    await page.getByText('支付成功').waitFor({ timeout: 120_000 });
    await shot('paid');
    const notification = await notificationOf(outTradeNo);
    expect(notification?.status).toBe('delivered');
    expect(notification?.attempts).toEqual([expect.objectContaining({ outcome: 'success' })]);
    // orderquery failed throughout: its fault is still in place.
    expect(await orderqueryFaultsLeft()).toBeGreaterThan(0);
    const order = await bffOrder(page, outTradeNo);
    expect(order.status).toBe('PAID');
    expect(order.transactionId).toBe((await emulatorOrder(stack.emulatorUrl, outTradeNo)).transactionId);
    await context.close();
  });

  it('cancelling on the pay sheet leaves the order unpaid and offers 重新支付', async () => {
    const context = await wechatContext(browser, stack.emulatorUrl);
    const page = await context.newPage();
    const shot = screenshotter(page, 'wechat-cancel');
    // Silent snsapi_base sign-in: the storefront sends an anonymous WeChat shopper to the BFF's login.
    await page.goto(stack.storefrontUrl);
    const outTradeNo = await checkoutFirstProduct(page, shot);
    await page.getByTestId('wx-pay-sheet').waitFor();
    await page.getByTestId('wx-pay-cancel').click();
    await page.getByRole('button', { name: '重新支付' }).waitFor();
    await shot('cancelled');
    expect((await bffOrder(page, outTradeNo)).status).toBe('PENDING');
    expect((await emulatorOrder(stack.emulatorUrl, outTradeNo)).state).toBe('NOTPAY');

    // Retrying reuses the same prepay and can still be paid.
    await page.getByRole('button', { name: '重新支付' }).click();
    await page.getByTestId('wx-pay-confirm').click();
    await page.getByText('支付成功').waitFor({ timeout: 120_000 });
    await shot('paid-after-retry');
    expect((await bffOrder(page, outTradeNo)).status).toBe('PAID');
    await context.close();
  });
});

describe('desktop browser (NATIVE)', () => {
  it('shows the order QR code as a guest and moves to 支付成功 after the code is paid', async () => {
    const context = await desktopContext(browser);
    const page = await context.newPage();
    const shot = screenshotter(page, 'desktop-native');
    const response = await page.goto(stack.storefrontUrl);
    const csp = (await response!.headerValue('content-security-policy')) ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self' https://res.wx.qq.com",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp.split('; ')).toContain(directive);
    }
    const outTradeNo = await checkoutFirstProduct(page, shot);
    expect(new URL(page.url()).origin).toBe(stack.storefrontUrl); // no WeChat sign-in outside WeChat
    await page.getByText('支付完成后页面将自动跳转').waitFor();
    // The QR code itself is drawn (lazily loaded qrcode chunk), not just its placeholder.
    const qr = page.getByRole('img', { name: /^微信支付二维码/ });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThanOrEqual(240);
    // The quiet zone round the code is 4 modules wide, as the QR standard asks: measured from
    // the top-left finder pattern, whose top edge is 7 modules of dark.
    const quietModules = await qr.evaluate((img: HTMLImageElement) => {
      const canvas = Object.assign(document.createElement('canvas'), {
        width: img.naturalWidth,
        height: img.naturalHeight,
      });
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data, width } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const dark = (x: number, y: number) => data[(y * width + x) * 4]! < 128;
      let corner = 0;
      while (corner < width && !dark(corner, corner)) corner += 1;
      let edge = 0;
      while (dark(corner + edge, corner)) edge += 1;
      return corner / (edge / 7);
    });
    expect(quietModules).toBeGreaterThanOrEqual(3.9);
    await shot('qr-code');
    // On a 360 px wide window the code still fits, with no sideways scrolling.
    await page.setViewportSize({ width: 360, height: 740 });
    const box = (await qr.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot('qr-code-360');

    // "Scan" the code_url with the emulator's NATIVE page, as a phone would.
    const { codeUrl } = await emulatorOrder(stack.emulatorUrl, outTradeNo);
    expect(codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=\w{7}$/);
    const phone = await context.newPage();
    await phone.goto(`${stack.emulatorUrl}/native?code_url=${encodeURIComponent(codeUrl!)}`);
    await phone.getByTestId('wx-pay-confirm').click();
    await phone.getByTestId('wx-order-state').waitFor();

    await page.getByText('支付成功').waitFor({ timeout: 120_000 });
    await shot('paid');
    expect((await bffOrder(page, outTradeNo)).status).toBe('PAID');
    await context.close();
  });
});

describe('content security policy', () => {
  it("refuses inline script, eval, other origins' images and requests on the storefront, and the test sees each refusal", async () => {
    const context = await desktopContext(browser);
    const page = await context.newPage();
    await page.goto(stack.storefrontUrl);
    await page.locator('.product-card').first().waitFor();
    const outcome = await page.evaluate(async (emulatorUrl) => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.append(script);
      // A string timer is eval by another name (eval inside page.evaluate itself is exempt from CSP).
      setTimeout('window.__evalRan = true', 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const loads = (src: string) =>
        new Promise<boolean>((resolve) =>
          Object.assign(new Image(), { onload: () => resolve(true), onerror: () => resolve(false), src }),
        );
      return {
        inlineRan: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true,
        evalRan: (window as unknown as { __evalRan?: boolean }).__evalRan === true,
        // The emulator answers userinfo here, so its avatars are allowed like WeChat's avatar hosts.
        emulatorAvatar: await loads(`${emulatorUrl}/__emulator/avatar/zhangsan/64`),
        otherImage: await loads(`${emulatorUrl.replace('127.0.0.1', 'localhost')}/__emulator/avatar/zhangsan/64`),
        fetchedElsewhere: await fetch(`${emulatorUrl}/console`).then(
          () => true,
          () => false,
        ),
      };
    }, stack.emulatorUrl);
    expect(outcome).toEqual({
      inlineRan: false,
      evalRan: false,
      emulatorAvatar: true,
      otherImage: false,
      fetchedElsewhere: false,
    });
    const seen: string[] = [];
    await expect
      .poll(() => {
        seen.push(...takeCspViolations().map((v) => `${v.directive} ${v.blocked}`));
        return [...new Set(seen)].sort();
      })
      .toEqual([
        `connect-src ${stack.emulatorUrl}/console`,
        `img-src ${stack.emulatorUrl.replace('127.0.0.1', 'localhost')}/__emulator/avatar/zhangsan/64`,
        'script-src eval',
        'script-src-elem inline',
      ]);
    await context.close();
  });
});

describe('error states in the browser', () => {
  it('shows a network failure on the catalog with 重试, which loads the products', async () => {
    const context = await desktopContext(browser);
    const page = await context.newPage();
    const shot = screenshotter(page, 'network-error');
    await page.route('**/api/products', (route) => route.abort('internetdisconnected'), { times: 1 });
    await page.goto(stack.storefrontUrl);
    const alert = page.getByRole('alert');
    await alert.getByText('网络异常，请检查网络后重试').waitFor();
    await shot('catalog-offline');
    await alert.getByRole('button', { name: '重试' }).click();
    await page.locator('.product-card').first().waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await shot('catalog-retried');
    await context.close();
  });

  it('when stock runs out between cart and 提交订单, says so (409), marks the line and lets the shopper fix the cart', async () => {
    const products = (await (await fetch(`${stack.storefrontUrl}/api/products`)).json()) as {
      products: { id: string; name: string; stock: number }[];
    };
    const scarce = products.products.filter((p) => p.stock > 1).sort((a, b) => a.stock - b.stock)[0]!;

    const context = await desktopContext(browser);
    const page = await context.newPage();
    const shot = screenshotter(page, 'out-of-stock');
    // Take all of it: the stepper stops at the stock.
    await page.goto(`${stack.storefrontUrl}/products/${scarce.id}`);
    const more = page.getByRole('button', { name: `增加${scarce.name}数量` });
    for (let i = 1; i < scarce.stock; i += 1) await more.click();
    expect(await more.isDisabled()).toBe(true);
    await page.getByRole('button', { name: '加入购物车' }).click();
    await page.goto(`${stack.storefrontUrl}/checkout`);
    const submit = page.getByRole('button', { name: '提交订单' });
    await submit.waitFor();
    await ensureDeliveryAddress(page);

    // Another shopper buys one meanwhile.
    const other = await desktopContext(browser);
    const otherPage = await other.newPage();
    await otherPage.goto(`${stack.storefrontUrl}/cart`);
    const status = await otherPage.evaluate(
      async ({ productId, deliveryAddress }) =>
        (
          await fetch('/api/orders', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ items: [{ productId, quantity: 1 }], deliveryAddress }),
          })
        ).status,
      { productId: scarce.id, deliveryAddress: DELIVERY_ADDRESS },
    );
    expect(status).toBe(201);
    await other.close();

    await submit.click();
    await page.getByRole('alert').getByText(`「${scarce.name}」库存不足`).waitFor();
    await page.getByRole('link', { name: '返回购物车修改' }).waitFor();
    expect(await page.getByRole('button', { name: '提交订单' }).count()).toBe(0);
    // The total leaves the marked line out and says so, in one piece even on a 320 px phone.
    await page.setViewportSize({ width: 320, height: 740 });
    await expect.poll(() => textLines(page.locator('.summary-bar').getByText('不含标出的商品'))).toBe(1);
    await shot('checkout-409');

    await page.getByRole('link', { name: '返回购物车修改' }).click();
    await page.locator('.line .warning').getByText('库存不足').waitFor();
    await expect.poll(() => textLines(page.locator('.van-submit-bar').getByText('不含标出的商品'))).toBe(1);
    await shot('cart-short');
    await page.getByRole('button', { name: `减少${scarce.name}数量` }).click();
    await page.getByRole('button', { name: /^结算\(\d+\)$/ }).click();
    await page.getByRole('button', { name: '提交订单' }).click();
    await page.waitForURL(/\/orders\/[^/]+\/pay/);
    const order = await bffOrder(page, outTradeNoFrom(page)!);
    expect(order.items).toEqual([expect.objectContaining({ productId: scarce.id, quantity: scarce.stock - 1 })]);
    await context.close();
  });

  it('an unknown product id says 商品不存在 with 返回首页 instead of 重试', async () => {
    const context = await desktopContext(browser);
    const page = await context.newPage();
    const shot = screenshotter(page, 'unknown-product');
    await page.goto(`${stack.storefrontUrl}/products/no-such-product`);
    const alert = page.getByRole('alert');
    await alert.getByText('商品不存在').waitFor();
    expect(await page.getByRole('button', { name: '重试' }).count()).toBe(0);
    await shot('not-found');
    await alert.getByRole('link', { name: '返回首页' }).click();
    await page.locator('.product-card').first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await context.close();
  });
});

describe('a lost answer to 提交订单', () => {
  it('pressing 提交订单 again after 网络异常 lands on the order the lost request created: one order in 我的订单', async () => {
    const context = await wechatContext(browser, stack.emulatorUrl);
    const page = await context.newPage();
    const shot = screenshotter(page, 'lost-order-answer');
    // Inside WeChat the shopper is signed in (silent snsapi_base) before checking out, so the
    // session cookie is not part of what gets lost.
    await page.goto(stack.storefrontUrl);
    await openCheckoutWithFirstProduct(page, shot);
    const listOrders = async () =>
      OrderListSchema.parse(await page.evaluate(async () => (await fetch('/api/orders')).json())).orders;
    expect(await page.evaluate(async () => (await (await fetch('/api/me')).json()).signedIn)).toBe(true);
    const before = (await listOrders()).length;

    // The first POST reaches the BFF, which creates the order; then the connection drops before the answer.
    let lost: { status: number; outTradeNo: string } | undefined;
    await page.route('**/api/orders', async (route) => {
      if (route.request().method() !== 'POST' || lost) return route.fallback();
      const response = await route.fetch();
      lost = { status: response.status(), outTradeNo: OrderSchema.parse(await response.json()).outTradeNo };
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: '提交订单' }).click();
    await page.getByRole('alert').getByText('网络异常，请检查网络后重试').waitFor();
    await shot('network-error');
    expect(lost?.status).toBe(201);

    const answer = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/orders' && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: '提交订单' }).click();
    expect((await answer).status()).toBe(200);
    expect((await answer).headers()['idempotent-replayed']).toBe('true');
    expect(await orderOnPayPage(page)).toBe(lost!.outTradeNo);
    await shot('pay-page');

    await page.goto(`${stack.storefrontUrl}/orders`);
    await page.locator(`[data-order="${lost!.outTradeNo}"]`).waitFor();
    await shot('my-orders');
    expect(await page.locator(`[data-order="${lost!.outTradeNo}"]`).count()).toBe(1);
    expect(await page.locator('[data-order]').count()).toBe(before + 1);
    expect((await listOrders()).length).toBe(before + 1);
    await context.close();
  });
});

describe('my orders abroad', () => {
  it('shows order times in Beijing time, on the date the order number carries, in a Los Angeles browser', async () => {
    const context = await desktopContext(browser, { timezoneId: 'America/Los_Angeles' });
    const page = await context.newPage();
    await page.goto(`${stack.storefrontUrl}/orders`);
    await page.getByText('还没有订单').waitFor();
    const { productId, browserOffset } = await page.evaluate(async () => {
      const { products } = (await (await fetch('/api/products')).json()) as {
        products: { id: string; stock: number }[];
      };
      return { productId: products.find((p) => p.stock > 0)!.id, browserOffset: new Date().getTimezoneOffset() };
    });
    expect(browserOffset).toBeGreaterThan(0); // the browser really is behind UTC
    const created = await page.evaluate(
      async ({ id, deliveryAddress }) =>
        (
          await fetch('/api/orders', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ items: [{ productId: id, quantity: 1 }], deliveryAddress }),
          })
        ).json(),
      { id: productId, deliveryAddress: DELIVERY_ADDRESS },
    );
    const order = OrderSchema.parse(created);

    await page.getByRole('button', { name: '刷新' }).click();
    const time = page.locator(`[data-order="${order.outTradeNo}"] time`);
    await time.waitFor();
    const beijing = new Date(Date.parse(order.createdAt) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(await time.textContent()).toBe(beijing);
    // The order number starts with its Beijing date (yyyyMMdd).
    expect(beijing.slice(0, 10).replaceAll('-', '')).toBe(order.outTradeNo.slice(0, 8));
    await screenshotter(page, 'orders-abroad')('orders');
    await context.close();
  });
});

describe('history after the silent WeChat sign-in', () => {
  it('one Back leaves the shop: sign-in replaced the page it started from; the shop booted once', async () => {
    const context = await wechatContext(browser, stack.emulatorUrl);
    const page = await context.newPage();
    // The chat the shopper opened the shop from.
    const chat = 'data:text/html,<title>chat</title><h1>chat</h1>';
    await page.goto(chat);
    const shopPages: string[] = [];
    const entryScripts: string[] = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin !== stack.storefrontUrl) return;
      if (response.request().resourceType() === 'document' && response.status() === 200) shopPages.push(url.pathname);
      if (/^\/assets\/index-[\w-]+\.js$/.test(url.pathname)) entryScripts.push(url.pathname);
    });
    await page.goto(`${stack.storefrontUrl}/cart`);
    // Signed in (silently, through WeChat's redirects): the page shows once the session is settled.
    await page.getByRole('heading', { level: 1, name: '购物车' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/cart');
    // The BFF sent the page to the silent sign-in before answering it: the SPA loaded and booted once.
    expect(shopPages).toEqual(['/cart']);
    // Lazy chunks are named index-*.js too (Vant's modules): each script once, none loaded again.
    expect(entryScripts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(entryScripts).size).toBe(entryScripts.length);

    await page.goBack();
    expect(page.url()).toBe(chat);
    await context.close();
  });
});

describe('a page whose code cannot be loaded', () => {
  it('says so with 重试 while the server is down; after a deploy loads the page afresh once, never in a loop', async () => {
    const context = await desktopContext(browser);
    const page = await context.newPage();
    const shot = screenshotter(page, 'chunk-load-failure');
    const documents: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'document') documents.push(new URL(request.url()).pathname);
    });
    await page.goto(stack.storefrontUrl);
    await page.locator('.product-card').first().waitFor();
    documents.length = 0;

    // The cart page's own chunk (its content-hashed name is whatever this build made).
    let chunk: 'down' | 'gone' | 'ok' = 'down';
    await page.route(/\/assets\/CartView-[\w-]+\.js$/, (route) =>
      chunk === 'down'
        ? route.abort('connectionrefused')
        : chunk === 'gone'
          ? route.fulfill({ status: 404, body: 'Not Found' })
          : route.continue(),
    );
    // While "down", the page's check that the server answers fails too.
    await page.route('**/cart', (route) =>
      chunk === 'down' && route.request().method() === 'HEAD' ? route.abort('connectionrefused') : route.continue(),
    );

    await page.getByRole('link', { name: /^购物车/ }).click();
    const alert = page.getByRole('alert').filter({ hasText: '页面加载失败，请检查网络后重试' });
    await alert.waitFor();
    await shot('server-down');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(documents).toEqual([]);

    // Back up, but a deploy removed the chunk this page asks for: one full load of /cart, which
    // (its index.html still naming the missing chunk here) stops at the notice.
    chunk = 'gone';
    await alert.getByRole('button', { name: '重试' }).click();
    await page.waitForURL(/\/cart$/);
    await alert.waitFor();
    await page.waitForTimeout(1000);
    expect(documents).toEqual(['/cart']);
    await shot('after-deploy-reloaded-once');

    chunk = 'ok';
    await alert.getByRole('button', { name: '重试' }).click();
    await page.getByRole('heading', { level: 1, name: '购物车' }).waitFor();
    expect(await alert.count()).toBe(0);
    await context.close();
  });
});

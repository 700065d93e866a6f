/**
 * After payment, in real Chromium inside (emulated) WeChat: the operator ships through the admin
 * API and the shopper confirms receipt; a partial 申请退款 is approved and shows 退款成功; an unpaid
 * order is cancelled. Every storefront page passes axe-core without serious or critical findings.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { AdminAfterSaleListSchema, OrderSchema, ProductListSchema } from '@wxpay-shop/contract';
import { launchChromium, screenshotter, wechatContext } from '../src/browser';
import { cartLinkName, checkoutFirstProduct, ensureDeliveryAddress, orderOnPayPage } from '../src/flows';
import { startStack, type Stack } from '../src/stack';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
});

beforeEach(() => onTestFailed(() => console.error(stack.logs().slice(-20_000))));

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings on the page as it is now (WCAG 2 A/AA rules). */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's Content-Security-Policy does not apply.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    // The pay sheet is the emulator's stand-in for WeChat's native one, not a storefront page.
    const result = await axe.run(
      { exclude: [['[data-testid="wx-pay-sheet"]']] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
    );
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.targets.join(', ')}`);
}

/** Pages checked with axe, by name, and what it found (asserted empty at the end of each flow). */
const findings = new Map<string, string[]>();
async function audit(page: Page, name: string): Promise<void> {
  // Audit what the shopper reads, not a frame of an opening or closing dialog (half-transparent text).
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.van-dialog, .van-popup, .van-overlay')).every((e) => {
      const style = getComputedStyle(e);
      return (
        style.display === 'none' ||
        (style.opacity === '1' && !e.getAnimations().some((a: Animation) => a.playState === 'running'))
      );
    }),
  );
  findings.set(name, await seriousViolations(page));
}

/** Screenshots each step and audits it: catalog, product, cart and checkout come from checkoutFirstProduct. */
function auditedShots(page: Page, flow: string): (step: string) => Promise<void> {
  const shot = screenshotter(page, flow);
  return async (step) => {
    await shot(step);
    await audit(page, `${flow}/${step}`);
  };
}

async function admin(path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${stack.storefrontUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${stack.adminToken}` },
    body: JSON.stringify(body),
  });
}

async function bffOrder(page: Page, outTradeNo: string) {
  return OrderSchema.parse(await page.evaluate(async (no) => (await fetch(`/api/orders/${no}`)).json(), outTradeNo));
}

/** A listed product dearer than ¥1, so part of its price can be refunded. */
async function dearProduct(): Promise<{ id: string; name: string; priceFen: number }> {
  const { products } = ProductListSchema.parse(await (await fetch(`${stack.storefrontUrl}/api/products`)).json());
  const product = products.find((p) => p.priceFen > 100 && p.stock > 0);
  if (!product) throw new Error('no product dearer than ¥1 in stock');
  return product;
}

/** Product page → 加入购物车 → cart → 结算(1) → 提交订单: the order number on the pay page. */
async function checkoutProduct(page: Page, productId: string, shot: (step: string) => Promise<void>): Promise<string> {
  await page.goto(`${stack.storefrontUrl}/products/${productId}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.getByRole('button', { name: '加入购物车' }).click();
  await page.getByRole('status').getByText('已加入购物车').waitFor();
  await shot('product');
  await page.getByRole('link', { name: cartLinkName(1) }).click();
  await page.waitForURL(/\/cart$/);
  await shot('cart');
  await page.getByRole('button', { name: '结算(1)' }).click();
  await page.waitForURL(/\/checkout$/);
  await page.getByRole('button', { name: '提交订单' }).waitFor();
  await ensureDeliveryAddress(page);
  await shot('checkout');
  await page.getByRole('button', { name: '提交订单' }).click();
  return orderOnPayPage(page);
}

/** Product page → 立即购买 → 确认订单 (that item only) → 提交订单: the order number on the pay page. */
async function buyNow(page: Page, productId: string, shot: (step: string) => Promise<void>): Promise<string> {
  await page.goto(`${stack.storefrontUrl}/products/${productId}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await shot('product');
  await page.getByRole('button', { name: '立即购买' }).click();
  await page.waitForURL(/\/checkout\?buy=/);
  await page.getByRole('button', { name: '提交订单' }).waitFor();
  await ensureDeliveryAddress(page);
  await shot('checkout-buy-now');
  await page.getByRole('button', { name: '提交订单' }).click();
  return orderOnPayPage(page);
}

/** 提交订单 (立即购买, or through the cart) → the emulator's pay sheet → 确认支付 → 支付成功 (once the BFF says PAID). */
async function paidOrder(
  page: Page,
  shot: (step: string) => Promise<void>,
  via: { buyNow: string } | { cart: string },
): Promise<string> {
  await page.goto(stack.storefrontUrl);
  // Opening the shop signs the shopper in silently (WeChat OAuth redirects): wait until it is back.
  await page.locator('.product-card__link').first().waitFor();
  await shot('catalog');
  const outTradeNo =
    'buyNow' in via ? await buyNow(page, via.buyNow, shot) : await checkoutProduct(page, via.cart, shot);
  await shot('pay');
  await page.getByTestId('wx-pay-sheet').waitFor();
  await page.getByTestId('wx-pay-confirm').click();
  await page.waitForURL(/\/orders\/[^/]+\/result/);
  await page.getByText('支付成功').waitFor({ timeout: 30_000 });
  await shot('paid');
  return outTradeNo;
}

/** Confirms the Vant dialog that is showing. */
async function confirmDialog(page: Page): Promise<void> {
  await page.locator('.van-dialog').getByRole('button').last().click();
}

const progress = (page: Page) => page.getByTestId('order-progress');

/** A paid order from the first flow, for the shell's pay-result screenshot. */
let paidOutTradeNo: string | undefined;

describe('an order followed from payment to delivery and after-sale (WeChat, 360×740)', () => {
  it('立即购买 → pays, is shipped by the operator, shows 已发货 with the tracking number, and 确认收货 completes it', async () => {
    const context = await wechatContext(browser, stack.emulatorUrl);
    const page = await context.newPage();
    const shot = auditedShots(page, 'lifecycle-ship');
    const outTradeNo = await paidOrder(page, shot, { buyNow: (await dearProduct()).id });
    expect(outTradeNo).toMatch(/^\d{16,}$/);
    paidOutTradeNo = outTradeNo;

    // 我的订单 → 查看详情.
    await page.goto(`${stack.storefrontUrl}/orders`);
    await page.getByRole('tab', { name: '待发货' }).click();
    const card = page.locator('li', { hasText: `订单号 ${outTradeNo}` });
    await card.waitFor();
    expect(await card.locator('.tag').textContent()).toBe('待发货');
    await shot('my-orders-to-ship');
    await card.getByRole('link', { name: `查看详情 订单 ${outTradeNo}` }).click();
    await page.waitForURL(new RegExp(`/orders/${outTradeNo}$`));
    await expect.poll(async () => progress(page).textContent()).toBe('待发货');
    await shot('detail-to-ship');

    const shipped = await admin(`/api/admin/orders/${outTradeNo}/ship`, {
      carrier: '顺丰速运',
      trackingNo: 'SF1234567890',
    });
    expect(shipped.status).toBe(200);
    await page.reload();
    await expect.poll(async () => progress(page).textContent()).toBe('已发货');
    expect(await page.getByTestId('shipment').textContent()).toContain('SF1234567890');
    await shot('shipped');

    await page.getByRole('button', { name: '确认收货' }).click();
    await page.locator('.van-dialog').waitFor();
    await shot('confirm-receipt-dialog');
    await confirmDialog(page);
    await expect.poll(async () => progress(page).textContent()).toBe('已完成');
    await shot('received');
    const order = await bffOrder(page, outTradeNo);
    expect(order).toMatchObject({ status: 'PAID', fulfilment: 'RECEIVED', shipment: { trackingNo: 'SF1234567890' } });
    await context.close();
  });

  it('a partial 申请退款 is approved by the operator, and the shopper sees the amount and 退款成功', async () => {
    const context = await wechatContext(browser, stack.emulatorUrl);
    const page = await context.newPage();
    const shot = auditedShots(page, 'lifecycle-refund');
    const product = await dearProduct();
    const outTradeNo = await paidOrder(page, shot, { cart: product.id });
    await page.goto(`${stack.storefrontUrl}/orders/${outTradeNo}`);
    await page.getByRole('button', { name: '申请退款' }).click();
    const form = page.locator('.refund-form');
    await form.waitFor();
    await form.getByLabel(/退款金额/).fill('1.00');
    await form.getByLabel('退款原因').fill('拍多了');
    await shot('refund-form');
    await form.getByRole('button', { name: '提交申请' }).click();
    await expect.poll(async () => progress(page).textContent()).toBe('退款申请中');
    expect(await page.getByTestId('after-sales').textContent()).toContain('等待商家处理');
    await shot('refund-requested');

    const queue = AdminAfterSaleListSchema.parse(
      await (
        await fetch(`${stack.storefrontUrl}/api/admin/after-sales`, {
          headers: { Authorization: `Bearer ${stack.adminToken}` },
        })
      ).json(),
    );
    const request = queue.afterSales.find((a) => a.outTradeNo === outTradeNo);
    expect(request).toMatchObject({ amountFen: 100, kind: 'REFUND_ONLY' });
    expect((await admin(`/api/admin/after-sales/${request!.id}/approve`)).status).toBe(202);

    // WeChat settles the refund with its notification; the page shows it on the next load.
    await expect
      .poll(async () => (await bffOrder(page, outTradeNo)).refundedFen, { timeout: 30_000, interval: 250 })
      .toBe(100);
    await page.reload();
    await expect.poll(async () => page.getByTestId('after-sales').textContent()).toMatch(/退款成功\s*¥1\.00/);
    expect(await page.getByTestId('refunded').textContent()).toBe('¥1.00');
    expect((await bffOrder(page, outTradeNo)).totalFen).toBe(product.priceFen);
    expect(await progress(page).textContent()).toBe('待发货');
    await shot('refunded');
    await context.close();
  });

  it('cancelling an unpaid order closes it and gives the stock back', async () => {
    const stockOf = async () =>
      ProductListSchema.parse(await (await fetch(`${stack.storefrontUrl}/api/products`)).json()).products[0]!.stock;
    const context = await wechatContext(browser, stack.emulatorUrl);
    const page = await context.newPage();
    const shot = auditedShots(page, 'lifecycle-cancel');
    await page.goto(stack.storefrontUrl);
    const before = await stockOf();
    const outTradeNo = await checkoutFirstProduct(page, shot);
    expect(await stockOf()).toBe(before - 1);
    await page.goto(`${stack.storefrontUrl}/orders/${outTradeNo}`);
    await expect.poll(async () => progress(page).textContent()).toBe('待付款');
    expect(await page.locator('.order-detail__status').textContent()).toMatch(/剩余\s*\d\d:\d\d\s*自动关闭/);
    await shot('unpaid');
    await page.getByRole('button', { name: '取消订单' }).click();
    await confirmDialog(page);
    await expect.poll(async () => progress(page).textContent()).toBe('已关闭');
    await shot('cancelled');
    expect((await bffOrder(page, outTradeNo)).status).toBe('CLOSED');
    expect(await stockOf()).toBe(before);
    await context.close();
  });

  it('the shell on a 360×640 phone: a header of at most 48 px, the tab bar on 首页, 购物车 and 我的', async () => {
    const context = await wechatContext(browser, stack.emulatorUrl);
    const page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 640 });
    const shot = auditedShots(page, 'shell-360x640');
    const tabbar = page.getByRole('navigation', { name: '主导航' });

    await page.goto(stack.storefrontUrl);
    await page.locator('.product-card__link').first().waitFor();
    expect((await page.locator('header').boundingBox())!.height).toBeLessThanOrEqual(48);
    await tabbar.waitFor();
    await shot('catalog');

    await page
      .locator('.product-card')
      .getByRole('button', { name: /加入购物车$/ })
      .first()
      .click();
    await tabbar.getByRole('link', { name: cartLinkName(1) }).click();
    await page.getByRole('button', { name: '结算(1)' }).waitFor();
    // The submit bar sits above the tab bar, not under it.
    const bar = (await page.locator('.van-submit-bar').boundingBox())!;
    expect(bar.y + bar.height).toBeLessThanOrEqual((await tabbar.boundingBox())!.y + 1);
    await shot('cart');

    await tabbar.getByRole('link', { name: '我的' }).click();
    await page.locator('.account__name').waitFor();
    await page.getByRole('link', { name: /^待发货/ }).waitFor();
    await shot('mine');

    expect(paidOutTradeNo).toBeDefined();
    await page.goto(`${stack.storefrontUrl}/orders/${paidOutTradeNo}/result`);
    await page.getByText('支付成功').waitFor({ timeout: 30_000 });
    expect(await tabbar.count()).toBe(0);
    expect((await page.locator('header').boundingBox())!.height).toBeLessThanOrEqual(48);
    await shot('pay-result');
    await context.close();
  });

  it('axe-core finds no serious or critical violation on the pages visited', () => {
    expect(findings.size).toBeGreaterThanOrEqual(8);
    expect(Object.fromEntries(findings)).toEqual(Object.fromEntries([...findings.keys()].map((k) => [k, []])));
  });
});

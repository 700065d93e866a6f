/** Shopper journeys shared by the end-to-end suites. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The cart link (tab bar, product action bar), named 购物车，共 N 件 by its content (a space may separate its visually hidden part). */
export const cartLinkName = (count: number) => new RegExp(`^购物车\\s*，共 ${count} 件$`);

export const outTradeNoFrom = (page: Page) => /\/orders\/([^/]+)\/(pay|result)/.exec(new URL(page.url()).pathname)?.[1];

/**
 * Catalog → first product's page → 加入购物车 → the action bar's cart link → cart → 结算(1) → checkout
 * → 提交订单, with a screenshot of each screen; returns the order number.
 */
export async function checkoutFirstProduct(page: Page, shot: (step: string) => Promise<void>): Promise<string> {
  await openCheckoutWithFirstProduct(page, shot);
  await page.getByRole('button', { name: '提交订单' }).click();
  return orderOnPayPage(page);
}

/** The pay page after 提交订单: its order number, once the cart (whose items the order holds) is empty. */
export async function orderOnPayPage(page: Page): Promise<string> {
  await page.waitForURL(/\/orders\/[^/]+\/pay/);
  const outTradeNo = outTradeNoFrom(page);
  if (!outTradeNo) throw new Error(`no order number in ${page.url()}`);
  // The pay page has no cart link (no tab bar): read the saved cart itself.
  await page.waitForFunction(() => (JSON.parse(localStorage.getItem('wxpay-shop:cart:v1') ?? '[]') as []).length === 0);
  return outTradeNo;
}

/** Catalog → first product → cart → checkout, stopping before 提交订单 (a screenshot of each screen). */
export async function openCheckoutWithFirstProduct(page: Page, shot: (step: string) => Promise<void>): Promise<void> {
  const firstProduct = page.locator('.product-card__link').first();
  await firstProduct.waitFor();
  await shot('catalog');
  const name = (await firstProduct.locator('h2').textContent())!.trim();
  await firstProduct.click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await shot('product');
  await page.getByRole('button', { name: '加入购物车' }).click();
  await page.getByRole('status').getByText('已加入购物车').waitFor();

  await page.getByRole('link', { name: cartLinkName(1) }).click();
  // The product page has a 去结算 link of its own: wait for the cart route, not just the link.
  await page.waitForURL(/\/cart$/);
  await page.getByRole('button', { name: '结算(1)' }).waitFor();
  expect(await page.locator('.line__name').allTextContents()).toEqual([name]);
  await shot('cart');
  await page.getByRole('button', { name: '结算(1)' }).click();
  const submit = page.getByRole('button', { name: '提交订单' });
  await submit.waitFor();
  await ensureDeliveryAddress(page);
  await shot('checkout');
}

/**
 * 所在地区 with Vant's Area picker (its region data loads on demand): each column's option chosen from the
 * keyboard (focus, Enter), since a wheel clips the options far from the chosen one, then 确认.
 */
export async function pickRegion(page: Page, names: readonly [string, string, string]): Promise<void> {
  await page.getByRole('button', { name: /^所在地区/ }).click();
  const picker = page.getByRole('dialog', { name: '选择所在地区' });
  // As a shopper would: once the sheet has slid in (and focus moved into it).
  await picker.waitFor();
  await picker.evaluate((sheet) => Promise.all(sheet.getAnimations().map((a) => a.finished)));
  for (const [column, name] of names.entries()) {
    const option = picker.locator('.van-picker-column').nth(column).getByRole('button', { name, exact: true });
    await option.focus();
    await page.keyboard.press('Enter');
    await picker
      .locator('.van-picker-column')
      .nth(column)
      .locator('.van-picker-column__item--selected', { hasText: name })
      .waitFor();
  }
  await picker.getByRole('button', { name: '确认' }).click();
  await picker.waitFor({ state: 'hidden' });
  await page.getByRole('button', { name: `所在地区 ${names.join(' ')}` }).waitFor();
}

/**
 * Checkout's address card: types an address with the region picker, unless this browser already offers
 * the last one used (then 修改地址 shows). 提交订单 stays disabled until there is one.
 */
export async function ensureDeliveryAddress(page: Page): Promise<void> {
  const fill = page.getByRole('button', { name: '填写收货地址' });
  await fill
    .or(page.getByRole('button', { name: '修改地址' }))
    .first()
    .waitFor();
  if (!(await fill.isVisible())) return;
  await fill.click();
  await page.locator('input[name="name"]').fill('张三');
  await page.locator('input[name="mobile"]').fill('13800138000');
  await pickRegion(page, ['广东省', '广州市', '天河区']);
  await page.locator('textarea[name="detail"]').fill('天河路 385 号');
  await page.getByRole('button', { name: '保存地址' }).click();
  await page.locator('.address-card address').waitFor();
}

/** Shopper journeys shared by the end-to-end suites. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const outTradeNoFrom = (page: Page) => /\/orders\/([^/]+)\/(pay|result)/.exec(new URL(page.url()).pathname)?.[1];

/**
 * Catalog → first product's page → 加入购物车 → header cart link → cart → 去结算 → checkout
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
  await page.getByRole('link', { name: '购物车，共 0 件' }).waitFor();
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

  await page.getByRole('link', { name: '购物车，共 1 件' }).click();
  // The product page has a 去结算 link of its own: wait for the cart route, not just the link.
  await page.waitForURL(/\/cart$/);
  await page.getByRole('link', { name: '去结算' }).waitFor();
  expect(await page.locator('.line__name').allTextContents()).toEqual([name]);
  await shot('cart');
  await page.getByRole('link', { name: '去结算' }).click();
  const submit = page.getByRole('button', { name: '提交订单' });
  await submit.waitFor();
  await shot('checkout');
}

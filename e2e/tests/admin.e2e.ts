/**
 * The operator console in real Chromium against real processes: sign in, find an order, refund it with the
 * confirmation, see the audit log, reconcile a day whose bill has an injected discrepancy, ship the flagged order.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { desktopContext, launchChromium, screenshotter, takeCspViolations } from '../src/browser';
import { DELIVERY_ADDRESS } from '../src/delivery-address';
import { DEV_OPERATOR, startStack, type Stack } from '../src/stack';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
});
beforeEach(() => onTestFailed(() => console.error(stack.logs().slice(-20_000))));
afterEach(() => expect(takeCspViolations()).toEqual([]));
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A guest order paid on the emulator (NATIVE), settled by its notification. */
async function paidOrder(): Promise<{ outTradeNo: string; totalFen: number }> {
  const products = (await (await fetch(`${stack.storefrontUrl}/api/products`)).json()) as {
    products: { id: string }[];
  };
  const created = await fetch(`${stack.storefrontUrl}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      items: [{ productId: products.products[0]!.id, quantity: 1 }],
      deliveryAddress: DELIVERY_ADDRESS,
    }),
  });
  expect(created.status).toBe(201);
  const cookie = created.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const order = (await created.json()) as { outTradeNo: string; totalFen: number };
  const pay = await fetch(`${stack.storefrontUrl}/api/orders/${order.outTradeNo}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ tradeType: 'NATIVE' }),
  });
  expect(pay.status).toBe(200);
  const paid = await fetch(`${stack.emulatorUrl}/__emulator/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outTradeNo: order.outTradeNo }),
  });
  expect(paid.status).toBe(200);
  await expect
    .poll(
      async () =>
        (
          (await (
            await fetch(`${stack.storefrontUrl}/api/orders/${order.outTradeNo}`, { headers: { cookie } })
          ).json()) as { status: string }
        ).status,
      {
        timeout: 30_000,
      },
    )
    .toBe('PAID');
  return order;
}

describe('operator console', () => {
  it('signs in, finds and refunds an order, shows the audit log, flags an injected bill discrepancy', async () => {
    const refunded = await paidOrder();
    const mismatched = await paidOrder();
    const context = await desktopContext(browser, { timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    const shot = screenshotter(page, 'admin');

    await page.goto(`${stack.storefrontUrl}/admin/`);
    await page.waitForURL(/\/admin\/sign-in/);
    await page.locator('input[name=name]').fill(DEV_OPERATOR.name);
    await page.locator('input[type=password]').fill(DEV_OPERATOR.password);
    await shot('sign-in');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/admin\/today/);
    await page.getByText('近 30 天收款').waitFor();
    // uPlot draws on a canvas hidden from screen readers; the caption and a table say what it shows.
    const chart = page.locator('[data-test=paid-chart]');
    await chart.locator('canvas').waitFor();
    expect(await chart.locator('figcaption').innerText()).toMatch(/共收款 ¥\d+\.\d{2}；最高 \d{4}-\d{2}-\d{2}/);
    expect(await chart.locator('tbody tr').count()).toBe(30);
    await shot('today');

    await page.getByRole('link', { name: '订单', exact: true }).click();
    await page.locator('[data-test=search] input').fill(refunded.outTradeNo);
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByRole('link', { name: refunded.outTradeNo }).waitFor();
    await shot('orders-found');
    await page.getByRole('link', { name: refunded.outTradeNo }).click();
    await page.getByText(`订单 ${refunded.outTradeNo}`).waitFor();
    // Every WeChat call made for the order: here its prepay.
    await page.getByText('/pay/unifiedorder').waitFor();
    await page.getByRole('button', { name: '退款', exact: true }).click();
    const confirmation = page.getByText(`向用户退款 ¥${(refunded.totalFen / 100).toFixed(2)}`);
    await confirmation.waitFor();
    await shot('refund-confirmation');
    await page.getByRole('button', { name: '确认退款' }).click();
    await page.getByText('退款已提交').waitFor();
    await expect
      .poll(async () => page.getByText('REFUNDING').or(page.getByText('REFUNDED')).count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await shot('refunded');

    await page.getByRole('link', { name: '操作日志' }).click();
    const entry = page.locator('[data-test=audit] tr', { hasText: `order:${refunded.outTradeNo}` });
    await entry.waitFor();
    expect(await entry.innerText()).toContain('order.refund');
    expect(await entry.innerText()).toContain(`operator:${DEV_OPERATOR.name}`);
    await shot('audit-log');

    // WeChat's bill shows another amount for the second order.
    const injected = await fetch(`${stack.emulatorUrl}/__emulator/bill-discrepancy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'amount', outTradeNo: mismatched.outTradeNo, totalFen: mismatched.totalFen + 1 }),
    });
    expect(injected.status).toBe(201);
    const { billDate } = (await injected.json()) as { billDate: string };
    const day = `${billDate.slice(0, 4)}-${billDate.slice(4, 6)}-${billDate.slice(6)}`;
    await page.goto(`${stack.storefrontUrl}/admin/bills?day=${day}`);
    await page.locator('[data-test=reconcile]').click();
    const result = page.locator('[data-test=bill-result]');
    await result.getByText('DISCREPANCIES').waitFor({ timeout: 30_000 });
    expect(await result.innerText()).toContain('PAYMENT_AMOUNT_DIFFERS');
    expect(await result.innerText()).toContain(mismatched.outTradeNo);
    await shot('bill-discrepancy');
    await result.getByRole('link', { name: mismatched.outTradeNo }).click();
    await page.getByText(`bill ${day}: PAYMENT_AMOUNT_DIFFERS`).waitFor();
    await shot('flagged-order');
    // The flagged order still ships: carrier and tracking number through the lifecycle's ship action.
    await page.getByPlaceholder('快递公司').fill('顺丰速运');
    await page.getByPlaceholder('快递单号').fill('SF1234567890');
    await page.getByRole('button', { name: '发货', exact: true }).click();
    await page.getByText('已发货', { exact: true }).waitFor();
    await shot('shipped');
    await context.close();
  });
});

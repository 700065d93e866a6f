/**
 * The emulator's /console in Chromium: every control is used once from the page (buttons and forms,
 * never the control API directly), and each effect is checked in the emulator's state. The orders,
 * pay sheets, refunds and OAuth tokens it acts on are made the way a BFF and a shop page make them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAuthorizeUrl,
  buildJsapiPayParams,
  buildJssdkConfig,
  JssdkTokenClient,
  OAuthClient,
  PayClient,
  randomString,
} from '@wxpay-shop/wechat';
import {
  createEmulator,
  DEFAULT_MERCHANT,
  FAULT_KINDS,
  FAULT_TARGETS,
  openidFor,
  type Emulator,
} from '@wxpay-shop/wechat-emulator';
import { launchChromium, screenshotter } from '../src/browser';

const M = DEFAULT_MERCHANT;
const SUCCESS_REPLY =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';

let emu: Emulator;
let receiver: Server;
let notifyUrl: string;
let pay: PayClient;
let browser: Browser;
let page: Page;
let shot: (step: string) => Promise<void>;

beforeAll(async () => {
  // The merchant's notify endpoint, answering SUCCESS; its origin also serves as "another site".
  receiver = createServer((req, res) => {
    if (req.method === 'GET') return void res.end('<!doctype html><title>another site</title>');
    req.resume().on('end', () => res.end(SUCCESS_REPLY));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;
  // Refunds stay PROCESSING until the console ends them; retries stay far away.
  emu = createEmulator({ port: 0, httpsPort: 0, notifyTimeScale: 1, refundDelayMs: 600_000 });
  await emu.start();
  pay = new PayClient({
    appId: M.appId,
    mchId: M.mchId,
    apiKey: M.apiKey,
    signType: 'MD5',
    payBaseUrl: emu.httpUrl,
    secapiBaseUrl: emu.httpsUrl,
    tls: { cert: emu.certs.merchantCert, key: emu.certs.merchantKey, ca: emu.certs.caCert },
    retries: 0,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  shot = screenshotter(page, 'console');
  // Reset asks for confirmation.
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${emu.httpUrl}/console`);
});

afterAll(async () => {
  await browser?.close();
  await emu?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** A JSAPI order as the BFF places it; returns its ids. */
async function placeOrder(): Promise<{ outTradeNo: string; prepayId: string }> {
  const outTradeNo = `C${Date.now()}${randomString(6)}`;
  const { prepayId } = await pay.unifiedOrder({
    outTradeNo,
    body: '控制台测试-商品',
    totalFee: 1200,
    spbillCreateIp: '127.0.0.1',
    notifyUrl,
    tradeType: 'JSAPI',
    openid: openidFor(M.appId, 'zhangsan'),
  });
  return { outTradeNo, prepayId };
}

/** What bridge.js does when the shop page calls getBrandWCPayRequest: the pay sheet opens. */
async function openPaySheet(prepayId: string): Promise<string> {
  const params = buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'MD5', apiKey: M.apiKey });
  const res = await fetch(`${emu.httpUrl}/__bridge/pay-request`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  const sheet = (await res.json()) as { ok: boolean; ticket?: string; err_desc?: string };
  if (!sheet.ok || !sheet.ticket) throw new Error(`pay sheet did not open: ${sheet.err_desc}`);
  return sheet.ticket;
}

/** expect.poll with room for a busy machine: the page itself refreshes once a second. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000 });
const row = (table: string, id: string) => page.locator(`#${table} tr[data-id="${id}"]`);
const action = (table: string, id: string, name: string) => row(table, id).locator(`button[data-action="${name}"]`);
const order = (outTradeNo: string) => emu.state.findOrder(M.mchId, outTradeNo);

describe('emulator console (/console) in Chromium', () => {
  it('updates itself: an order placed after the page loaded appears without a reload', async () => {
    const { outTradeNo } = await placeOrder();
    await row('orders', outTradeNo).waitFor();
    await poll(() => row('orders', outTradeNo).textContent()).toContain('NOTPAY');
  });

  it('pays one open pay sheet and cancels another, as the user on the sheet would', async () => {
    const paid = await placeOrder();
    const paidTicket = await openPaySheet(paid.prepayId);
    const cancelled = await placeOrder();
    const cancelledTicket = await openPaySheet(cancelled.prepayId);

    await action('sheets', paidTicket, 'sheet-pay').click();
    await poll(() => order(paid.outTradeNo)?.state).toBe('SUCCESS');
    expect(emu.state.tickets.get(paidTicket)?.status).toBe('paid');

    await action('sheets', cancelledTicket, 'sheet-cancel').click();
    await poll(() => emu.state.tickets.get(cancelledTicket)?.status).toBe('cancelled');
    expect(order(cancelled.outTradeNo)?.state).toBe('NOTPAY');
    await poll(() => row('sheets', cancelledTicket).count()).toBe(0);
  });

  it("sets an unpaid order's trade state, cancels its next sheet, then pays it from its row", async () => {
    const { outTradeNo, prepayId } = await placeOrder();
    await action('orders', outTradeNo, 'trade-state').filter({ hasText: 'USERPAYING' }).click();
    await poll(() => order(outTradeNo)?.state).toBe('USERPAYING');

    await action('orders', outTradeNo, 'order-cancel-next').click();
    await poll(() => emu.state.cancelNextSheet.has(prepayId)).toBe(true);

    await action('orders', outTradeNo, 'order-pay').click();
    await poll(() => order(outTradeNo)?.state).toBe('SUCCESS');
  });

  it("shows a notification's attempts with our replies; Replay and Notify ×2 send it again", async () => {
    const { outTradeNo, prepayId } = await placeOrder();
    await emu.pay(prepayId);
    const delivery = () =>
      [...emu.state.deliveries.values()].find((d) => d.outTradeNo === outTradeNo && d.kind === 'pay');
    await poll(() => delivery()?.status).toBe('delivered');
    const id = delivery()!.id;
    await poll(() => row('notifications', id).textContent()).toContain(
      'our reply: <xml><return_code><![CDATA[SUCCESS]]>',
    );

    await action('notifications', id, 'replay').click();
    await poll(() => delivery()!.attempts.filter((a) => a.manual === 'replay').length).toBe(1);

    await poll(() => row('notifications', id).locator('li').count()).toBe(2);

    // Duplicates are a delivery of their own: the same notification sent twice at once.
    await action('orders', outTradeNo, 'notify-duplicates').click();
    const duplicated = () => [...emu.state.deliveries.values()].find((d) => d.outTradeNo === outTradeNo && d.id !== id);
    await poll(() => duplicated()?.attempts.filter((a) => a.manual === 'duplicate').length).toBe(2);
    await poll(() => row('notifications', duplicated()!.id).locator('li').count()).toBe(2);
  });

  it("downloads the day's bill with a paid order in it, in WeChat's format", async () => {
    const { outTradeNo, prepayId } = await placeOrder();
    await emu.pay(prepayId);
    const paidAt = order(outTradeNo)!.paidAt!;
    const day = new Date(paidAt + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
    await page.locator('#bill-form input[name="date"]').fill(day);
    await Promise.all([page.waitForURL(/\/__emulator\/bill\?/), page.locator('#bill-form button').click()]);
    const bill = await page.locator('body').innerText();
    expect(bill).toMatch(/^交易时间,公众账号ID,商户号/);
    expect(bill).toContain(`\`${outTradeNo}`);
    expect(bill).toContain('总交易单数');
    await page.goto(`${emu.httpUrl}/console`);
  });

  it('ends a PROCESSING refund, arranges outcomes for later refunds and forgets them', async () => {
    const { outTradeNo, prepayId } = await placeOrder();
    await emu.pay(prepayId);
    const outRefundNo = `R${Date.now()}`;
    await pay.refund({ outTradeNo, outRefundNo, totalFee: 1200, refundFee: 500 });
    const refund = () => emu.state.refunds.get(`${M.mchId}:${outRefundNo}`);
    expect(refund()?.status).toBe('PROCESSING');

    await action('refunds', outRefundNo, 'refund-end').filter({ hasText: 'CHANGE' }).click();
    await poll(() => refund()?.status).toBe('CHANGE');

    await page.locator('#outcome-status').selectOption('REFUNDCLOSE');
    await page.locator('#outcome-refund-no').fill('RNEXT1');
    await page.locator('#outcome-count').fill('2');
    await page.locator('#refund-outcome-form button[type="submit"]').click();
    await poll(() => emu.state.refundOutcomes).toMatchObject([
      { status: 'REFUNDCLOSE', outRefundNo: 'RNEXT1', remaining: 2 },
    ]);

    await page.locator('#outcome-clear').click();
    await poll(() => emu.state.refundOutcomes.length).toBe(0);
  });

  it('injects every fault kind each target takes, clears each one from its row, and clears all', async () => {
    const pairs: [string, string][] = [];
    for (const target of FAULT_TARGETS) {
      await page.locator('#fault-target').selectOption(target);
      const kinds = await page
        .locator('#fault-kind option')
        .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
      expect(kinds.every((k) => (FAULT_KINDS as readonly string[]).includes(k))).toBe(true);
      for (const kind of kinds) {
        await page.locator('#fault-kind').selectOption(kind);
        if (kind === 'bizerror') await page.locator('#fault-errcode').fill('NOTENOUGH');
        if (kind === 'delay') await page.locator('#fault-delay').fill('250');
        await page.locator('#fault-form button[type="submit"]').click();
        pairs.push([target, kind]);
        await poll(() => emu.state.faults.length).toBe(pairs.length);
      }
    }
    expect(emu.state.faults.map((f) => [f.target, f.kind])).toEqual(pairs);
    expect(emu.state.faults.find((f) => f.kind === 'bizerror')).toMatchObject({
      target: 'unifiedorder',
      errCode: 'NOTENOUGH',
    });
    expect(emu.state.faults.find((f) => f.kind === 'delay')?.delayMs).toBe(250);
    await poll(() => page.locator('#faults tr[data-id]').count()).toBe(pairs.length);
    await shot('faults');
    // Every kind (9, v3's probe signature included) for the five pay APIs, those and badhash for v3's tradebill,
    // 6 for OAuth, 5 for notify, and 4 for v2's bill download (no sign, no business errors).
    expect(pairs.length).toBe(5 * 9 + 10 + 4 * 6 + 5 + 4);

    for (let left = pairs.length; left > pairs.length - 3; left -= 1) {
      const first = String(emu.state.faults[0]!.id);
      await action('faults', first, 'fault-clear').click();
      await poll(() => emu.state.faults.length).toBe(left - 1);
      expect(emu.state.faults.some((f) => String(f.id) === first)).toBe(false);
    }
    await page.locator('#faults-clear').click();
    await poll(() => emu.state.faults.length).toBe(0);
  });

  it('switches the current test user and shows OAuth codes and tokens in use', async () => {
    await action('users', 'xiaoli', 'current-user').click();
    await poll(() => emu.state.currentUserId).toBe('xiaoli');
    await poll(() => page.locator('#current-user').textContent()).toBe('小李🐼 (xiaoli)');

    // Silent snsapi_base sign-in as the BFF starts it: the code is issued for the current user.
    const authorize = buildAuthorizeUrl({
      openBaseUrl: emu.httpUrl,
      appId: M.appId,
      redirectUri: 'http://127.0.0.1/callback',
      scope: 'snsapi_base',
      state: 'console1',
    });
    const redirect = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    await poll(() => row('oauth-codes', code).textContent()).toContain('unused');
    const oauth = new OAuthClient({
      appId: M.appId,
      appSecret: M.appSecret,
      openBaseUrl: emu.httpUrl,
      apiBaseUrl: emu.httpUrl,
    });
    const token = await oauth.exchangeCode(code);
    expect(token.openid).toBe(openidFor(M.appId, 'xiaoli'));
    await poll(() => row('oauth-codes', code).textContent()).toContain('used');
    await poll(() => row('oauth-tokens', token.accessToken).textContent()).toContain(token.openid);
    await shot('everything-shown');
  });

  it('shows the /cgi-bin call counts and share cards; Invalidate global tokens makes getticket answer 40001', async () => {
    const tokens = new JssdkTokenClient({ appId: M.appId, appSecret: M.appSecret, apiBaseUrl: emu.httpUrl });
    const token = await tokens.fetchAccessToken();
    const ticket = await tokens.fetchJsapiTicket(token.value);
    await poll(() => row('cgi', 'getticket').textContent()).toBe('getticket10');
    await page.locator('#invalidate-tokens').click();
    await poll(() => emu.state.jssdk.tokens.size).toBe(0);
    await expect(tokens.fetchJsapiTicket(token.value)).rejects.toMatchObject({ errcode: 40001, isTokenInvalid: true });
    await poll(() => row('cgi', 'getticket').textContent()).toBe('getticket21');

    // A share card as a shop page sets it through /jweixin.js (here: the endpoint the script calls).
    const pageUrl = 'http://127.0.0.1/products/green-tea';
    const config = buildJssdkConfig({ appId: M.appId, jsapiTicket: ticket.value, url: pageUrl });
    const json = { 'Content-Type': 'application/json' };
    expect(
      await (
        await fetch(`${emu.httpUrl}/__jssdk/config`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ ...config, url: pageUrl }),
        })
      ).json(),
    ).toEqual({ ok: true });
    const card = {
      kind: 'appMessage',
      appId: M.appId,
      title: '西湖龙井',
      desc: '¥9.90 · 明前',
      link: pageUrl,
      imgUrl: `${emu.httpUrl}/__emulator/avatar/zhangsan/132`,
      pageUrl,
    };
    expect(
      await (
        await fetch(`${emu.httpUrl}/__jssdk/share`, { method: 'POST', headers: json, body: JSON.stringify(card) })
      ).json(),
    ).toEqual({ ok: true });
    await poll(() => page.locator('#shares .share-card').first().textContent()).toBe('西湖龙井¥9.90 · 明前');
    await poll(() => page.locator('#wxconfigs').textContent()).toContain('1 ok, 0 refused');
    await shot('jssdk');
  });

  it("another site's page cannot reset through the console's API; the console's Reset button can", async () => {
    expect(emu.state.orders.size).toBeGreaterThan(0);
    const other = await browser.newPage();
    await other.goto(notifyUrl.replace('/notify', '/'));
    const refused = await other.evaluate(async (url) => {
      try {
        await fetch(`${url}/__emulator/reset`, { method: 'POST' });
        return 'sent and readable';
      } catch {
        return 'blocked';
      }
    }, emu.httpUrl);
    await other.close();
    expect(refused).toBe('blocked');
    expect(emu.state.orders.size).toBeGreaterThan(0);

    await page.locator('#reset').click();
    await poll(() => emu.state.orders.size).toBe(0);
    await poll(() => page.locator('#orders').textContent()).toContain('none');
  });
});

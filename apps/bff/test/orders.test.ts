import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  ApiErrorSchema,
  OrderListSchema,
  OrderSchema,
  PayResponseSchema,
  ProductListSchema,
  ProductSchema,
} from '@wxpay-shop/contract';
import { verifyJsapiPayParams } from '@wxpay-shop/wechat';
import { backends } from './helpers/backends';
import { MERCHANT, createOrder, signIn, useStack } from './helpers/stack';
import { DELIVERY_ADDRESS, orderBody } from './helpers/delivery-address';

describe.each(backends)('catalog and orders over HTTP ($name)', (backend) => {
  const { stack } = useStack(backend);

  it('lists six seeded products with server prices', async () => {
    const res = await stack.browser().get('/api/products');
    expect(res.status).toBe(200);
    const { products } = ProductListSchema.parse(await res.json());
    expect(products).toHaveLength(6);
    expect(products.map((p) => p.priceFen)).toContain(1);
    expect(products.map((p) => p.priceFen)).toContain(990);
    expect(products.every((p) => /[\u4e00-\u9fff]/.test(p.name))).toBe(true);
    const one = ProductSchema.parse(await (await stack.browser().get('/api/products/green-tea')).json());
    expect(one.priceFen).toBe(990);
    expect((await stack.browser().get('/api/products/nope')).status).toBe(404);
  });

  it('serves the catalog without reading the session store', async () => {
    const browser = stack.browser();
    await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
    expect(browser.cookies.get('wxshop.sid')).toBeTruthy();
    // With the sessions table gone, anything that loads the session fails; the catalog must not.
    await sql`ALTER TABLE sessions RENAME TO sessions_away`.execute(stack.database.db);
    try {
      expect((await browser.get('/api/products')).status).toBe(200);
      expect((await browser.get('/api/products/mug')).status).toBe(200);
      expect((await browser.get('/api/me')).status).toBe(500);
    } finally {
      await sql`ALTER TABLE sessions_away RENAME TO sessions`.execute(stack.database.db);
    }
    expect((await browser.get('/api/me')).status).toBe(200);
  });

  it('stores no session and sets no cookie for a visitor who only reads', async () => {
    const db = stack.database.db;
    const sessionCount = async () =>
      Number(
        (
          await db
            .selectFrom('sessions')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const owner = stack.browser();
    const order = await createOrder(owner, [{ productId: 'sticker', quantity: 1 }]);
    const before = await sessionCount();
    const visitor = stack.browser();
    const reads = [
      await visitor.get('/api/orders'),
      await visitor.get(`/api/orders/${order.outTradeNo}`),
      await visitor.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' }),
      await visitor.get('/api/me'),
    ];
    expect(reads.map((r) => r.status)).toEqual([200, 404, 404, 200]);
    expect(reads.flatMap((r) => r.headers.getSetCookie())).toEqual([]);
    expect(await sessionCount()).toBe(before);
    // The first order is what gives a visitor a session.
    await createOrder(visitor, [{ productId: 'sticker', quantity: 1 }]);
    expect(visitor.cookies.get('wxshop.sid')).toBeTruthy();
    expect(await sessionCount()).toBe(before + 1);
    expect(OrderListSchema.parse(await (await visitor.get('/api/orders')).json()).orders).toHaveLength(1);
  });

  it('creates an order with a server-computed total and a valid out_trade_no', async () => {
    const browser = stack.browser();
    const res = await browser.post(
      '/api/orders',
      orderBody([
        { productId: 'green-tea', quantity: 2 },
        { productId: 'mug', quantity: 1 },
        { productId: 'green-tea', quantity: 1 },
      ]),
    );
    expect(res.status).toBe(201);
    const order = OrderSchema.parse(await res.json());
    expect(order.totalFen).toBe(990 * 3 + 2990);
    expect(order.status).toBe('PENDING');
    expect(order.outTradeNo).toMatch(/^[0-9A-Za-z]{1,32}$/);
    expect(new Date(order.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    const list = OrderListSchema.parse(await (await browser.get('/api/orders')).json());
    expect(list.orders.map((o) => o.outTradeNo)).toEqual([order.outTradeNo]);
  });

  it.each([
    ['client-supplied price', { items: [{ productId: 'teapot', quantity: 1, priceFen: 1 }] }],
    ['client-supplied total', { items: [{ productId: 'teapot', quantity: 1 }], totalFen: 1 }],
    ['unknown product', { items: [{ productId: 'gold-bar', quantity: 1 }] }],
    ['zero quantity', { items: [{ productId: 'mug', quantity: 0 }] }],
    ['fractional quantity', { items: [{ productId: 'mug', quantity: 1.5 }] }],
    ['no items', { items: [] }],
    ['more than 99 of one product', { items: [{ productId: 'sticker', quantity: 100 }] }],
    [
      'split lines that add up to more than 99',
      {
        items: [
          { productId: 'sticker', quantity: 60 },
          { productId: 'sticker', quantity: 40 },
        ],
      },
    ],
    ['more than 50 lines', { items: Array.from({ length: 51 }, () => ({ productId: 'sticker', quantity: 1 })) }],
  ])('rejects %s with 400', async (_label, body) => {
    const res = await stack.browser().post('/api/orders', { deliveryAddress: DELIVERY_ADDRESS, ...body });
    expect(res.status).toBe(400);
    expect(ApiErrorSchema.parse(await res.json()).error.code).toBe('BAD_REQUEST');
  });

  it('rejects malformed and oversized JSON', async () => {
    const browser = stack.browser();
    const malformed = await browser.fetch('/api/orders', {
      method: 'POST',
      body: '{"items":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    const big = await browser.fetch('/api/orders', {
      method: 'POST',
      body: JSON.stringify({ items: [{ productId: 'x'.repeat(100_000), quantity: 1 }] }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(ApiErrorSchema.parse(await big.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    const form = await browser.fetch('/api/orders', {
      method: 'POST',
      body: 'items=1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(400);
  });

  it("hides another shopper's order (404) and refuses to pay it", async () => {
    const owner = stack.browser();
    const order = await createOrder(owner);
    const other = stack.browser();
    expect((await other.get(`/api/orders/${order.outTradeNo}`)).status).toBe(404);
    expect((await other.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(404);
    expect(OrderListSchema.parse(await (await other.get('/api/orders')).json()).orders).toEqual([]);
    expect((await owner.get(`/api/orders/${order.outTradeNo}`)).status).toBe(200);
  });

  it('lets a guest pay by QR code (NATIVE) but requires sign-in for JSAPI', async () => {
    const guest = stack.browser();
    const order = await createOrder(guest);
    const jsapi = await guest.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'JSAPI' });
    expect(jsapi.status).toBe(401);
    expect(ApiErrorSchema.parse(await jsapi.json()).error.code).toBe('UNAUTHENTICATED');
    const native = await guest.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    expect(native.status).toBe(200);
    const pay = PayResponseSchema.parse(await native.json());
    expect(pay.tradeType).toBe('NATIVE');
    // Switching trade type on the same out_trade_no would be "201 商户订单号重复" at WeChat.
    await signIn(stack, guest);
    expect((await guest.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'JSAPI' })).status).toBe(409);
  });

  it('returns signed JSAPI params and reuses the prepay_id on repeated clicks', async () => {
    const browser = stack.browser();
    await signIn(stack, browser);
    const order = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
    const first = PayResponseSchema.parse(await (await browser.post(`/api/orders/${order.outTradeNo}/pay`, {})).json());
    const second = PayResponseSchema.parse(
      await (await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'JSAPI' })).json(),
    );
    if (first.tradeType !== 'JSAPI' || second.tradeType !== 'JSAPI') throw new Error('expected JSAPI');
    expect(first.payParams.appId).toBe(MERCHANT.appId);
    expect(first.payParams.signType).toBe('MD5');
    expect(verifyJsapiPayParams(first.payParams, MERCHANT.apiKey)).toBe(true);
    expect(second.payParams.package).toBe(first.payParams.package);
    const emuOrders = [...stack.emu.state.orders.values()].filter((o) => o.outTradeNo === order.outTradeNo);
    expect(emuOrders).toHaveLength(1);
    expect(emuOrders[0]!.totalFee).toBe(1);
    expect(emuOrders[0]!.openid).toBeTruthy();
    expect(`prepay_id=${emuOrders[0]!.prepayId}`).toBe(first.payParams.package);
  });

  it('rejects extra fields in the pay request', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    expect(
      (await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE', totalFee: 1 })).status,
    ).toBe(400);
  });

  it('answers 502 without upstream details when WeChat fails, and recovers', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    await stack.control('faults', { target: 'unifiedorder', kind: 'http500', count: 10 });
    const res = await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    await stack.control('faults', undefined, 'DELETE');
    expect(res.status).toBe(502);
    const body = ApiErrorSchema.parse(await res.json());
    expect(body.error.code).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts|192006250b/);
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
  });
});

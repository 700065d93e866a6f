import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ApiErrorSchema, OrderSchema, PayResponseSchema } from '@wxpay-shop/contract';
import { buildXml, encryptReqInfo, parseBeijingTime, verifyJsapiPayParams } from '@wxpay-shop/wechat';
import { MIN_TIME_EXPIRE_AHEAD_MS } from '../src/payments/pay-routes';
import { backends } from './helpers/backends';
import {
  ADMIN_TOKEN,
  FAIL_XML,
  MERCHANT,
  SUCCESS_XML,
  adminRefund,
  createOrder,
  paidOrder as paidOrderOf,
  payNotifyXml,
  postNotify,
  signIn,
  useStack,
  waitFor,
  withPayModes,
} from './helpers/stack';

describe.each(withPayModes(backends))('payment, notifications and refunds over HTTP ($name, $pay)', (backend) => {
  const { stack, orderRow, db } = useStack(backend, {}, { pay: backend.pay });
  const v2 = backend.pay === 'v2';

  const transitions = async (outTradeNo: string) =>
    db()
      .selectFrom('order_events')
      .innerJoin('orders', 'orders.id', 'order_events.order_id')
      .select(['order_events.from_status', 'order_events.to_status', 'order_events.source'])
      .where('orders.out_trade_no', '=', outTradeNo)
      .orderBy('order_events.id')
      .execute();

  it('sign-in → order → JSAPI pay → WeChat notify → PAID', async () => {
    const browser = stack.browser();
    expect(await signIn(stack, browser, '/checkout')).toBe('/checkout');
    const order = await createOrder(browser, [{ productId: 'mug', quantity: 2 }]);
    const pay = PayResponseSchema.parse(
      await (await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'JSAPI' })).json(),
    );
    if (pay.tradeType !== 'JSAPI') throw new Error('expected JSAPI');
    // The configured API version made the prepay and signs the page's params.
    expect(pay.payParams.signType).toBe(v2 ? 'MD5' : 'RSA');
    expect(stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)!.api).toBe(v2 ? 'v2' : 'v3');
    await stack.emu.pay(pay.payParams.package.slice('prepay_id='.length));
    // Watch the database, not GET /api/orders (whose orderquery could mask a broken notify path).
    const paid = await waitFor(async () => {
      const row = await orderRow(order.outTradeNo);
      return row.status === 'PAID' ? row : undefined;
    });
    expect(paid.transaction_id).toMatch(/^\d{28}$/);
    const notes = await db()
      .selectFrom('payment_notifications')
      .selectAll()
      .where('out_trade_no', '=', order.outTradeNo)
      .execute();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.outcome).toBe('APPLIED');
    expect(await transitions(order.outTradeNo)).toEqual([
      { from_status: 'PENDING', to_status: 'PAID', source: 'pay-notify' },
    ]);
    const view = OrderSchema.parse(await (await browser.get(`/api/orders/${order.outTradeNo}`)).json());
    expect(view).toMatchObject({ status: 'PAID', totalFen: 5980, transactionId: paid.transaction_id });
    expect(view.paidAt).not.toBeNull();
    // Paying again is a conflict, not a second prepay.
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'JSAPI' })).status).toBe(409);
  });

  it('NATIVE payment settles through the emulator, including emulator-sent duplicates', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
    const pay = PayResponseSchema.parse(
      await (await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).json(),
    );
    expect(pay.tradeType === 'NATIVE' && pay.codeUrl.startsWith('weixin://')).toBe(true);
    await stack.emu.pay(order.outTradeNo);
    await waitFor(async () => (await orderRow(order.outTradeNo)).status === 'PAID');
    const dup = await stack.control('notify-duplicates', { outTradeNo: order.outTradeNo, times: 5 });
    expect(dup.ok).toBe(true);
    // The control call returns once all five were answered (no pause to guess at): each acknowledged, none applied.
    const { attempts } = (await dup.json()) as { attempts: { outcome: string; manual?: string }[] };
    expect(attempts.filter((a) => a.manual === 'duplicate').map((a) => a.outcome)).toEqual(Array(5).fill('success'));
    expect(await transitions(order.outTradeNo)).toHaveLength(1);
  });

  it('H5: an h5Url whose page (with the shop as Referer) pays; the notification settles it', async () => {
    const browser = stack.browser('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1');
    const order = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
    const pay = PayResponseSchema.parse(
      await (await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'H5' })).json(),
    );
    if (pay.tradeType !== 'H5') throw new Error('expected H5');
    expect(stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)).toMatchObject({
      tradeType: 'MWEB',
      api: v2 ? 'v2' : 'v3',
    });
    const back = `${stack.bff.url}/orders/${order.outTradeNo}?h5=1`;
    const url = `${pay.h5Url}&redirect_url=${encodeURIComponent(back)}`;
    const page = await fetch(url, { headers: { Referer: `${stack.bff.url}/pay/${order.outTradeNo}` } });
    expect(await page.text()).toContain('wx-h5-pay');
    const prepayId = new URL(pay.h5Url).searchParams.get('prepay_id')!;
    const form = new URLSearchParams({
      prepay_id: prepayId,
      redirect_url: back,
      referer: `${stack.bff.url}/`,
      action: 'pay',
    });
    const done = await fetch(`${stack.emuUrl}/h5/checkmweb`, { method: 'POST', body: form, redirect: 'manual' });
    expect(done.headers.get('location')).toBe(back);
    await waitFor(async () => (await orderRow(order.outTradeNo)).status === 'PAID');
    expect((await orderRow(order.outTradeNo)).trade_type).toBe('H5');
  });

  it('sends WeChat a body of at most 127 UTF-8 bytes, cutting a long product name between characters', async () => {
    // With "微信小店-" (13 bytes) this 115-byte name made a body of exactly 128 bytes, which WeChat refuses.
    const name = `a${'汉'.repeat(38)}`;
    await db()
      .insertInto('products')
      .values({ id: 'long-name', name, description: '', price_fen: 100, image_url: '', stock: 5, sort_order: 99 })
      .execute();
    const browser = stack.browser();
    const order = await createOrder(browser, [{ productId: 'long-name', quantity: 1 }]);
    const pay = await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    expect(pay.status).toBe(200);
    const body = stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)!.body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(127);
    expect(body).toBe(`微信小店-a${'汉'.repeat(36)}…`);
  });

  it('two simultaneous pay requests with different trade types: one prepay, the other a 409 like the sequential case', async () => {
    const browser = stack.browser();
    await signIn(stack, browser);
    for (let round = 0; round < 3; round++) {
      const order = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
      const [jsapi, native] = await Promise.all([
        browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'JSAPI' }),
        browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' }),
      ]);
      const statuses = [jsapi.status, native.status].sort();
      expect(statuses).toEqual([200, 409]);
      const loser = jsapi.status === 409 ? jsapi : native;
      const winner = jsapi.status === 200 ? 'JSAPI' : 'NATIVE';
      expect(ApiErrorSchema.parse(await loser.json()).error.message).toMatch(
        new RegExp(`already being paid with ${winner}`),
      );
      const row = await orderRow(order.outTradeNo);
      expect(row.trade_type).toBe(winner);
      expect(row.prepay_id).not.toBeNull();
      expect(stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)!.tradeType).toBe(winner);
      // The winner's trade type keeps working; the other stays refused.
      expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: winner })).status).toBe(200);
      expect(
        (
          await browser.post(`/api/orders/${order.outTradeNo}/pay`, {
            tradeType: winner === 'JSAPI' ? 'NATIVE' : 'JSAPI',
          })
        ).status,
      ).toBe(409);
    }
  });

  it('re-sends unifiedorder for an order only with the same time_expire, and refuses to start paying too close to expiry', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
    // Far enough ahead for WeChat to take it as time_expire (with our skew margin), whatever the machine's pace.
    const expiresAt = new Date(Math.floor((Date.now() + MIN_TIME_EXPIRE_AHEAD_MS + 10 * 60_000) / 1000) * 1000);
    await db()
      .updateTable('orders')
      .set({ expires_at: expiresAt })
      .where('out_trade_no', '=', order.outTradeNo)
      .execute();
    // WeChat records the order, but every answer (first try and the client's retries) is lost.
    await stack.control('faults', { target: 'unifiedorder', kind: 'drop', count: 3 });
    try {
      expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(502);
    } finally {
      await stack.control('faults', undefined, 'DELETE');
    }
    const atWechat = stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)!;
    expect(parseBeijingTime(atWechat.timeExpire!)?.getTime()).toBe(expiresAt.getTime());
    expect((await orderRow(order.outTradeNo)).prepay_id).toBeNull();

    // The shopper retries once the order is too close to expiry for WeChat to take its time_expire:
    // sending the order without it would be "201 商户订单号重复"; it is refused here instead.
    // Time passes (instead of sleeping ten minutes): the order, and so its time_expire, is now too close.
    const tooClose = new Date(Date.now() + MIN_TIME_EXPIRE_AHEAD_MS - 1_000);
    await db()
      .updateTable('orders')
      .set({ expires_at: tooClose })
      .where('out_trade_no', '=', order.outTradeNo)
      .execute();
    const retry = await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    expect(retry.status).toBe(409);
    expect(ApiErrorSchema.parse(await retry.json()).error.message).toBe('订单即将过期，无法发起支付，请重新下单');
    expect(stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)!.fingerprint).toBe(atWechat.fingerprint);
  });

  // Hand-made v2 XML; v3's hostile notifications are below and in packages/wechat's v3 tests.
  describe.runIf(v2)('hostile notifications', () => {
    it('rejects a notification signed with the wrong key (forgery)', async () => {
      const order = await createOrder(stack.browser());
      const res = await postNotify(
        stack,
        payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen }, 'f'.repeat(32)),
      );
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/text\/xml/);
      expect(res.body).toMatch(FAIL_XML);
      expect((await orderRow(order.outTradeNo)).status).toBe('PENDING');
    });

    it('rejects a notification whose amount was changed after signing (tampered)', async () => {
      const order = await createOrder(stack.browser());
      const xml = payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: 1 }, MERCHANT.apiKey, 'MD5', (s) => {
        s.total_fee = String(order.totalFen);
        s.cash_fee = String(order.totalFen);
      });
      const res = await postNotify(stack, xml);
      expect(res.body).toMatch(FAIL_XML);
      expect((await orderRow(order.outTradeNo)).status).toBe('PENDING');
    });

    it('rejects a correctly signed notification with the wrong amount', async () => {
      const order = await createOrder(stack.browser());
      const res = await postNotify(stack, payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: 1 }));
      expect(res.body).toMatch(FAIL_XML);
      expect(res.body).toMatch(/amount/);
      expect((await orderRow(order.outTradeNo)).status).toBe('PENDING');
      expect(
        await db()
          .selectFrom('payment_notifications')
          .selectAll()
          .where('out_trade_no', '=', order.outTradeNo)
          .execute(),
      ).toEqual([]);
    });

    it('rejects a notification for an unknown order', async () => {
      const res = await postNotify(stack, payNotifyXml({ outTradeNo: 'NOSUCHORDER123', totalFee: 1 }));
      expect(res.body).toMatch(FAIL_XML);
      expect(res.body).toMatch(/unknown order/);
    });

    it('rejects notifications for another merchant (right key, wrong mch_id)', async () => {
      const order = await createOrder(stack.browser());
      const other = payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen }).replace(
        `<mch_id><![CDATA[${MERCHANT.mchId}]]></mch_id>`,
        '<mch_id><![CDATA[10000999]]></mch_id>',
      );
      expect((await postNotify(stack, other)).body).toMatch(FAIL_XML);
    });

    it('accepts HMAC-SHA256 notifications', async () => {
      const order = await createOrder(stack.browser());
      const res = await postNotify(
        stack,
        payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen }, MERCHANT.apiKey, 'HMAC-SHA256'),
      );
      expect(res.body).toMatch(SUCCESS_XML);
      expect((await orderRow(order.outTradeNo)).status).toBe('PAID');
    });

    it('answers SUCCESS to a replayed notification with a single transition', async () => {
      const order = await createOrder(stack.browser());
      const xml = payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen });
      expect((await postNotify(stack, xml)).body).toMatch(SUCCESS_XML);
      expect((await postNotify(stack, xml)).body).toMatch(SUCCESS_XML);
      expect(await transitions(order.outTradeNo)).toHaveLength(1);
    });

    it('settles 50 concurrent duplicate notifications with exactly one PENDING→PAID transition', async () => {
      const order = await createOrder(stack.browser());
      const xml = payNotifyXml({
        outTradeNo: order.outTradeNo,
        totalFee: order.totalFen,
        transactionId: '4200000000202611260000000050',
      });
      const replies = await Promise.all(Array.from({ length: 50 }, () => postNotify(stack, xml)));
      expect(replies.every((r) => r.status === 200 && SUCCESS_XML.test(r.body))).toBe(true);
      const events = await transitions(order.outTradeNo);
      expect(events).toEqual([{ from_status: 'PENDING', to_status: 'PAID', source: 'pay-notify' }]);
      const count = await db()
        .selectFrom('payment_notifications')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('transaction_id', '=', '4200000000202611260000000050')
        .executeTakeFirstOrThrow();
      expect(count.n).toBe(1);
      expect((await orderRow(order.outTradeNo)).transaction_id).toBe('4200000000202611260000000050');
    });

    it('refuses a transaction_id already used for another order', async () => {
      const first = await createOrder(stack.browser());
      const second = await createOrder(stack.browser());
      const txid = '4200000000202611260000000077';
      expect(
        (
          await postNotify(
            stack,
            payNotifyXml({ outTradeNo: first.outTradeNo, totalFee: first.totalFen, transactionId: txid }),
          )
        ).body,
      ).toMatch(SUCCESS_XML);
      const reused = await postNotify(
        stack,
        payNotifyXml({ outTradeNo: second.outTradeNo, totalFee: second.totalFen, transactionId: txid }),
      );
      expect(reused.body).toMatch(FAIL_XML);
      expect((await orderRow(second.outTradeNo)).status).toBe('PENDING');
    });

    it('rejects XXE / DOCTYPE payloads without state change', async () => {
      const order = await createOrder(stack.browser());
      const xml =
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
        `<xml><return_code>SUCCESS</return_code><out_trade_no>${order.outTradeNo}</out_trade_no><attach>&xxe;</attach></xml>`;
      const res = await postNotify(stack, xml);
      expect(res.body).toMatch(FAIL_XML);
      expect(res.body).not.toMatch(/root:/);
      expect((await orderRow(order.outTradeNo)).status).toBe('PENDING');
    });

    it('rejects malformed XML', async () => {
      const res = await postNotify(stack, '<xml><return_code>SUCCESS');
      expect(res.status).toBe(200);
      expect(res.body).toMatch(FAIL_XML);
    });

    it('rejects an oversized body with 413 and a FAIL reply', async () => {
      const res = await postNotify(stack, `<xml><attach>${'A'.repeat(70 * 1024)}</attach></xml>`);
      expect(res.status).toBe(413);
      expect(res.type).toMatch(/text\/xml/);
      expect(res.body).toMatch(FAIL_XML);
    });

    it('records a valid payment for a CLOSED order and flags it instead of dropping the money', async () => {
      const order = await createOrder(stack.browser());
      await db().updateTable('orders').set({ status: 'CLOSED' }).where('out_trade_no', '=', order.outTradeNo).execute();
      const res = await postNotify(stack, payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen }));
      expect(res.body).toMatch(SUCCESS_XML);
      const row = await orderRow(order.outTradeNo);
      expect(row.status).toBe('CLOSED');
      expect(row.needs_attention).toBe(true);
      const note = await db()
        .selectFrom('payment_notifications')
        .selectAll()
        .where('out_trade_no', '=', order.outTradeNo)
        .executeTakeFirstOrThrow();
      expect(note.outcome).toBe('PAID_AFTER_CLOSE');
    });
  });

  describe.runIf(!v2)(
    'hostile v3 notifications: refused by HTTP status, nothing changes, the genuine retry pays once',
    () => {
      it.each(['probe', 'badsign', 'malformed'] as const)('%s on the first attempt', async (kind) => {
        const browser = stack.browser();
        const order = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
        expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
        await stack.control('faults', { target: 'notify', kind });
        await stack.emu.pay(order.outTradeNo);
        const delivery = await waitFor(async () =>
          [...stack.emu.state.deliveries.values()].find(
            (d) => d.outTradeNo === order.outTradeNo && d.status === 'delivered',
          ),
        );
        expect(delivery.attempts.map((a) => a.httpStatus)).toEqual([400, 204]);
        expect(delivery.attempts[0]!.reply).toMatch(/"code":"FAIL"/);
        expect(await transitions(order.outTradeNo)).toEqual([
          { from_status: 'PENDING', to_status: 'PAID', source: 'pay-notify' },
        ]);
      });
    },
  );

  describe('refunds', () => {
    const paidOrder = (productId = 'mug', quantity = 1) => paidOrderOf(stack, [{ productId, quantity }]);
    const refund = (outTradeNo: string, body: unknown, token: string | null = ADMIN_TOKEN) =>
      adminRefund(stack, outTradeNo, body, token);

    it('requires the admin token', async () => {
      const { order } = await paidOrder();
      expect((await refund(order.outTradeNo, {}, null)).status).toBe(401);
      const wrong = await refund(order.outTradeNo, {}, 'x'.repeat(ADMIN_TOKEN.length));
      expect(wrong.status).toBe(401);
      expect(ApiErrorSchema.parse(await wrong.json()).error.code).toBe('UNAUTHENTICATED');
      expect((await orderRow(order.outTradeNo)).status).toBe('PAID');
    });

    it('refunds in full (v2 over mTLS) and settles to REFUNDED via the refund notification', async () => {
      const { browser, order } = await paidOrder();
      const res = await refund(order.outTradeNo, { reason: '不想要了' });
      expect(res.status).toBe(202);
      expect(OrderSchema.parse(await res.json()).status).toBe('REFUNDING');
      // A second refund while one is in flight is refused.
      expect((await refund(order.outTradeNo, {})).status).toBe(409);
      await waitFor(async () => (await orderRow(order.outTradeNo)).status === 'REFUNDED');
      expect((await transitions(order.outTradeNo)).at(-1)).toEqual({
        from_status: 'REFUNDING',
        to_status: 'REFUNDED',
        source: 'refund-notify',
      });
      const view = OrderSchema.parse(await (await browser.get(`/api/orders/${order.outTradeNo}`)).json());
      expect(view).toMatchObject({ status: 'REFUNDED', refundedFen: 2990 });
    });

    it('partial refund goes back to PAID with refundedFen, and over-refunds are refused', async () => {
      const { order } = await paidOrder('mug', 2);
      expect((await refund(order.outTradeNo, { amountFen: 99_999 })).status).toBe(400);
      expect((await refund(order.outTradeNo, { amountFen: 1000 })).status).toBe(202);
      const settled = await waitFor(async () => {
        const row = await orderRow(order.outTradeNo);
        return row.status === 'PAID' && row.refunded_fen === 1000 ? row : undefined;
      });
      expect(settled.total_fen).toBe(5980);
      expect((await refund(order.outTradeNo, { amountFen: 4981 })).status).toBe(400);
    });

    it("refuses a reason over refund_desc's 80 UTF-8 bytes before WeChat hears of it, and sends one that fits", async () => {
      const { order } = await paidOrder('mug', 2);
      // 27 Chinese characters: 27 UTF-16 units, but 81 bytes, which WeChat refuses.
      const res = await refund(order.outTradeNo, { amountFen: 1000, reason: '退'.repeat(27) });
      expect(res.status).toBe(400);
      expect(ApiErrorSchema.parse(await res.json()).error.details).toEqual([
        { path: 'reason', message: expect.stringMatching(/80 bytes of UTF-8/) },
      ]);
      expect((await orderRow(order.outTradeNo)).status).toBe('PAID');
      expect([...stack.emu.state.refunds.values()].filter((r) => r.outTradeNo === order.outTradeNo)).toEqual([]);

      const fits = `${'退'.repeat(26)}ab`;
      expect((await refund(order.outTradeNo, { amountFen: 1000, reason: fits })).status).toBe(202);
      expect([...stack.emu.state.refunds.values()].filter((r) => r.outTradeNo === order.outTradeNo)).toEqual([
        expect.objectContaining({ refundDesc: fits }),
      ]);
    });

    it.runIf(v2)('rejects forged refund notifications (wrong key) and unknown refunds', async () => {
      const inner = buildXml(
        {
          out_refund_no: 'X1',
          out_trade_no: 'Y1',
          refund_id: 'Z',
          transaction_id: 'T',
          total_fee: '1',
          refund_fee: '1',
          refund_status: 'SUCCESS',
        },
        'root',
      );
      const forged = buildXml({
        return_code: 'SUCCESS',
        appid: MERCHANT.appId,
        mch_id: MERCHANT.mchId,
        nonce_str: 'n',
        req_info: encryptReqInfo(inner, 'e'.repeat(32)),
      });
      expect((await postNotify(stack, forged, '/api/wechat/refund/notify')).body).toMatch(FAIL_XML);
      const unknown = buildXml({
        return_code: 'SUCCESS',
        appid: MERCHANT.appId,
        mch_id: MERCHANT.mchId,
        nonce_str: 'n',
        req_info: encryptReqInfo(inner, MERCHANT.apiKey),
      });
      const res = await postNotify(stack, unknown, '/api/wechat/refund/notify');
      expect(res.body).toMatch(FAIL_XML);
      expect(res.body).toMatch(/unknown refund/);
    });
  });
});

describe('pay endpoints over https signed by WECHAT_PAY_CA_CERT', () => {
  // The emulator's https port serves the pay API too, with a certificate from its test CA.
  const { stack } = useStack({ name: 'pglite' }, ({ httpsUrl }) => ({ WECHAT_PAY_BASE_URL: httpsUrl }));

  it('trusts the CA for unifiedorder, not only for refunds', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    const pay = await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    expect(pay.status).toBe(200);
    expect(PayResponseSchema.parse(await pay.json())).toMatchObject({ tradeType: 'NATIVE' });
    expect(stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)).toBeDefined();
  });
});

describe('HMAC-SHA256 merchant', () => {
  const { stack } = useStack({ name: 'pglite' }, { WECHAT_PAY_SIGN_TYPE: 'HMAC-SHA256' });

  it('signs unifiedorder and paySign with HMAC-SHA256 and settles the payment', async () => {
    const browser = stack.browser();
    await signIn(stack, browser);
    const order = await createOrder(browser, [{ productId: 'sticker', quantity: 1 }]);
    const pay = PayResponseSchema.parse(
      await (await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'JSAPI' })).json(),
    );
    if (pay.tradeType !== 'JSAPI') throw new Error('expected JSAPI');
    expect(pay.payParams.signType).toBe('HMAC-SHA256');
    expect(pay.payParams.paySign).toMatch(/^[0-9A-F]{64}$/);
    expect(verifyJsapiPayParams(pay.payParams, MERCHANT.apiKey)).toBe(true);
    expect(stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)!.signType).toBe('HMAC-SHA256');
    await stack.emu.pay(order.outTradeNo);
    await waitFor(async () => {
      const row = await stack.database.db
        .selectFrom('orders')
        .select('status')
        .where('out_trade_no', '=', order.outTradeNo)
        .executeTakeFirst();
      return row?.status === 'PAID';
    });
  });
});

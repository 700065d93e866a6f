/**
 * Refunds whose outcome the BFF cannot take at face value: an unverifiable or unusable reply, a
 * refusal after a lost reply, WeChat's final word contradicting ours, and refunds made outside the
 * shop. Money that moved must never be hidden behind an order that looks refundable again.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer, request, type RequestOptions } from 'node:https';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorSchema, OrderSchema } from '@wxpay-shop/contract';
import { buildXml, parseXml, sign, signTypeOf } from '@wxpay-shop/wechat';
import { backends } from './helpers/backends';
import {
  FAIL_XML,
  MERCHANT,
  SUCCESS_XML,
  adminRefund,
  orderRow as orderRowOf,
  paidOrder as paidOrderOf,
  payNotifyXml,
  postNotify,
  refundNotifyXml,
  startStack,
  useStack,
  withPayModes,
  waitFor,
  type Stack,
} from './helpers/stack';

describe.each(withPayModes(backends))('refund outcomes ($name, $pay)', (backend) => {
  const { stack, orderRow, db } = useStack(backend, {}, { clearFaultsAfterEach: true, pay: backend.pay });
  const v2 = backend.pay === 'v2';

  const refundsOf = (outTradeNo: string) =>
    db()
      .selectFrom('refunds')
      .innerJoin('orders', 'orders.id', 'refunds.order_id')
      .select(['refunds.out_refund_no', 'refunds.status', 'refunds.refund_fen'])
      .where('orders.out_trade_no', '=', outTradeNo)
      .orderBy('refunds.created_at')
      .execute();
  const emulatorRefunds = (outTradeNo: string) =>
    [...stack.emu.state.refunds.values()].filter((r) => r.outTradeNo === outTradeNo);

  const paidOrder = async () => (await paidOrderOf(stack, [{ productId: 'mug', quantity: 2 }])).order;

  /** The refund WeChat made is settled (notify or refundquery): recorded once, nothing flagged, never repeated. */
  async function expectOneRefundSettled(outTradeNo: string, fen: number): Promise<void> {
    const settled = await waitFor(async () => {
      const row = await orderRow(outTradeNo);
      return row.status === 'PAID' && row.refunded_fen === fen ? row : undefined;
    });
    expect(settled.needs_attention).toBe(false);
    expect(await refundsOf(outTradeNo)).toEqual([expect.objectContaining({ status: 'SUCCESS', refund_fen: fen })]);
    expect(emulatorRefunds(outTradeNo)).toHaveLength(1);
  }

  it('keeps a refund whose reply does not verify in REFUNDING, so the refund WeChat made is settled and not repeated', async () => {
    const order = await paidOrder();
    // The emulator refunds, then spoils the reply's sign.
    expect((await stack.control('faults', { target: 'refund', kind: 'badsign', count: 1 })).ok).toBe(true);
    const res = await adminRefund(stack, order.outTradeNo, { amountFen: 1000 });
    expect(res.status).toBe(502);
    expect(ApiErrorSchema.parse(await res.json()).error.message).toMatch(/outcome unknown/);
    // No second refund while the first is open.
    expect((await adminRefund(stack, order.outTradeNo, { amountFen: 1000 })).status).toBe(409);
    await expectOneRefundSettled(order.outTradeNo, 1000);
  });

  it('takes a refusal of the retry after a lost reply as an unknown outcome: the refund WeChat made is settled, not marked refused', async () => {
    const order = await paidOrder();
    // The emulator refunds but the reply is lost; the BFF's identical retry then meets a refusal (v2: a rate
    // limit; v3 retries a 429 itself, so a 403 there).
    expect((await stack.control('faults', { target: 'refund', kind: 'drop', count: 1 })).ok).toBe(true);
    const errCode = v2 ? 'FREQUENCY_LIMITED' : 'NOTENOUGH';
    expect((await stack.control('faults', { target: 'refund', kind: 'bizerror', errCode, count: 1 })).ok).toBe(true);
    const res = await adminRefund(stack, order.outTradeNo, { amountFen: 1000 });
    expect(res.status).toBe(502);
    expect(ApiErrorSchema.parse(await res.json()).error.message).toMatch(/outcome unknown/);
    await expectOneRefundSettled(order.outTradeNo, 1000);
  });

  // Posts hand-made v2 notifications.
  it.runIf(v2)('flags the order when WeChat reports SUCCESS for a refund recorded as refused', async () => {
    const order = await paidOrder();
    expect(
      (await stack.control('faults', { target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH', count: 1 })).ok,
    ).toBe(true);
    expect((await adminRefund(stack, order.outTradeNo, { amountFen: 500 })).status).toBe(502);
    const [refused] = await refundsOf(order.outTradeNo);
    expect(refused).toMatchObject({ status: 'FAILED' });
    expect((await orderRow(order.outTradeNo)).status).toBe('PAID');

    const xml = refundNotifyXml(
      { outTradeNo: order.outTradeNo, outRefundNo: refused!.out_refund_no, refundFen: 500, totalFen: order.totalFen },
      'SUCCESS',
    );
    expect((await postNotify(stack, xml, '/api/wechat/refund/notify')).body).toMatch(SUCCESS_XML);
    const row = await orderRow(order.outTradeNo);
    expect(row.needs_attention).toBe(true);
    expect(row.attention_reason).toContain(refused!.out_refund_no);
    // A repeat of a final status we agree with flags nothing.
    const again = await paidOrder();
    expect(
      (await stack.control('faults', { target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH', count: 1 })).ok,
    ).toBe(true);
    expect((await adminRefund(stack, again.outTradeNo, { amountFen: 500 })).status).toBe(502);
    const [closed] = await refundsOf(again.outTradeNo);
    const closeXml = refundNotifyXml(
      { outTradeNo: again.outTradeNo, outRefundNo: closed!.out_refund_no, refundFen: 500, totalFen: again.totalFen },
      'REFUNDCLOSE',
    );
    expect((await postNotify(stack, closeXml, '/api/wechat/refund/notify')).body).toMatch(SUCCESS_XML);
    expect((await orderRow(again.outTradeNo)).needs_attention).toBe(false);
  });

  // Posts hand-made v2 notifications.
  it.runIf(v2)('settles a refund that ended in CHANGE (stuck at the bank) once WeChat reports it handled', async () => {
    const order = await paidOrder();
    expect((await stack.control('faults', { target: 'notify', kind: 'drop', count: 1 })).ok).toBe(true);
    expect((await adminRefund(stack, order.outTradeNo)).status).toBe(202);
    const accepted = await waitFor(async () => emulatorRefunds(order.outTradeNo).find((r) => r.status === 'SUCCESS'));
    const refund = {
      outTradeNo: order.outTradeNo,
      outRefundNo: accepted.outRefundNo,
      refundFen: order.totalFen,
      totalFen: order.totalFen,
    };

    expect((await postNotify(stack, refundNotifyXml(refund, 'CHANGE'), '/api/wechat/refund/notify')).body).toMatch(
      SUCCESS_XML,
    );
    const stuck = await orderRow(order.outTradeNo);
    expect(stuck).toMatchObject({ status: 'REFUNDING', needs_attention: true });
    expect(stuck.attention_reason).toMatch(/CHANGE/);

    // The operator re-routes the money in the merchant console; WeChat then reports SUCCESS.
    expect((await postNotify(stack, refundNotifyXml(refund, 'SUCCESS'), '/api/wechat/refund/notify')).body).toMatch(
      SUCCESS_XML,
    );
    expect(await orderRow(order.outTradeNo)).toMatchObject({ status: 'REFUNDED', refunded_fen: order.totalFen });
    expect(await refundsOf(order.outTradeNo)).toEqual([expect.objectContaining({ status: 'SUCCESS' })]);
    // And a replay of it changes nothing more.
    expect((await postNotify(stack, refundNotifyXml(refund, 'SUCCESS'), '/api/wechat/refund/notify')).body).toMatch(
      SUCCESS_XML,
    );
    expect(await orderRow(order.outTradeNo)).toMatchObject({ status: 'REFUNDED', refunded_fen: order.totalFen });
  });

  // Posts hand-made v2 notifications.
  it.runIf(v2)(
    'keeps every reason an order was flagged for: a second payment stays listed after a refund exception',
    async () => {
      const order = await paidOrder();
      const second = payNotifyXml({
        outTradeNo: order.outTradeNo,
        totalFee: order.totalFen,
        transactionId: '4200000000202611269999999999',
      });
      expect((await postNotify(stack, second)).body).toMatch(SUCCESS_XML);
      const once = (await orderRow(order.outTradeNo)).attention_reason;
      expect(once).toMatch(/4200000000202611269999999999/);
      // The same finding again (a replay, a repeated check) is not listed twice.
      const replay = payNotifyXml({
        outTradeNo: order.outTradeNo,
        totalFee: order.totalFen,
        transactionId: '4200000000202611269999999999',
      });
      expect((await postNotify(stack, replay)).body).toMatch(SUCCESS_XML);
      expect((await orderRow(order.outTradeNo)).attention_reason).toBe(once);

      expect((await stack.control('faults', { target: 'notify', kind: 'drop', count: 1 })).ok).toBe(true);
      expect((await adminRefund(stack, order.outTradeNo)).status).toBe(202);
      const accepted = await waitFor(async () => emulatorRefunds(order.outTradeNo).find((r) => r.status === 'SUCCESS'));
      const change = refundNotifyXml(
        {
          outTradeNo: order.outTradeNo,
          outRefundNo: accepted.outRefundNo,
          refundFen: order.totalFen,
          totalFen: order.totalFen,
        },
        'CHANGE',
      );
      expect((await postNotify(stack, change, '/api/wechat/refund/notify')).body).toMatch(SUCCESS_XML);
      const reasons = (await orderRow(order.outTradeNo)).attention_reason!.split('\n');
      expect(reasons).toHaveLength(2);
      expect(reasons[0]).toBe(once);
      expect(reasons[1]).toMatch(/CHANGE/);
    },
  );

  it('refunds once per Idempotency-Key: a retried request reports the refund it started instead of refunding again', async () => {
    const order = await paidOrder();
    const key = (k: string) => ({ 'Idempotency-Key': k });
    const first = await adminRefund(stack, order.outTradeNo, { amountFen: 1000 }, undefined, key('op-42'));
    expect(first.status).toBe(202);
    // The answer was lost and the refund settled meanwhile; the operator's tool retries.
    await waitFor(async () => (await orderRow(order.outTradeNo)).refunded_fen === 1000 || undefined);
    const retry = await adminRefund(stack, order.outTradeNo, { amountFen: 1000 }, undefined, key('op-42'));
    expect(retry.status).toBe(202);
    expect(OrderSchema.parse(await retry.json())).toMatchObject({ status: 'PAID', refundedFen: 1000 });
    expect(emulatorRefunds(order.outTradeNo)).toHaveLength(1);
    expect(await refundsOf(order.outTradeNo)).toHaveLength(1);

    // The key names that refund only.
    expect((await adminRefund(stack, order.outTradeNo, { amountFen: 999 }, undefined, key('op-42'))).status).toBe(409);
    const other = await paidOrder();
    expect((await adminRefund(stack, other.outTradeNo, {}, undefined, key('op-42'))).status).toBe(409);
    const bad = await adminRefund(stack, other.outTradeNo, {}, undefined, key('not a key!'));
    expect(bad.status).toBe(400);
    expect(ApiErrorSchema.parse(await bad.json()).error.message).toMatch(/Idempotency-Key/);
    expect(await refundsOf(other.outTradeNo)).toEqual([]);
    // A new key is a new refund.
    expect((await adminRefund(stack, order.outTradeNo, { amountFen: 1000 }, undefined, key('op-43'))).status).toBe(202);
    await waitFor(async () => (await orderRow(order.outTradeNo)).refunded_fen === 2000 || undefined);

    // A key whose refund WeChat refused is not quietly taken as done: the same key retries that refund.
    expect(
      (await stack.control('faults', { target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH', count: 1 })).ok,
    ).toBe(true);
    expect((await adminRefund(stack, other.outTradeNo, {}, undefined, key('op-44'))).status).toBe(502);
    const [refused] = await refundsOf(other.outTradeNo);
    expect(refused).toMatchObject({ status: 'FAILED', refund_fen: other.totalFen });
    const retried = await adminRefund(stack, other.outTradeNo, {}, undefined, key('op-44'));
    expect(retried.status).toBe(202);
    expect(OrderSchema.parse(await retried.json()).status).toBe('REFUNDING');
    await waitFor(async () => (await orderRow(other.outTradeNo)).status === 'REFUNDED' || undefined);
    expect(emulatorRefunds(other.outTradeNo).map((r) => r.outRefundNo)).toEqual([refused!.out_refund_no]);
    expect(await refundsOf(other.outTradeNo)).toEqual([
      { out_refund_no: refused!.out_refund_no, status: 'SUCCESS', refund_fen: other.totalFen },
    ]);
    // And once it went through, the key reports it like any other.
    expect((await adminRefund(stack, other.outTradeNo, {}, undefined, key('op-44'))).status).toBe(202);
    expect(emulatorRefunds(other.outTradeNo)).toHaveLength(1);
  });

  it('keeps one key per refund when a refused refund is retried: the key it was made with or none, never another', async () => {
    const order = await paidOrder();
    const key = (k: string) => ({ 'Idempotency-Key': k });
    expect(
      (await stack.control('faults', { target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH', count: 1 })).ok,
    ).toBe(true);
    expect((await adminRefund(stack, order.outTradeNo, { amountFen: 700 }, undefined, key('op-50'))).status).toBe(502);
    const [refused] = await refundsOf(order.outTradeNo);

    // Another key would name the same refund (the retry goes out under the same out_refund_no).
    const otherKey = await adminRefund(stack, order.outTradeNo, { amountFen: 700 }, undefined, key('op-51'));
    expect(otherKey.status).toBe(409);
    expect(ApiErrorSchema.parse(await otherKey.json()).error.message).toMatch(/another Idempotency-Key/);
    expect((await orderRow(order.outTradeNo)).status).toBe('PAID');

    // Without a key the retry goes through, and the refund keeps its key: a late retry of op-50 reports it.
    expect((await adminRefund(stack, order.outTradeNo, { amountFen: 700 })).status).toBe(202);
    await waitFor(async () => (await orderRow(order.outTradeNo)).refunded_fen === 700 || undefined);
    const late = await adminRefund(stack, order.outTradeNo, { amountFen: 700 }, undefined, key('op-50'));
    expect(late.status).toBe(202);
    expect(OrderSchema.parse(await late.json())).toMatchObject({ status: 'PAID', refundedFen: 700 });
    expect(emulatorRefunds(order.outTradeNo).map((r) => r.outRefundNo)).toEqual([refused!.out_refund_no]);
    expect(await refundsOf(order.outTradeNo)).toEqual([
      { out_refund_no: refused!.out_refund_no, status: 'SUCCESS', refund_fen: 700 },
    ]);
  });

  it('retries a refund WeChat refused under its own out_refund_no (NOTENOUGH → FAILED → retry → refunded once); another amount gets a new number', async () => {
    const order = await paidOrder();
    expect(
      (await stack.control('faults', { target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH', count: 1 })).ok,
    ).toBe(true);
    const first = await adminRefund(stack, order.outTradeNo, { amountFen: 1000, reason: '商品破损' });
    expect(first.status).toBe(502);
    expect(ApiErrorSchema.parse(await first.json()).error.message).toMatch(/NOTENOUGH/);
    const [refused] = await refundsOf(order.outTradeNo);
    expect(refused).toMatchObject({ status: 'FAILED', refund_fen: 1000 });
    expect(emulatorRefunds(order.outTradeNo)).toEqual([]);

    // The merchant tops up; the operator asks for the same refund again.
    const retry = await adminRefund(stack, order.outTradeNo, { amountFen: 1000 });
    expect(retry.status).toBe(202);
    expect(OrderSchema.parse(await retry.json()).status).toBe('REFUNDING');
    expect(emulatorRefunds(order.outTradeNo)).toEqual([
      expect.objectContaining({ outRefundNo: refused!.out_refund_no, refundFee: 1000, refundDesc: '商品破损' }),
    ]);
    await waitFor(async () => {
      const row = await orderRow(order.outTradeNo);
      return row.status === 'PAID' && row.refunded_fen === 1000 ? row : undefined;
    });
    expect(await refundsOf(order.outTradeNo)).toEqual([
      { out_refund_no: refused!.out_refund_no, status: 'SUCCESS', refund_fen: 1000 },
    ]);

    // A refusal of another amount is another refund: retrying the first amount does not pick it up.
    expect(
      (await stack.control('faults', { target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH', count: 1 })).ok,
    ).toBe(true);
    expect((await adminRefund(stack, order.outTradeNo, { amountFen: 800 })).status).toBe(502);
    expect((await adminRefund(stack, order.outTradeNo, { amountFen: 1000 })).status).toBe(202);
    await waitFor(async () => (await orderRow(order.outTradeNo)).refunded_fen === 2000 || undefined);
    const numbers = (await refundsOf(order.outTradeNo)).map((r) => r.out_refund_no);
    expect(new Set(numbers).size).toBe(3);
    expect(await refundsOf(order.outTradeNo)).toEqual([
      expect.objectContaining({ status: 'SUCCESS', refund_fen: 1000 }),
      expect.objectContaining({ status: 'FAILED', refund_fen: 800 }),
      expect.objectContaining({ status: 'SUCCESS', refund_fen: 1000 }),
    ]);
    expect(emulatorRefunds(order.outTradeNo)).toHaveLength(2);
  });

  // Posts hand-made v2 notifications.
  it.runIf(v2)(
    'acknowledges and flags a refund of one of our orders that the shop did not make, and still refuses one for an unknown order',
    async () => {
      const order = await paidOrder();
      const outRefundNo = `${order.outTradeNo}RCONSOLE1`;
      const xml = refundNotifyXml(
        { outTradeNo: order.outTradeNo, outRefundNo, refundFen: 700, totalFen: order.totalFen },
        'SUCCESS',
      );
      expect((await postNotify(stack, xml, '/api/wechat/refund/notify')).body).toMatch(SUCCESS_XML);
      const row = await orderRow(order.outTradeNo);
      expect(row).toMatchObject({ status: 'PAID', refunded_fen: 0, needs_attention: true });
      expect(row.attention_reason).toContain(outRefundNo);
      expect(await refundsOf(order.outTradeNo)).toEqual([]);

      const stranger = refundNotifyXml(
        { outTradeNo: 'NOSUCHORDER123', outRefundNo: 'NOSUCHORDER123R1', refundFen: 1, totalFen: 1 },
        'SUCCESS',
      );
      const res = await postNotify(stack, stranger, '/api/wechat/refund/notify');
      expect(res.body).toMatch(FAIL_XML);
      expect(res.body).toMatch(/unknown refund/);
    },
  );
});

interface SecapiTarget {
  /** The emulator's HTTPS origin, and the merchant certificate to present there. */
  url: string;
  tls: { cert: string; key: string; ca: string };
  /** How many more SUCCESS refund replies to spoil. */
  spoil: number;
}

/**
 * An HTTPS stand-in for the emulator's secapi port (its committed server certificate, which the BFF
 * trusts) that forwards every request and, `spoil` times, re-signs a SUCCESS refund reply without its
 * refund_id: an answer WeChat really gave after really refunding, that the BFF cannot use.
 */
async function secapiDroppingRefundId(): Promise<{ url: string; target: SecapiTarget; close: () => Promise<void> }> {
  const certs = new URL('../../wechat-emulator/certs/', import.meta.url);
  const target: SecapiTarget = { url: '', tls: { cert: '', key: '', ca: '' }, spoil: 0 };
  const server = createServer(
    { cert: readFileSync(new URL('server.pem', certs)), key: readFileSync(new URL('server-key.pem', certs)) },
    (req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        const options: RequestOptions = {
          method: 'POST',
          ...target.tls,
          headers: { 'Content-Type': 'text/xml', 'Content-Length': body.length },
        };
        const upstream = request(`${target.url}${req.url}`, options);
        upstream.end(body);
        const [reply] = (await once(upstream, 'response')) as [IncomingMessage];
        const replyChunks: Buffer[] = [];
        for await (const chunk of reply) replyChunks.push(chunk as Buffer);
        let xml = Buffer.concat(replyChunks).toString('utf8');
        const fields = await parseXml(xml);
        if (req.url === '/secapi/pay/refund' && fields.result_code === 'SUCCESS' && target.spoil > 0) {
          target.spoil -= 1;
          const { sign: _sign, refund_id: _refundId, ...kept } = fields;
          xml = buildXml({ ...kept, sign: sign(kept, MERCHANT.apiKey, signTypeOf(await parseXml(body)) ?? 'MD5') });
        }
        res.writeHead(reply.statusCode ?? 502, { 'Content-Type': 'text/xml' }).end(xml);
      })();
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, target, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a refund WeChat answered SUCCESS to with an unusable reply', () => {
  let stack: Stack;
  let secapi: Awaited<ReturnType<typeof secapiDroppingRefundId>>;
  beforeAll(async () => {
    secapi = await secapiDroppingRefundId();
    stack = await startStack(backends[0]!, { WECHAT_PAY_SECAPI_BASE_URL: secapi.url });
    const { merchantCert, merchantKey, caCert } = stack.emu.certs;
    Object.assign(secapi.target, {
      url: stack.emu.httpsUrl,
      tls: { cert: merchantCert, key: merchantKey, ca: caCert },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await secapi?.close();
  });

  it('takes it as an unknown outcome: the refund WeChat made is settled, not marked refused', async () => {
    const { order } = await paidOrderOf(stack, [{ productId: 'mug', quantity: 2 }]);
    secapi.target.spoil = 1;
    const res = await adminRefund(stack, order.outTradeNo, { amountFen: 1000 });
    expect(res.status).toBe(502);
    expect(ApiErrorSchema.parse(await res.json()).error.message).toMatch(/outcome unknown/);
    expect(secapi.target.spoil).toBe(0);
    const settled = await waitFor(async () => {
      const row = await orderRowOf(stack, order.outTradeNo);
      return row.status === 'PAID' && row.refunded_fen === 1000 ? row : undefined;
    });
    expect(settled.needs_attention).toBe(false);
    expect([...stack.emu.state.refunds.values()].filter((r) => r.outTradeNo === order.outTradeNo)).toHaveLength(1);
  });
});

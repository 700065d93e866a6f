/**
 * A refund request that fails before WeChat holds it (HTTP 500, timeout, SYSTEMERROR, a malformed reply)
 * must not vanish: a retry with the same Idempotency-Key really sends it again under its out_refund_no,
 * and if nobody retries, refundquery's "no such refund" puts the order on the attention list.
 */
import { describe, expect, it } from 'vitest';
import { AdminOrderListSchema, ApiErrorSchema } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import { ADMIN_TOKEN, adminRefund, paidOrder, useStack, waitFor } from './helpers/stack';

/** Every attempt of one call (the pay client retries a transient failure twice) fails before WeChat acts. */
const UNSENT_FAULTS = [
  { kind: 'http500' },
  { kind: 'timeout', delayMs: 10 },
  { kind: 'systemerror' },
  { kind: 'malformed' },
] as const;

describe.each(backends)('refunds that never reached WeChat ($name)', (backend) => {
  const { stack, orderRow } = useStack(backend, {}, { clearFaultsAfterEach: true });

  const emulatorRefunds = (outTradeNo: string) =>
    [...stack.emu.state.refunds.values()].filter((r) => r.outTradeNo === outTradeNo);
  const refundRows = (outTradeNo: string) =>
    stack.database.db
      .selectFrom('refunds')
      .innerJoin('orders', 'orders.id', 'refunds.order_id')
      .select(['refunds.out_refund_no', 'refunds.status'])
      .where('orders.out_trade_no', '=', outTradeNo)
      .execute();

  async function unsentRefund(fault: (typeof UNSENT_FAULTS)[number], key: string) {
    const { order } = await paidOrder(stack, [{ productId: 'mug', quantity: 1 }]);
    expect((await stack.control('faults', { target: 'refund', ...fault, count: 3 })).ok).toBe(true);
    const res = await adminRefund(stack, order.outTradeNo, {}, ADMIN_TOKEN, { 'Idempotency-Key': key });
    expect(res.status).toBe(502);
    expect(ApiErrorSchema.parse(await res.json()).error.message).toMatch(/outcome unknown.*same Idempotency-Key/);
    expect(emulatorRefunds(order.outTradeNo)).toHaveLength(0);
    await stack.control('faults', undefined, 'DELETE');
    return order;
  }

  it.each(UNSENT_FAULTS)('after $kind, a retry with the same Idempotency-Key sends the refund, once', async (fault) => {
    const order = await unsentRefund(fault, `retry-${fault.kind}`);
    const retry = await adminRefund(stack, order.outTradeNo, {}, ADMIN_TOKEN, {
      'Idempotency-Key': `retry-${fault.kind}`,
    });
    expect(retry.status).toBe(202);
    const [sent] = emulatorRefunds(order.outTradeNo);
    expect(sent).toBeDefined();
    const [row] = await refundRows(order.outTradeNo);
    expect(sent!.outRefundNo).toBe(row!.out_refund_no);
    const refunded = await waitFor(async () => {
      const now = await orderRow(order.outTradeNo);
      return now.status === 'REFUNDED' ? now : undefined;
    });
    expect(refunded.needs_attention).toBe(false);
    // A further retry reports; WeChat still holds one refund.
    expect(
      (await adminRefund(stack, order.outTradeNo, {}, ADMIN_TOKEN, { 'Idempotency-Key': `retry-${fault.kind}` }))
        .status,
    ).toBe(202);
    expect(emulatorRefunds(order.outTradeNo)).toHaveLength(1);
  });

  it('not retried: refundquery finds no refund, the order is PAID again and on the attention list with the reason', async () => {
    const order = await unsentRefund({ kind: 'http500' }, 'never-retried');
    const [row] = await refundRows(order.outTradeNo);
    await stack.bff.reconcileOnce({ minPrepayAgeMs: 0 });
    expect(await refundRows(order.outTradeNo)).toEqual([{ out_refund_no: row!.out_refund_no, status: 'FAILED' }]);
    const after = await orderRow(order.outTradeNo);
    expect(after).toMatchObject({ status: 'PAID', refunded_fen: 0, needs_attention: true });
    expect(after.attention_reason).toContain(`refund ${row!.out_refund_no} never reached WeChat`);
    const list = await fetch(`${stack.bff.url}/api/admin/orders?attention=1`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const flagged = AdminOrderListSchema.parse(await list.json()).orders.find((o) => o.outTradeNo === order.outTradeNo);
    expect(flagged?.attention).toMatch(/nothing was refunded/);
  });

  it('a refusal answered to the re-sent refund is not taken as final: the first attempt may have got through', async () => {
    const order = await unsentRefund({ kind: 'http500' }, 'resend-refused');
    expect(
      (await stack.control('faults', { target: 'refund', kind: 'bizerror', errCode: 'NOTENOUGH', count: 1 })).ok,
    ).toBe(true);
    const retry = await adminRefund(stack, order.outTradeNo, {}, ADMIN_TOKEN, { 'Idempotency-Key': 'resend-refused' });
    expect(retry.status).toBe(502);
    expect(ApiErrorSchema.parse(await retry.json()).error.message).toMatch(/outcome unknown/);
    expect(await refundRows(order.outTradeNo)).toEqual([expect.objectContaining({ status: 'PROCESSING' })]);
    expect((await orderRow(order.outTradeNo)).status).toBe('REFUNDING');
  });
});

/**
 * A correctly signed payment on other terms than the order's prepay (currency not CNY, another trade type)
 * is recorded and put on the attention list, never taken as the order paid: by notification or orderquery.
 */
import { describe, expect, it } from 'vitest';
import { paymentTermsMismatch } from '../src/payments/payment-terms';
import { backends } from './helpers/backends';
import { MERCHANT, SUCCESS_XML, createOrder, payNotifyXml, postNotify, useStack, waitFor } from './helpers/stack';

describe('paymentTermsMismatch', () => {
  it('accepts CNY (or no fee_type) on the prepaid trade type, and names each difference', () => {
    expect(paymentTermsMismatch({ trade_type: 'NATIVE' }, { feeType: 'CNY', tradeType: 'NATIVE' })).toBeNull();
    expect(paymentTermsMismatch({ trade_type: 'JSAPI' }, { feeType: undefined, tradeType: 'JSAPI' })).toBeNull();
    expect(paymentTermsMismatch({ trade_type: null }, { feeType: 'CNY', tradeType: 'NATIVE' })).toBeNull();
    expect(paymentTermsMismatch({ trade_type: 'NATIVE' }, { feeType: 'USD', tradeType: 'JSAPI' })).toBe(
      'fee_type USD, not CNY; trade_type JSAPI, prepaid as NATIVE',
    );
  });
});

describe.each(backends)('payments on other terms than the prepay ($name)', (backend) => {
  const { stack, orderRow } = useStack(backend, {}, { clearFaultsAfterEach: true });

  /** An order prepaid as NATIVE (unifiedorder on the emulator), not paid yet. */
  async function prepaidOrder() {
    const browser = stack.browser();
    const order = await createOrder(browser);
    expect((await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' })).status).toBe(200);
    return order;
  }

  const notificationOutcome = async (transactionId: string) =>
    (
      await stack.database.db
        .selectFrom('payment_notifications')
        .select('outcome')
        .where('transaction_id', '=', transactionId)
        .executeTakeFirst()
    )?.outcome;

  it.each([
    { name: 'fee_type USD', terms: { feeType: 'USD' }, reason: /fee_type USD, not CNY/ },
    { name: 'trade_type JSAPI', terms: { tradeType: 'JSAPI' }, reason: /trade_type JSAPI, prepaid as NATIVE/ },
  ])(
    'a signed notification with $name: acknowledged, recorded, flagged, the order not PAID',
    async ({ terms, reason }) => {
      const order = await prepaidOrder();
      const transactionId = `4200${Date.now()}${Object.values(terms).join('')}`;
      const xml = payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen, transactionId, ...terms });
      for (let copy = 0; copy < 2; copy++) expect((await postNotify(stack, xml)).body).toMatch(SUCCESS_XML);
      const row = await orderRow(order.outTradeNo);
      expect(row).toMatchObject({ status: 'PENDING', transaction_id: null, needs_attention: true });
      expect(row.attention_reason).toMatch(reason);
      expect(row.attention_reason).toContain(transactionId);
      expect(await notificationOutcome(transactionId)).toBe('TERMS_MISMATCH');
    },
  );

  it('orderquery reporting another trade type: the reconciler flags the order and does not mark it PAID', async () => {
    const order = await prepaidOrder();
    // WeChat's record says the order was paid as JSAPI (notifications lost).
    expect((await stack.control('faults', { target: 'notify', kind: 'drop', count: 50 })).ok).toBe(true);
    await stack.emu.pay(order.outTradeNo);
    stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)!.tradeType = 'JSAPI';
    await stack.bff.reconcileOnce({ minPrepayAgeMs: 0 });
    const row = await waitFor(async () => {
      const now = await orderRow(order.outTradeNo);
      return now.needs_attention ? now : undefined;
    });
    expect(row).toMatchObject({ status: 'PENDING', transaction_id: null });
    expect(row.attention_reason).toMatch(/trade_type JSAPI, prepaid as NATIVE/);
    // Asked again (every pass, like an amount mismatch), it stays unpaid.
    await stack.bff.reconcileOnce({ minPrepayAgeMs: 0 });
    expect((await orderRow(order.outTradeNo)).status).toBe('PENDING');
  });
});

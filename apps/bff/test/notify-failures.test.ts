/**
 * The notification endpoints answer WeChat's XML whatever goes wrong on our side: a failure after
 * parsing is a 500 + FAIL (WeChat retries) with a generic reason, and other methods get XML too.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { backends } from './helpers/backends';
import {
  FAIL_XML,
  MERCHANT,
  createOrder,
  orderRow,
  payNotifyXml,
  postNotify,
  refundNotifyXml,
  useStack,
} from './helpers/stack';

const PAY_NOTIFY = '/api/wechat/pay/notify';
const REFUND_NOTIFY = '/api/wechat/refund/notify';

describe.each(backends)('notification endpoints when we fail ($name)', (backend) => {
  const { stack } = useStack(backend, {}, { captureLogs: true });

  /** Runs `during` with `table` renamed away, so every query on it fails like a broken database. */
  async function withTableGone<T>(table: string, during: () => Promise<T>): Promise<T> {
    await sql`ALTER TABLE ${sql.table(table)} RENAME TO ${sql.table(`${table}_gone`)}`.execute(stack.database.db);
    try {
      return await during();
    } finally {
      await sql`ALTER TABLE ${sql.table(`${table}_gone`)} RENAME TO ${sql.table(table)}`.execute(stack.database.db);
    }
  }

  function errorLogged(message: string): boolean {
    return stack
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .some((entry) => entry.level === 50 && entry.msg === message);
  }

  function expectGenericFail(res: { status: number; type: string; body: string }): void {
    expect(res.status).toBe(500);
    expect(res.type).toMatch(/xml/);
    expect(res.body).toMatch(FAIL_XML);
    expect(res.body).toMatch(/<return_msg><!\[CDATA\[internal error, please retry\]\]><\/return_msg>/);
    // Nothing of the failure itself, nor any secret, goes to the caller.
    expect(res.body).not.toMatch(/relation|_gone|payment_notifications|refunds|stack|\.ts/);
    expect(res.body).not.toContain(MERCHANT.apiKey);
  }

  it('a database failure while recording a pay notification: 500 + XML FAIL, logged, order untouched', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    const xml = payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen });
    const res = await withTableGone('payment_notifications', () => postNotify(stack, xml, PAY_NOTIFY));
    expectGenericFail(res);
    expect(errorLogged('pay notification failed')).toBe(true);
    expect((await orderRow(stack, order.outTradeNo)).status).toBe('PENDING');
    // WeChat's retry, once the database is back, settles it.
    expect((await postNotify(stack, xml, PAY_NOTIFY)).body).not.toMatch(FAIL_XML);
    expect((await orderRow(stack, order.outTradeNo)).status).toBe('PAID');
  });

  it('a database failure while settling a refund notification: 500 + XML FAIL, logged', async () => {
    const xml = refundNotifyXml(
      { outTradeNo: 'T20261126000000000001', outRefundNo: 'R20261126000000000001', refundFen: 1, totalFen: 1 },
      'SUCCESS',
    );
    const res = await withTableGone('refunds', () => postNotify(stack, xml, REFUND_NOTIFY));
    expectGenericFail(res);
    expect(errorLogged('refund notification failed')).toBe(true);
  });

  it.each([PAY_NOTIFY, REFUND_NOTIFY])('answers other methods on %s in XML with 405 and Allow: POST', async (path) => {
    for (const method of ['GET', 'PUT']) {
      const res = await fetch(`${stack.bff.url}${path}`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(res.headers.get('content-type')).toMatch(/xml/);
      expect(await res.text()).toMatch(FAIL_XML);
    }
  });
});

/**
 * SQL statements per request kind (BEGIN and COMMIT count), as the bench counts them (bench/statement-counter.ts):
 * round trips, not signing or XML, set what a request costs. PGlite, one connection, no background jobs.
 */
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { createOrder, payNotifyXml, postNotify, SUCCESS_XML, useStack } from './helpers/stack';

const sent: string[] = [];
const pglite = PGlite.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = pglite.query;
pglite.query = function (this: unknown, ...args: unknown[]) {
  sent.push(String(args[0]));
  return query.apply(this, args);
};

/**
 * How many statements `request` waited on. The log of WeChat calls (wechat_calls) is written in the background,
 * after or before the answer, so it is left out: it is not on the request's path.
 */
async function counted(request: () => Promise<unknown>): Promise<number> {
  const before = sent.length;
  await request();
  return sent.slice(before).filter((text) => !text.includes('wechat_calls')).length;
}

describe('statements per request (pglite)', () => {
  const { stack } = useStack({ name: 'pglite' }, { CATALOG_MAX_AGE_MS: '60000' });

  it('catalog 0 within its bound; order 2 (session + place_order); notify 1, duplicate 1; pay 4, again 2', async () => {
    const browser = stack.browser();
    await browser.get('/api/products');
    expect(await counted(async () => expect((await browser.get('/api/products')).status).toBe(200))).toBe(0);

    await createOrder(browser); // starts the session
    let order!: Awaited<ReturnType<typeof createOrder>>;
    expect(await counted(async () => (order = await createOrder(browser)))).toBe(2);

    const pay = () => browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    // Session, order, trade-type claim with the items, the stored prepay.
    expect(await counted(async () => expect((await pay()).status).toBe(200))).toBe(4);
    expect(await counted(async () => expect((await pay()).status).toBe(200))).toBe(2);

    const xml = payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen });
    expect(await counted(async () => expect((await postNotify(stack, xml)).body).toMatch(SUCCESS_XML))).toBe(1);
    expect(await counted(async () => expect((await postNotify(stack, xml)).body).toMatch(SUCCESS_XML))).toBe(1);
    const row = await stack.database.db
      .selectFrom('orders')
      .select('status')
      .where('out_trade_no', '=', order.outTradeNo)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('PAID');
  });
});

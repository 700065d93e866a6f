/**
 * PostgreSQL text refuses U+0000, so a NUL in anything the BFF accepts (JSON strings and keys, path,
 * query) is a 400 before it reaches the database, never a 500 from the query.
 */
import { describe, expect, it } from 'vitest';
import { holdsNul } from '../src/http/body';
import { backends } from './helpers/backends';
import { adminRefund, orderRow, paidOrder, useStack } from './helpers/stack';

describe('holdsNul', () => {
  it('finds U+0000 in any string, key or nested value, and nowhere else', () => {
    expect(holdsNul({ a: [{ b: 'x\u0000' }] })).toBe(true);
    expect(holdsNul({ ['k\u0000']: 1 })).toBe(true);
    expect(holdsNul(JSON.parse('['.repeat(5000) + '"\\u0000"' + ']'.repeat(5000)))).toBe(true);
    expect(holdsNul({ a: ['x', 1, null, true, { b: '\\u0000 is only text here' }] })).toBe(false);
  });
});

describe.each(backends)('NUL characters in requests ($name)', (backend) => {
  const { stack } = useStack(backend);

  async function expectNulRefused(res: Response): Promise<void> {
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('U+0000') });
  }

  it('POST /api/orders with a NUL in a productId or a key → 400, and no session is started', async () => {
    const browser = stack.browser();
    await expectNulRefused(await browser.post('/api/orders', { items: [{ productId: 'mug\u0000', quantity: 1 }] }));
    await expectNulRefused(
      await browser.post('/api/orders', { items: [{ productId: 'mug', quantity: 1, ['x\u0000']: 1 }] }),
    );
    expect(browser.cookies.size).toBe(0);
  });

  it('an admin refund whose reason holds a NUL → 400, and the order stays PAID', async () => {
    const { order } = await paidOrder(stack);
    await expectNulRefused(await adminRefund(stack, order.outTradeNo, { reason: 'a\u0000b' }));
    expect((await orderRow(stack, order.outTradeNo)).status).toBe('PAID');
  });

  it('%00 in a path parameter or a query string → 400', async () => {
    const browser = stack.browser();
    await expectNulRefused(await browser.get('/api/orders/20261126%00'));
    await expectNulRefused(await browser.get('/api/products/mug%00'));
    await expectNulRefused(await adminRefund(stack, '20261126%00x', {}));
    await expectNulRefused(await browser.get('/api/auth/login?returnTo=%2Forders%00'));
    await expectNulRefused(await browser.get('/api/auth/callback?code=abc%00&state=def'));
    // A literal "%00" (sent as %2500) is ordinary text.
    expect((await browser.get('/api/products/mug%2500')).status).toBe(404);
  });
});

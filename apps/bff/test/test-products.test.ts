/**
 * The ¥0.01 sticker exists to test payments. Migration 002 seeds it everywhere; migration 007
 * marks it test-only, and production neither lists nor sells it. Dev and tests keep it.
 */
import { describe, expect, it } from 'vitest';
import { ApiErrorSchema, ProductListSchema } from '@wxpay-shop/contract';
import { PRODUCTION_ON_TEST_STACK } from './helpers/production-env';
import { createOrder, useStack } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

describe('test-only products in production', () => {
  // Listing and ordering call no WeChat API, so the stack's emulator endpoints are fine here.
  const { stack } = useStack({ name: 'pglite' }, PRODUCTION_ON_TEST_STACK);

  it('leaves the sticker out of the catalog and answers 404 for it', async () => {
    const { products } = ProductListSchema.parse(await (await stack.browser().get('/api/products')).json());
    expect(products.map((p) => p.id)).toEqual(['green-tea', 'mug', 'notebook', 'umbrella', 'teapot']);
    expect(products.every((p) => p.priceFen >= 990)).toBe(true);
    expect((await stack.browser().get('/api/products/sticker')).status).toBe(404);
  });

  it('refuses to order it as an unknown product, alone or beside a real one, and reserves nothing', async () => {
    const browser = stack.browser();
    for (const items of [
      [{ productId: 'sticker', quantity: 1 }],
      [
        { productId: 'mug', quantity: 1 },
        { productId: 'sticker', quantity: 1 },
      ],
    ]) {
      const res = await browser.post('/api/orders', orderBody(items));
      expect(res.status).toBe(400);
      expect(ApiErrorSchema.parse(await res.json()).error).toMatchObject({
        message: 'Unknown product',
        details: { productIds: ['sticker'] },
      });
    }
    expect(await stack.database.db.selectFrom('orders').select('id').execute()).toEqual([]);
    expect((await createOrder(browser, [{ productId: 'mug', quantity: 1 }])).totalFen).toBe(2990);
  });
});

describe('test-only products outside production', () => {
  const { stack } = useStack({ name: 'pglite' });

  it('lists and sells the sticker as before', async () => {
    const { products } = ProductListSchema.parse(await (await stack.browser().get('/api/products')).json());
    expect(products[0]).toMatchObject({ id: 'sticker', priceFen: 1 });
    expect((await createOrder(stack.browser(), [{ productId: 'sticker', quantity: 1 }])).totalFen).toBe(1);
  });

  it('marks only the sticker test-only in the database', async () => {
    const testOnly = await stack.database.db
      .selectFrom('products')
      .select('id')
      .where('test_only', '=', true)
      .execute();
    expect(testOnly).toEqual([{ id: 'sticker' }]);
  });
});

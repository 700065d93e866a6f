/** The catalog from memory: at most CATALOG_MAX_AGE_MS old, one read per expiry, never a failed read kept. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProductListSchema, ProductSchema, type Product } from '@wxpay-shop/contract';
import { CatalogCache } from '../src/catalog/catalog-cache';
import { backends } from './helpers/backends';
import { createOrder, useStack } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

const product = (stock: number): Product => ({
  id: 'mug',
  name: '马克杯',
  description: '',
  priceFen: 100,
  imageUrl: 'https://example.com/mug.png',
  stock,
  gallery: ['https://example.com/mug.png'],
  details: [],
  sevenDayReturns: true,
});

describe('CatalogCache (fake clock)', () => {
  it('serves one read until it is maxAgeMs old, counted from before the read, then reads again', async () => {
    let nowMs = 1_000_000;
    let stock = 5;
    const load = vi.fn(async () => {
      nowMs += 100; // the read itself takes 100 ms
      return [product(stock)];
    });
    const cache = new CatalogCache(load, 1_000, () => nowMs);
    expect((await cache.get()).products[0]!.stock).toBe(5);
    stock = 4;
    nowMs += 899; // 999 ms after the read started
    expect((await cache.get()).products[0]!.stock).toBe(5);
    expect(load).toHaveBeenCalledTimes(1);
    nowMs += 1; // 1 000 ms: too old
    expect((await cache.get()).products[0]!.stock).toBe(4);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('requests arriving during a read share it; a failed read is not kept', async () => {
    let fail = true;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const load = vi.fn(async () => {
      await gate;
      if (fail) throw new Error('database down');
      return [product(3)];
    });
    const cache = new CatalogCache(load, 1_000, () => 0);
    const burst = [cache.get(), cache.get(), cache.get()];
    release();
    for (const result of await Promise.allSettled(burst)) expect(result.status).toBe('rejected');
    expect(load).toHaveBeenCalledTimes(1);
    fail = false;
    expect((await cache.get()).products[0]!.stock).toBe(3);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('maxAgeMs 0 reads for every request', async () => {
    const load = vi.fn(async () => [product(1)]);
    const cache = new CatalogCache(load, 0, () => 0);
    await cache.get();
    await cache.get();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps the answer serialised with its validator', async () => {
    const cache = new CatalogCache(
      async () => [product(2)],
      1_000,
      () => 0,
    );
    const snapshot = await cache.get();
    expect(ProductListSchema.parse(JSON.parse(snapshot.listJson)).products[0]!.stock).toBe(2);
    expect(snapshot.listEtag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });
});

describe.each(backends)('GET /api/products with CATALOG_MAX_AGE_MS=1000 ($name)', (backend) => {
  const { stack, setStock, stockOf } = useStack(backend, { CATALOG_MAX_AGE_MS: '1000' });
  afterEach(() => vi.useRealTimers());

  const mugIn = async (res: Response) =>
    ProductListSchema.parse(await res.json()).products.find((p) => p.id === 'mug')!;

  it('stock shown lags the database by less than the bound, and ordering still checks the database', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-02T08:00:00Z') });
    await setStock('mug', 3);
    const browser = stack.browser();
    vi.advanceTimersByTime(1_000); // whatever an earlier test left is now too old
    expect((await mugIn(await browser.get('/api/products'))).stock).toBe(3);

    await setStock('mug', 1);
    vi.advanceTimersByTime(999);
    expect((await mugIn(await browser.get('/api/products'))).stock).toBe(3);
    expect(ProductSchema.parse(await (await browser.get('/api/products/mug')).json()).stock).toBe(3);
    // The catalog still says 3; the order statement sees 1.
    const refused = await browser.post('/api/orders', orderBody([{ productId: 'mug', quantity: 2 }]));
    expect(refused.status).toBe(409);
    expect(await stockOf('mug')).toBe(1);

    vi.advanceTimersByTime(1);
    const fresh = await browser.get('/api/products');
    expect((await mugIn(fresh)).stock).toBe(1);
    await createOrder(browser, [{ productId: 'mug', quantity: 1 }]);
    vi.advanceTimersByTime(1_000);
    expect((await mugIn(await browser.get('/api/products'))).stock).toBe(0);
  });
});

/**
 * The product pages' content: pictures drawn in the repository (served at versioned URLs that may be cached for
 * good), a gallery, details and the 七天无理由退货 flag, all brought in by migration 015.
 */
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ProductListSchema, ProductSchema, ShopSchema, routes } from '@wxpay-shop/contract';
import { DEMO_PRODUCT_PAGES } from '../src/catalog/demo-pages';
import { DEMO_PRODUCTS } from '../src/catalog/seed';
import { migrationProvider } from '../src/db/migrations';
import { backends, openTestDatabase } from './helpers/backends';
import { useStack } from './helpers/stack';

const BEFORE_PAGES = '2026_12_09_014_wechat_calls';
const VERSIONED_PICTURE = /^\/api\/pictures\/[a-z0-9-]+\.svg\?v=[A-Za-z0-9_-]{12}$/;

describe.each(backends)('product pages in the catalog ($name)', (backend) => {
  const { stack } = useStack(backend);

  it('every product has drawn pictures at versioned URLs, its main picture first, details and a returns flag', async () => {
    const { products } = ProductListSchema.parse(await (await fetch(`${stack.bff.url}${routes.products}`)).json());
    expect(products.map((p) => p.id)).toEqual(DEMO_PRODUCTS.map((p) => p.id));
    for (const product of products) {
      expect(product.gallery.length).toBeGreaterThanOrEqual(2);
      expect(product.gallery[0]).toBe(product.imageUrl);
      for (const url of product.gallery) expect(url).toMatch(VERSIONED_PICTURE);
      expect(product.details.map((d) => d.label)).toContainEqual(expect.stringMatching(/规格|容量|伞面直径/));
    }
    const byId = new Map(products.map((p) => [p.id, p]));
    expect(byId.get('green-tea')?.details).toContainEqual({ label: '产地', value: '浙江杭州西湖产区' });
    expect([...byId].filter(([, p]) => !p.sevenDayReturns).map(([id]) => id)).toEqual(['sticker', 'green-tea']);
  });

  it('a versioned picture is cached for good, an unversioned or outdated one briefly; unknown names are 404', async () => {
    const product = ProductSchema.parse(await (await fetch(`${stack.bff.url}${routes.product('mug')}`)).json());
    const versioned = await fetch(`${stack.bff.url}${product.gallery[1]}`);
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get('content-type')).toBe('image/svg+xml;charset=utf-8');
    expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(versioned.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(await versioned.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* viewBox="0 0 480 360"/);

    const bare = product.gallery[1]!.replace(/\?.*/, '');
    for (const url of [bare, `${bare}?v=outdated`]) {
      const res = await fetch(`${stack.bff.url}${url}`);
      expect([res.status, res.headers.get('cache-control')]).toEqual([200, 'public, max-age=300']);
    }
    const etag = versioned.headers.get('etag')!;
    expect(etag).toBe(`"${new URL(product.gallery[1]!, 'http://x').searchParams.get('v')}"`);
    const unchanged = await fetch(`${stack.bff.url}${bare}`, { headers: { 'If-None-Match': etag } });
    expect([unchanged.status, await unchanged.text()]).toEqual([304, '']);
    const changed = await fetch(`${stack.bff.url}${bare}`, { headers: { 'If-None-Match': '"older"' } });
    expect(changed.status).toBe(200);
    for (const name of ['nope.svg', 'mug-1.png', '..%2Fseed.ts', 'MUG-1.svg']) {
      expect((await fetch(`${stack.bff.url}/api/pictures/${name}`)).status).toBe(404);
    }
  });
});

describe("the shop's 客服 number", () => {
  const { stack } = useStack({ name: 'pglite' }, { SHOP_SERVICE_PHONE: '400-000-0000' });

  it("GET /api/shop answers SHOP_SERVICE_PHONE for the product pages' 客服 entry", async () => {
    const shop = ShopSchema.parse(await (await fetch(`${stack.bff.url}${routes.shop}`)).json());
    expect(shop).toEqual({ name: '微信小店', servicePhone: '400-000-0000' });
  });
});

describe.each(backends)('migration 015 ($name)', (backend) => {
  it('moves seeded products to the pictures and descriptions, keeping what someone changed; down restores', async () => {
    const handle = await openTestDatabase(backend);
    try {
      const db = handle.db;
      const migrator = new Migrator({ db, provider: migrationProvider });
      expect((await migrator.migrateTo(BEFORE_PAGES)).error).toBeUndefined();
      const seededTea = DEMO_PRODUCTS.find((p) => p.id === 'green-tea')!;
      expect(
        await db
          .selectFrom('products')
          .select(['image_url', 'description'])
          .where('id', '=', 'green-tea')
          .executeTakeFirst(),
      ).toEqual({ image_url: seededTea.image_url, description: seededTea.description });
      await db
        .updateTable('products')
        .set({ image_url: 'https://cdn.example/mug.jpg' })
        .where('id', '=', 'mug')
        .execute();
      await db.updateTable('products').set({ description: '店主写的' }).where('id', '=', 'teapot').execute();

      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const rows = await db.selectFrom('products').selectAll().orderBy('sort_order').execute();
      const row = (id: string) => rows.find((r) => r.id === id)!;
      expect(row('green-tea')).toMatchObject({
        image_url: '/api/pictures/green-tea-1.svg',
        gallery: ['/api/pictures/green-tea-1.svg', '/api/pictures/green-tea-2.svg', '/api/pictures/green-tea-3.svg'],
        description: DEMO_PRODUCT_PAGES['green-tea']!.description,
        details: DEMO_PRODUCT_PAGES['green-tea']!.details,
        seven_day_returns: false,
      });
      expect(row('mug')).toMatchObject({
        image_url: 'https://cdn.example/mug.jpg',
        gallery: [],
        seven_day_returns: true,
      });
      expect(row('mug').details).toEqual(DEMO_PRODUCT_PAGES.mug!.details);
      expect(row('teapot')).toMatchObject({ description: '店主写的', image_url: '/api/pictures/teapot-1.svg' });

      expect((await migrator.migrateTo(BEFORE_PAGES)).error).toBeUndefined();
      expect(
        await db
          .selectFrom('products')
          .select(['image_url', 'description'])
          .where('id', '=', 'green-tea')
          .executeTakeFirst(),
      ).toEqual({ image_url: seededTea.image_url, description: seededTea.description });
    } finally {
      await handle.close();
    }
  });
});

/**
 * Read-only catalog (and the shop's name); prices come from the products table and nowhere else. Answers are
 * revalidated on every use rather than cached for a while, because they carry live stock.
 */
import Router from '@koa/router';
import type { Kysely } from 'kysely';
import { ProductListSchema, ProductSchema, ShopSchema, type Product } from '@wxpay-shop/contract';
import type { Config } from '../config';
import type { DB, ProductRow } from '../db/schema';
import { notFound } from '../http/errors';
import { sendRevalidated } from '../http/revalidated';
import { decodeDataImage } from './image';
import { productsOnSale } from './repository';

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    priceFen: row.price_fen,
    imageUrl: row.image_url,
    stock: row.stock,
  };
}

export function catalogRoutes(db: Kysely<DB>, config: Config): Router {
  const router = new Router();
  router.get('/api/shop', (ctx) => {
    sendRevalidated(ctx, ShopSchema.parse({ name: config.shopName }));
  });
  router.get('/api/products', async (ctx) => {
    const rows = await productsOnSale(db, config).orderBy('sort_order').execute();
    sendRevalidated(ctx, ProductListSchema.parse({ products: rows.map(toProduct) }));
  });
  router.get('/api/products/:id', async (ctx) => {
    const row = await productsOnSale(db, config)
      .where('id', '=', ctx.params.id ?? '')
      .executeTakeFirst();
    if (!row) throw notFound('No such product');
    sendRevalidated(ctx, ProductSchema.parse(toProduct(row)));
  });
  /**
   * The product's picture at a URL of our own, for what cannot take a data: URL (WeChat's share card). A picture
   * already at an http(s) URL is a redirect there. Served with the nothing-loads CSP, so an SVG runs nothing.
   */
  router.get('/api/products/:id/image', async (ctx) => {
    const row = await productsOnSale(db, config)
      .select('image_url')
      .where('id', '=', ctx.params.id ?? '')
      .executeTakeFirst();
    if (!row) throw notFound('No such product');
    if (/^https?:\/\//.test(row.image_url)) return ctx.redirect(row.image_url);
    const image = decodeDataImage(row.image_url);
    if (!image) throw notFound('No picture for this product');
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = image.contentType;
    ctx.body = image.body;
  });
  return router;
}

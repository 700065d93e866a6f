/**
 * Read-only catalog (and the shop's name, and the product pictures); prices come from the products table and
 * nowhere else. The list and a product are answered from memory, at most CATALOG_MAX_AGE_MS old (catalog-cache);
 * browsers revalidate them on every use rather than keep them for a while, because they carry stock.
 */
import Router from '@koa/router';
import type { Kysely } from 'kysely';
import { ProductSchema, ShopSchema, routes, type Product } from '@wxpay-shop/contract';
import type { Config } from '../config';
import type { DB, ProductRow } from '../db/schema';
import { notFound } from '../http/errors';
import { isCurrentCopy, sendRevalidated, sendRevalidatedJson } from '../http/revalidated';
import { CatalogCache } from './catalog-cache';
import { decodeDataImage } from './image';
import type { PictureLibrary } from './picture-library';
import { isPictureFile } from './picture-urls';
import { productsOnSale } from './repository';

/** A versioned picture URL never changes content, so browsers keep it a year without asking. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SVG_TYPE = 'image/svg+xml;charset=utf-8';

/** Checked against the contract once per read, not per answer. */
function toProduct(row: ProductRow, pictures: PictureLibrary): Product {
  return ProductSchema.parse({
    id: row.id,
    name: row.name,
    description: row.description,
    priceFen: row.price_fen,
    imageUrl: pictures.publicUrl(row.image_url),
    stock: row.stock,
    gallery: (row.gallery.length > 0 ? row.gallery : [row.image_url]).map((url) => pictures.publicUrl(url)),
    details: row.details,
    sevenDayReturns: row.seven_day_returns,
  });
}

export function catalogRoutes(db: Kysely<DB>, config: Config, pictures: PictureLibrary): Router {
  const router = new Router();
  const mainPictureOr404 = async (id: string) => {
    const row = await productsOnSale(db, config).select('image_url').where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('No such product');
    return row.image_url;
  };
  const catalog = new CatalogCache(
    async () =>
      (await productsOnSale(db, config).orderBy('sort_order').execute()).map((row) => toProduct(row, pictures)),
    config.catalogMaxAgeMs,
  );
  router.get('/api/shop', (ctx) => {
    const servicePhone = config.servicePhone ? { servicePhone: config.servicePhone } : {};
    sendRevalidated(ctx, ShopSchema.parse({ name: config.shopName, ...servicePhone }));
  });
  router.get('/api/products', async (ctx) => {
    const { listJson, listEtag } = await catalog.get();
    sendRevalidatedJson(ctx, listJson, listEtag);
  });
  router.get('/api/products/:id', async (ctx) => {
    const product = (await catalog.get()).products.find((p) => p.id === ctx.params.id);
    if (!product) throw notFound('No such product');
    sendRevalidated(ctx, product);
  });
  /**
   * The pictures kept in the repository. The catalog links them with their version (?v=), which may be
   * kept for good; any other request gets the current picture, revalidated after a while.
   */
  router.get('/api/pictures/:file', (ctx) => {
    const file = ctx.params.file ?? '';
    const picture = isPictureFile(file) ? pictures.get(file) : undefined;
    if (!picture) throw notFound('No such picture');
    ctx.set('Cache-Control', ctx.query.v === picture.version ? IMMUTABLE : 'public, max-age=300');
    const etag = `"${picture.version}"`;
    ctx.set('ETag', etag);
    // An unchanged picture costs a 304 when the 5 minutes are up.
    if (isCurrentCopy(ctx, etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = SVG_TYPE;
    ctx.body = picture.svg;
  });
  /**
   * The product's picture at a URL of our own, for what cannot take a data: URL (WeChat's share card). A picture
   * already at an http(s) URL is a redirect there. Served with the nothing-loads CSP, so an SVG runs nothing.
   */
  router.get('/api/products/:id/image', async (ctx) => {
    const imageUrl = await mainPictureOr404(ctx.params.id ?? '');
    if (/^https?:\/\//.test(imageUrl)) return ctx.redirect(imageUrl);
    const ours = pictures.ofUrl(imageUrl);
    const image = ours ? { contentType: SVG_TYPE, body: ours.svg } : decodeDataImage(imageUrl);
    if (!image) throw notFound('No picture for this product');
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = image.contentType;
    ctx.body = image.body;
  });
  /**
   * The main picture as a PNG for WeChat's share card, rendered at start-up (picture-library.ts). A picture
   * that is not one of ours is whatever /image serves.
   */
  router.get('/api/products/:id/share.png', async (ctx) => {
    const id = ctx.params.id ?? '';
    const ours = pictures.ofUrl(await mainPictureOr404(id));
    if (!ours) return ctx.redirect(routes.productImage(id));
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = 'image/png';
    ctx.body = ours.sharePng;
  });
  return router;
}

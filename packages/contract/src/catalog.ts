/** What the shop sells: products, their prices in fen, and the shop's name. */
import * as z from 'zod/mini';
import { checked } from './checked';

/** Amounts are integer fen (1/100 CNY) everywhere. */
export const FenSchema = checked(z.int(), z.nonnegative());

/** One line of a product's details (规格, 产地, …), shown as a label and its value. */
export const ProductDetailSchema = z.object({ label: z.string(), value: z.string() });
export type ProductDetail = z.infer<typeof ProductDetailSchema>;

export const ProductSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  priceFen: FenSchema,
  /** The main picture: catalog cards, cart lines and the first of the gallery. */
  imageUrl: z.string(),
  stock: checked(z.int(), z.nonnegative()),
  /** Every picture of the product page's gallery, the main one first. */
  gallery: z.array(z.string()),
  details: z.array(ProductDetailSchema),
  /** 七天无理由退货 applies (false for goods such as tea, which cannot be resold once opened). */
  sevenDayReturns: z.boolean(),
});
export type Product = z.infer<typeof ProductSchema>;

export const ProductListSchema = z.object({ products: z.array(ProductSchema) });

/**
 * GET /api/shop: the shop's one name (SHOP_NAME), for the header and the page title; `servicePhone`: the 客服
 * number (SHOP_SERVICE_PHONE), absent when the shop has none.
 */
export const ShopSchema = z.object({ name: z.string(), servicePhone: z.optional(z.string()) });
export type Shop = z.infer<typeof ShopSchema>;

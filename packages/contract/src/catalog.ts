/** What the shop sells: products, their prices in fen, and the shop's name. */
import * as z from 'zod/mini';
import { checked } from './checked';

/** Amounts are integer fen (1/100 CNY) everywhere. */
export const FenSchema = checked(z.int(), z.nonnegative());

export const ProductSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  priceFen: FenSchema,
  imageUrl: z.string(),
  stock: checked(z.int(), z.nonnegative()),
});
export type Product = z.infer<typeof ProductSchema>;

export const ProductListSchema = z.object({ products: z.array(ProductSchema) });

/** GET /api/shop: the shop's one name (SHOP_NAME), for the header and the page title. */
export const ShopSchema = z.object({ name: z.string() });
export type Shop = z.infer<typeof ShopSchema>;

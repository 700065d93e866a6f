import { ProductListSchema, ProductSchema, routes, type Product } from '@wxpay-shop/contract';
import { apiRequest } from './http';

export async function fetchProducts(signal?: AbortSignal): Promise<Product[]> {
  const { products } = await apiRequest(routes.products, ProductListSchema, { signal });
  return products;
}

export function fetchProduct(id: string, signal?: AbortSignal): Promise<Product> {
  return apiRequest(routes.product(id), ProductSchema, { signal });
}

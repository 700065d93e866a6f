import { routes, type Product } from '@wxpay-shop/contract';
import { productAnswer, productListAnswer } from './first-page-answers';
import { apiRequest } from './http';

export async function fetchProducts(signal?: AbortSignal): Promise<Product[]> {
  const { products } = await apiRequest(routes.products, productListAnswer, { signal });
  return products;
}

export function fetchProduct(id: string, signal?: AbortSignal): Promise<Product> {
  return apiRequest(routes.product(id), productAnswer, { signal });
}

/**
 * 立即购买: the product page sends the shopper to 确认订单 with that one item in the URL
 * (`/checkout?buy=<productId>&qty=<n>`), leaving the cart as it was. Pure.
 */
import type { LocationQuery, RouteLocationRaw } from 'vue-router';
import type { CartLine } from '../stores/cart';

const MAX_QUANTITY = 99;

export function buyNowRoute(productId: string, quantity: number): RouteLocationRaw {
  return { name: 'checkout', query: { buy: productId, qty: String(quantity) } };
}

/** The one line a 立即购买 link names, or undefined for a plain checkout (or a link that makes no sense). */
export function buyNowLine(query: LocationQuery): CartLine | undefined {
  const productId = typeof query.buy === 'string' ? query.buy : undefined;
  if (!productId || productId.length > 64) return undefined;
  const quantity = Number(typeof query.qty === 'string' ? query.qty : '1');
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) return undefined;
  return { productId, quantity };
}

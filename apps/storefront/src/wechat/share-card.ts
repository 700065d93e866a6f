/** The share card of a product page (title, price in the description, absolute picture, clean link). Pure. */
import { routes, type Product } from '@wxpay-shop/contract';
import { formatFen } from '../lib/money';
import type { WxShareCard } from './jssdk-types';
import { shareableLink } from './jssdk-url';

/** WeChat cuts longer descriptions anyway; a short one reads better in the chat. */
const MAX_DESC_CHARS = 60;

export function productShareCard(product: Product, pageUrl: string): WxShareCard {
  const desc = `${formatFen(product.priceFen)} · ${product.description}`;
  return {
    title: product.name,
    desc: desc.length > MAX_DESC_CHARS ? `${desc.slice(0, MAX_DESC_CHARS - 1)}…` : desc,
    link: shareableLink(pageUrl),
    imgUrl: absoluteImageUrl(product, pageUrl),
  };
}

/** A picture WeChat can fetch: absolute http(s); an inline (data:) picture is fetched from the BFF's image URL. */
function absoluteImageUrl(product: Product, pageUrl: string): string {
  const url = new URL(product.imageUrl, pageUrl);
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  return new URL(routes.productImage(product.id), pageUrl).href;
}
